using System.ComponentModel;
using System.Globalization;
using Spectre.Console;
using Spectre.Console.Cli;
using XcsCt.Domain.Xct;

namespace XcsCt.Host.Commands;

/// <summary>
/// <c>xcsct segment VOLUME --out DIR</c>: the paper's XCT segmentation (median 3x3x3, Otsu
/// threshold(s), opening, connected components) in z-slabs of bounded memory; writes phases.tif,
/// labels.tif, components.csv/json (with porosity and pore-size distribution) and PNG slices.
/// </summary>
public sealed class SegmentCommand : Command<SegmentCommand.Settings>
{
    public sealed class Settings : CommandSettings
    {
        [CommandArgument(0, "<VOLUME>"), Description("TIFF stack (multi-page file, directory or pattern with *) or HDF5 file (file.h5 or file.h5:/dataset).")]
        public string Volume { get; init; } = "";

        [CommandOption("--out <DIR>"), Description("Output directory.")]
        public string? Out { get; init; }

        [CommandOption("--voxel-um <UM>"), Description("Voxel size in um (default 1).")]
        [DefaultValue(1.0)]
        public double VoxelUm { get; init; } = 1;

        [CommandOption("--dataset <PATH>"), Description("HDF5 dataset of the volume (default: the only 3-D dataset).")]
        public string? Dataset { get; init; }

        [CommandOption("--axes <ORDER>"), Description("HDF5 axis order, slowest first: zyx (default) or xzy (Savu/httomo).")]
        public string? Axes { get; init; }

        [CommandOption("--classes <N>"), Description("Phases: 2 (one Otsu threshold, default) or 3 (two thresholds).")]
        [DefaultValue(2)]
        public int Classes { get; init; } = 2;

        [CommandOption("--phase <K>"), Description("Phase to label and measure, 0 = darkest (default: the brightest).")]
        public int? Phase { get; init; }

        [CommandOption("--opening <R>"), Description("Binary opening radius of the phase, voxels (default 3; 0 for none).")]
        [DefaultValue(3)]
        public int Opening { get; init; } = 3;

        [CommandOption("--grey-opening <R>"), Description("Greyscale opening radius before thresholding, voxels (default 0: none).")]
        [DefaultValue(0)]
        public int GreyOpening { get; init; }

        [CommandOption("--no-median"), Description("Skip the 3D median 3x3x3.")]
        public bool NoMedian { get; init; }

        [CommandOption("--connectivity <N>"), Description("26 (default) or 6.")]
        [DefaultValue(26)]
        public int Connectivity { get; init; } = 26;

        [CommandOption("--memory-mb <MB>"), Description("Working memory for slabs, MB (default 1024).")]
        [DefaultValue(1024)]
        public int MemoryMb { get; init; } = 1024;

        [CommandOption("--threads <N>"), Description("Cores to use (default all).")]
        [DefaultValue(0)]
        public int Threads { get; init; }

        [CommandOption("--png <N>"), Description("PNG slices with outlines (default 5).")]
        [DefaultValue(5)]
        public int Png { get; init; } = 5;

        public override ValidationResult Validate()
        {
            if (string.IsNullOrWhiteSpace(Out))
                return ValidationResult.Error("--out DIR is required");
            if (Connectivity is not (6 or 26))
                return ValidationResult.Error($"--connectivity {Connectivity} is not valid: expected 6 or 26");
            if (MemoryMb < 16)
                return ValidationResult.Error($"--memory-mb {MemoryMb} is too small: at least 16");
            return ValidationResult.Success();
        }
    }

    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        var options = new VolumeReadOptions(settings.Dataset, settings.Axes is null ? null : AxisOrder.Parse(settings.Axes));
        var segmentation = new SegmentationSettings
        {
            VoxelUm = settings.VoxelUm,
            Median = !settings.NoMedian,
            GreyOpeningRadius = settings.GreyOpening,
            Classes = settings.Classes,
            Phase = settings.Phase,
            OpeningRadius = settings.Opening,
            Connectivity = settings.Connectivity == 6 ? Domain.Xct.Connectivity.Faces6 : Domain.Xct.Connectivity.Full26,
            MemoryBudgetBytes = settings.MemoryMb * (1L << 20),
            Threads = settings.Threads,
            PngSlices = settings.Png,
        }.Validated();

        using var source = VolumeReader.Open(settings.Volume, options);
        AnsiConsole.MarkupLine($"[grey]{Markup.Escape(source.Name)}: {source.Shape}, {source.Type.Name()}[/]");
        SegmentationResult? result = null;
        AnsiConsole.Progress().AutoClear(true).Start(ctx =>
        {
            var tasks = new Dictionary<string, ProgressTask>();
            result = SegmentationPipeline.Run(source, settings.Out!, segmentation, (stage, done, total) =>
            {
                cancellationToken.ThrowIfCancellationRequested();
                if (!tasks.TryGetValue(stage, out var task))
                    tasks[stage] = task = ctx.AddTask(stage, maxValue: total);
                task.Value = done;
            });
        });
        var r = result!;
        var culture = CultureInfo.InvariantCulture;
        AnsiConsole.WriteLine(string.Format(culture, "thresholds {0}; phase {1}; {2} components; porosity {3:P2} ({4} slab(s))",
            string.Join(", ", r.Thresholds.Select(t => t.ToString("G6", culture))), r.Phase, r.Components.Count, r.Porosity.Porosity, r.Slabs));
        AnsiConsole.WriteLine($"wrote {r.PhasesPath}, {r.LabelsPath}, {r.CsvPath}, {r.JsonPath} and {r.PngPaths.Count} PNG slice(s)");
        return 0;
    }
}
