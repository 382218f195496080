using System.ComponentModel;
using System.Globalization;
using Spectre.Console;
using Spectre.Console.Cli;
using XcsCt.Domain;
using XcsCt.Domain.Xct.Reconstruction;

namespace XcsCt.Host.Commands;

/// <summary>
/// <c>xcsct reconstruct INPUT --out DIR [--slices a:b]</c>: filtered back projection of NXtomo or
/// DXchange projections (flat/dark and -log, stripe removal, centre search, 360-degree stitching),
/// written as a float32 TIFF stack and an HDF5/NeXus file.
/// </summary>
public sealed class ReconstructCommand : Command<ReconstructCommand.Settings>
{
    public sealed class Settings : CommandSettings
    {
        [CommandArgument(0, "<INPUT>"), Description("Projections: NXtomo or DXchange HDF5 file.")]
        public string Input { get; init; } = "";

        [CommandOption("--out <DIR>"), Description("Output directory.")]
        public string? Out { get; init; }

        [CommandOption("--slices <A:B>"), Description("Detector rows a (inclusive) to b (exclusive); default all.")]
        public string? Slices { get; init; }

        [CommandOption("--centre <PX>"), Description("Rotation centre, detector pixels (default: searched).")]
        public double? Centre { get; init; }

        [CommandOption("--filter <NAME>"), Description("ram-lak (default) or shepp-logan.")]
        [DefaultValue("ram-lak")]
        public string Filter { get; init; } = "ram-lak";

        [CommandOption("--ring-window <N>"), Description("Stripe removal window, odd columns (default 21; 0 turns it off).")]
        [DefaultValue(21)]
        public int RingWindow { get; init; } = 21;

        [CommandOption("--stitch <MODE>"), Description("360-degree stitching: auto (default), on, off.")]
        [DefaultValue("auto")]
        public string Stitch { get; init; } = "auto";

        [CommandOption("--size <N>"), Description("Slice size in pixels (default: detector or stitched width).")]
        public int? Size { get; init; }

        [CommandOption("--threads <N>"), Description("Cores to use (default all).")]
        [DefaultValue(0)]
        public int Threads { get; init; }

        public override ValidationResult Validate()
        {
            if (string.IsNullOrWhiteSpace(Out))
                return ValidationResult.Error("--out DIR is required");
            if (Filter is not ("ram-lak" or "shepp-logan"))
                return ValidationResult.Error($"--filter {Filter} is not valid: expected ram-lak or shepp-logan");
            if (Stitch is not ("auto" or "on" or "off"))
                return ValidationResult.Error($"--stitch {Stitch} is not valid: expected auto, on or off");
            return ValidationResult.Success();
        }
    }

    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        var (first, end) = ParseSlices(settings.Slices);
        var reconstruction = new ReconstructionSettings
        {
            FirstSlice = first,
            EndSlice = end,
            Centre = settings.Centre,
            Filter = settings.Filter == "shepp-logan" ? FbpFilterKind.SheppLogan : FbpFilterKind.RamLak,
            RingWindow = settings.RingWindow,
            Stitch = settings.Stitch switch { "on" => StitchMode.On, "off" => StitchMode.Off, _ => StitchMode.Auto },
            Size = settings.Size,
            Threads = settings.Threads,
            CreatedUtc = DateTimeOffset.UtcNow,
        };
        ReconstructionSummary? summary = null;
        AnsiConsole.Progress().AutoClear(true).Start(ctx =>
        {
            ProgressTask? task = null;
            summary = TomoReconstruction.Run(settings.Input, settings.Out!, reconstruction, (done, total) =>
            {
                cancellationToken.ThrowIfCancellationRequested();
                task ??= ctx.AddTask("slices", maxValue: total);
                task.Value = done;
            });
        });
        var s = summary!;
        var culture = CultureInfo.InvariantCulture;
        AnsiConsole.WriteLine(string.Format(culture, "{0} ({1}, {2} projections): {3} slice(s) from row {4}, {5} x {5} px, centre {6:0.###}{7}",
            s.Input, s.Layout, s.Projections, s.Slices, s.FirstSlice, s.Size, s.Centre,
            s.Overlap is { } o ? string.Format(culture, ", stitched (overlap {0:0.#} px, axis {1})", o.Overlap, o.Side) : ""));
        foreach (var warning in s.Warnings)
            AnsiConsole.MarkupLine($"[yellow]warning:[/] {Markup.Escape(warning)}");
        AnsiConsole.WriteLine($"wrote {string.Join(", ", new[] { s.TiffPath, s.Hdf5Path }.Where(p => p is not null))}");
        return 0;
    }

    /// <summary>"a:b" to (a, b); empty parts mean the detector's first row or the end.</summary>
    internal static (int? First, int? End) ParseSlices(string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
            return (null, null);
        var parts = text.Split(':');
        if (parts.Length != 2)
            throw new InputException($"--slices '{text}' is not a range a:b");
        int? Parse(string p) => p.Length == 0 ? null
            : int.TryParse(p, NumberStyles.Integer, CultureInfo.InvariantCulture, out int v) && v >= 0 ? v
            : throw new InputException($"--slices '{text}': '{p}' is not a row number");
        return (Parse(parts[0].Trim()), Parse(parts[1].Trim()));
    }
}
