using Spectre.Console;
using Spectre.Console.Cli;
using XcsCt.Domain;

namespace XcsCt.Host.Commands;

/// <summary><c>xcsct version</c>: the program and analysis version.</summary>
public sealed class VersionCommand : Command
{
    public override int Execute(CommandContext context, CancellationToken cancellationToken)
    {
        AnsiConsole.WriteLine($"{DomainInfo.Program} {DomainInfo.Version}");
        return 0;
    }
}
