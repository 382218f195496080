using System.Text;
using Akka.Actor;
using Akka.Dispatch;
using Akka.Event;

namespace XcsCt.Host.Serve;

/// <summary>
/// The node's Akka log: one line per event (time, level, source, message, and the chain of cause
/// messages), stack traces only with <c>XCSCT_DEBUG=1</c>. A failure that repeats (a journal that
/// cannot be reached is retried every second by the persistence plugins) is written once a minute
/// with the number of repeats in between, so the reason stays readable instead of scrolling away.
/// </summary>
public sealed class AkkaLineLogger : ActorBase, IRequiresMessageQueue<ILoggerMessageQueueSemantics>
{
    /// <summary>The same source and message are written at most once per this interval.</summary>
    public static readonly TimeSpan RepeatInterval = TimeSpan.FromMinutes(1);

    private static readonly bool Debug = Environment.GetEnvironmentVariable("XCSCT_DEBUG") is "1" or "true";
    private readonly Dictionary<string, (DateTime Written, int Suppressed)> _recent = new(StringComparer.Ordinal);

    protected override bool Receive(object message)
    {
        switch (message)
        {
            case InitializeLogger:
                Sender.Tell(new LoggerInitialized());
                return true;
            case LogEvent e:
                Write(e);
                return true;
            default:
                return false;
        }
    }

    private void Write(LogEvent e)
    {
        string text = Format(e.Message);
        string key = e.LogSource + "\n" + text;
        var now = DateTime.UtcNow;
        int suppressed = 0;
        if (_recent.TryGetValue(key, out var last))
        {
            if (now - last.Written < RepeatInterval)
            {
                _recent[key] = last with { Suppressed = last.Suppressed + 1 };
                return;
            }
            suppressed = last.Suppressed;
        }
        if (_recent.Count > 1000) _recent.Clear();
        _recent[key] = (now, 0);

        var line = new StringBuilder()
            .Append(e.Timestamp.ToLocalTime().ToString("HH:mm:ss ")).Append(Level(e.LogLevel())).Append(": ")
            .Append(e.LogSource).Append(' ').Append(text);
        if (e.Cause is { } cause) line.Append(" | ").Append(Causes(cause));
        if (suppressed > 0) line.Append($" (and {suppressed} times more in the last {RepeatInterval.TotalSeconds:F0} s)");
        if (Debug && e.Cause is not null) line.AppendLine().Append(e.Cause);
        Console.Out.WriteLine(line.ToString());
    }

    /// <summary>Messages of an exception and its inner exceptions, outermost first, repeats left out.</summary>
    public static string Causes(Exception exception)
    {
        var parts = new List<string>();
        for (var e = exception; e is not null; e = e.InnerException)
        {
            string part = $"{e.GetType().Name}: {e.Message}";
            if (!parts.Any(p => p.EndsWith(e.Message, StringComparison.Ordinal))) parts.Add(part);
            if (e is AggregateException { InnerExceptions.Count: > 1 }) break;
        }
        return string.Join(" ---> ", parts);
    }

    private static string Format(object message)
    {
        try
        {
            return message is LogMessage m ? m.ToString() ?? "" : message?.ToString() ?? "";
        }
        catch (FormatException)
        {
            return message.GetType().Name;
        }
    }

    private static string Level(Akka.Event.LogLevel level) => level switch
    {
        Akka.Event.LogLevel.DebugLevel => "dbug",
        Akka.Event.LogLevel.InfoLevel => "info",
        Akka.Event.LogLevel.WarningLevel => "warn",
        _ => "fail",
    };
}
