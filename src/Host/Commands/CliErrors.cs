using Spectre.Console;
using Spectre.Console.Cli;

namespace XcsCt.Host.Commands;

/// <summary>
/// Turns failures into one clear line on stderr and a non-zero exit code: a user sees what is wrong
/// with their input, never a stack trace (set XCSCT_DEBUG=1 to get one).
/// </summary>
public static class CliErrors
{
    public static int Run(Func<int> run)
    {
        try
        {
            return run();
        }
        catch (Exception e) when (Environment.GetEnvironmentVariable("XCSCT_DEBUG") != "1")
        {
            var inner = e is CommandRuntimeException or CommandParseException ? e : Unwrap(e);
            Console.Error.WriteLine($"xcsct: error: {inner.Message}");
            return inner switch
            {
                CommandParseException or CommandRuntimeException => 64,
                _ => 1,
            };
        }
    }

    private static Exception Unwrap(Exception e)
    {
        while (e is AggregateException { InnerExceptions.Count: 1 } or System.Reflection.TargetInvocationException && e.InnerException is not null)
            e = e.InnerException!;
        return e;
    }
}
