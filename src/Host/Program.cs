using Spectre.Console.Cli;
using XcsCt.Host.Commands;

var app = new CommandApp();
app.Configure(config =>
{
    config.SetApplicationName("xcsct");
    config.PropagateExceptions();
    config.AddCommand<VersionCommand>("version").WithDescription("Print the program version.");
    config.AddCommand<ProcessCommand>("process").WithDescription("Process frames into spectra, EMF maps and lithium, per scan.");
    config.AddCommand<SimulateCommand>("simulate").WithDescription("Simulate an operando coin-cell experiment (frames, references, manifest, truth).");
    config.AddCommand<DemoCommand>("demo").WithDescription("Simulate a small operando coin-cell series and process it end to end (the first thing to run).");
    config.AddCommand<BenchCommand>("bench").WithDescription("Measure the frame-correction kernel against a memory-read baseline.");
    config.AddCommand<SegmentCommand>("segment").WithDescription("Segment an XCT volume: median, Otsu threshold(s), opening, labelled components, porosity.");
    config.AddCommand<ReconstructCommand>("reconstruct").WithDescription("Reconstruct XCT slices from NXtomo/DXchange projections by filtered back projection.");
    config.AddCommand<ServeCommand>("serve").WithDescription("Run a node: Akka cluster member, HTTP API and dashboard.");
    config.AddCommand<SubmitCommand>("submit").WithDescription("Submit experiment manifests to a node (--wait: follow them with progress bars).");
    config.AddCommand<StatusCommand>("status").WithDescription("Show a node's experiments, or one experiment's scans.");
    config.AddCommand<ResultsCommand>("results").WithDescription("Download an experiment's outputs from a node.");
    config.AddBranch("cluster", ClusterCommand.Configure);
    // Commands are registered here, one line each.
});
return CliErrors.Run(() => app.Run(args));
