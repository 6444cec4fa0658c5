using System.Collections.Concurrent;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Console;
using Microsoft.Extensions.Options;
using RekorPosix.Log;

namespace RekorPosix.Http;

/// <summary>
/// Wraps the console provider so that Kestrel's own events, which a client can cause at will
/// (HTTP/2 rapid reset wrote thousands of "exceeded the output operations maximum" crit lines and
/// "application never completed" lines), cost at most two lines per event and interval: the first
/// one as it is, and at the end of the interval one summary of how many more were held back.
/// Every other category goes through untouched.
/// </summary>
public sealed class ThrottlingLoggerProvider : ILoggerProvider, ISupportExternalScope
{
    /// <summary>Kestrel and its sub-categories (Http2, Http3, Connections, BadRequests).</summary>
    public const string ThrottledPrefix = "Microsoft.AspNetCore.Server.Kestrel";

    private readonly ILoggerProvider _inner;
    private readonly TimeSpan _interval;
    private readonly TimeProvider _clock;
    private readonly ITimer? _summaries;
    // Keyed by Kestrel's categories and event IDs, never by anything a client sends: it stays small.
    private readonly ConcurrentDictionary<(string Category, int EventId), ThrottledEvent> _events = new();

    /// <param name="summaryTimer">False in tests, which call <see cref="WriteSummaries"/> themselves.</param>
    public ThrottlingLoggerProvider(ILoggerProvider inner, TimeSpan interval, TimeProvider? clock = null, bool summaryTimer = true)
    {
        _inner = inner;
        _interval = interval;
        _clock = clock ?? TimeProvider.System;
        if (summaryTimer)
            _summaries = _clock.CreateTimer(_ => WriteSummaries(), null, interval, interval);
    }

    public ILogger CreateLogger(string categoryName)
    {
        var logger = _inner.CreateLogger(categoryName);
        return categoryName.StartsWith(ThrottledPrefix, StringComparison.Ordinal)
            ? new ThrottledLogger(logger, categoryName, this)
            : logger;
    }

    /// <summary>One line per event that had lines held back since its last line or summary.</summary>
    public void WriteSummaries()
    {
        foreach (var ((_, eventId), held) in _events)
        {
            int count = held.Throttle.TakeHeldBack();
            if (count > 0)
                held.Logger.Log(held.Level, eventId, $"{count} more like it held back in the last {_interval.TotalSeconds:0.###}s", null, static (s, _) => s);
        }
    }

    public void SetScopeProvider(IExternalScopeProvider scopeProvider) => (_inner as ISupportExternalScope)?.SetScopeProvider(scopeProvider);

    public void Dispose()
    {
        _summaries?.Dispose();
        WriteSummaries();
        _inner.Dispose();
    }

    /// <summary>Puts the console provider that AddSimpleConsole registered behind a throttle.</summary>
    public static void WrapConsole(IServiceCollection services, TimeSpan interval)
    {
        var console = services.Single(d => d.ServiceType == typeof(ILoggerProvider) && d.ImplementationType == typeof(ConsoleLoggerProvider));
        services.Remove(console);
        services.AddSingleton<ILoggerProvider>(provider => new ThrottlingLoggerProvider(
            new ConsoleLoggerProvider(provider.GetRequiredService<IOptionsMonitor<ConsoleLoggerOptions>>(), provider.GetServices<ConsoleFormatter>()),
            interval));
    }

    private ThrottledEvent Event(string category, EventId eventId, ILogger logger, LogLevel level)
    {
        var held = _events.GetOrAdd((category, eventId.Id), _ => new ThrottledEvent(logger, new LogThrottle(_interval, _clock)));
        held.Level = level;
        return held;
    }

    private sealed class ThrottledEvent(ILogger logger, LogThrottle throttle)
    {
        public ILogger Logger { get; } = logger;
        public LogThrottle Throttle { get; } = throttle;
        public LogLevel Level { get; set; }
    }

    private sealed class ThrottledLogger(ILogger inner, string category, ThrottlingLoggerProvider provider) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => inner.BeginScope(state);

        public bool IsEnabled(LogLevel logLevel) => inner.IsEnabled(logLevel);

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (!inner.IsEnabled(logLevel) || !provider.Event(category, eventId, inner, logLevel).Throttle.TryPass(out int heldBack))
                return;
            if (heldBack == 0)
                inner.Log(logLevel, eventId, state, exception, formatter);
            else
                inner.Log(logLevel, eventId, state, exception, (s, e) => $"{formatter(s, e)} ({heldBack} more like it held back before it)");
        }
    }
}
