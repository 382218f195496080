using Spectre.Console.Cli;
using XcsCt.Host.Commands;

var app = new CommandApp();
app.Configure(config =>
{
    config.SetApplicationName("xcsct");
    config.PropagateExceptions();
    config.AddCommand<VersionCommand>("version").WithDescription("Print the program version.");
    config.AddCommand<ProcessCommand>("process").WithDescription("Process frames into spectra, EMF maps and lithium, per scan.");
    // Commands are registered here, one line each.
});
return CliErrors.Run(() => app.Run(args));
