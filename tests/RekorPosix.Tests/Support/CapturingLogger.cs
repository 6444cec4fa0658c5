using Microsoft.Extensions.Logging;

namespace RekorPosix.Tests.Support;

/// <summary>Keeps every log line, so tests can see that a warning was given (and which).</summary>
public sealed class CapturingLogger : ILogger
{
    private readonly List<(LogLevel Level, int EventId, string Message)> _lines = [];

    public IReadOnlyList<(LogLevel Level, int EventId, string Message)> Lines
    {
        get { lock (_lines) return _lines.ToList(); }
    }

    public IEnumerable<string> At(LogLevel level) => Lines.Where(l => l.Level == level).Select(l => l.Message);

    public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        lock (_lines)
            _lines.Add((logLevel, eventId.Id, formatter(state, exception)));
    }
}
