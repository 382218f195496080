using System.ComponentModel;
using System.Diagnostics;
using Spectre.Console;
using Spectre.Console.Cli;
using XcsCt.Domain;
using XcsCt.Domain.Simulation;

namespace XcsCt.Host.Commands;

/// <summary>
/// <c>xcsct simulate</c>: writes a simulated operando experiment (frames, calibration, references,
/// masks, XCT, manifest and truth) that <c>xcsct process --manifest DIR/manifest.yaml</c> runs as is.
/// </summary>
public sealed class SimulateCommand : Command<SimulateCommand.Settings>
{
    public sealed class Settings : CommandSettings
    {
        [CommandOption("--preset <NAME>"), Description("Coin cell: lib-nmc811 (default) or ssb-peo.")]
        [DefaultValue("lib-nmc811")]
        public string Preset { get; init; } = "lib-nmc811";

        [CommandOption("--scans <N>"), Description("Scans in the operando series (default 4).")]
        [DefaultValue(4)]
        public int Scans { get; init; } = 4;

        [CommandOption("--frames <F>"), Description("Frames per scan (default 50000).")]
        [DefaultValue(50000L)]
        public long Frames { get; init; } = 50000;

        [CommandOption("--seed <S>"), Description("Random seed (default 1).")]
        [DefaultValue(1UL)]
        public ulong Seed { get; init; } = 1;

        [CommandOption("--out <DIR>"), Description("Output directory (must not exist or be empty, unless --force).")]
        public string? Out { get; init; }

        [CommandOption("--force"), Description("Replace a non-empty output directory.")]
        public bool Force { get; init; }

        [CommandOption("--format <FMT>"), Description("Frame files: bin (default) or odin (HDF5).")]
        [DefaultValue("bin")]
        public string Format { get; init; } = "bin";

        [CommandOption("--lithiation <MODEL>"), Description("Bound-lithium profile: free-atom (default) or ionic.")]
        [DefaultValue("free-atom")]
        public string Lithiation { get; init; } = "free-atom";

        [CommandOption("--reference-frames <F>"), Description("Frames of the dark, empty and PTFE runs (default min(frames, 8192)).")]
        [DefaultValue(0L)]
        public long ReferenceFrames { get; init; }

        [CommandOption("--no-xct"), Description("Do not write synthetic XCT volumes.")]
        public bool NoXct { get; init; }

        public override ValidationResult Validate() =>
            string.IsNullOrWhiteSpace(Out) ? ValidationResult.Error("--out <DIR> is required") : ValidationResult.Success();
    }

    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        var options = new SimulationOptions(settings.Preset, settings.Scans, settings.Frames, settings.Seed)
        {
            Format = settings.Format switch
            {
                "bin" => FrameFormat.Bin,
                "odin" => FrameFormat.Odin,
                _ => throw new InputException($"--format '{settings.Format}' is not valid: expected bin or odin"),
            },
            Lithiation = settings.Lithiation switch
            {
                "free-atom" => LithiationModel.FreeAtom,
                "ionic" => LithiationModel.Ionic,
                _ => throw new InputException($"--lithiation '{settings.Lithiation}' is not valid: expected free-atom or ionic"),
            },
            ReferenceFrames = settings.ReferenceFrames,
            Xct = !settings.NoXct,
        };
        var clock = Stopwatch.StartNew();
        var progress = new Progress<string>(m => AnsiConsole.MarkupLineInterpolated($"[grey]{clock.Elapsed.TotalSeconds,6:F1} s[/] {m}"));
        var result = ExperimentSimulator.Write(settings.Out!, options, settings.Force, progress);
        AnsiConsole.MarkupLineInterpolated($"wrote {result.Scans.Count} scans x {settings.Frames} frames to {result.Directory} in {clock.Elapsed.TotalSeconds:F1} s");
        foreach (var s in result.Scans)
            AnsiConsole.MarkupLineInterpolated($"  {s.Plan.Id} {s.Plan.Depth,-15} x = {s.Plan.MeanLithium:F2}  true EMF {s.Truth.GlobalEmf:F4}");
        AnsiConsole.MarkupLineInterpolated($"next: xcsct process --manifest {result.Manifest}");
        return 0;
    }
}
