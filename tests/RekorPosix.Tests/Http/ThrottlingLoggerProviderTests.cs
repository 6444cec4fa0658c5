using Microsoft.Extensions.Logging;
using RekorPosix.Http;
using RekorPosix.Tests.Support;

namespace RekorPosix.Tests.Http;

public class ThrottlingLoggerProviderTests
{
    private const string Http2 = "Microsoft.AspNetCore.Server.Kestrel.Http2";

    /// <summary>A clock that moves only when told.</summary>
    private sealed class ManualClock : TimeProvider
    {
        public long Ticks { get; set; }
        public override long TimestampFrequency => TimeSpan.TicksPerSecond;
        public override long GetTimestamp() => Ticks;
    }

    /// <summary>Keeps every line its loggers write, with category and event.</summary>
    private sealed class CapturingProvider : ILoggerProvider
    {
        public List<(string Category, int EventId, LogLevel Level, string Message)> Lines { get; } = [];

        public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

        public void Dispose()
        {
        }

        private sealed class Logger(CapturingProvider provider, string category) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;
            public bool IsEnabled(LogLevel logLevel) => true;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
            {
                lock (provider.Lines)
                    provider.Lines.Add((category, eventId.Id, logLevel, formatter(state, exception)));
            }
        }
    }

    private static (ThrottlingLoggerProvider Provider, CapturingProvider Inner, ManualClock Clock) Create()
    {
        var inner = new CapturingProvider();
        var clock = new ManualClock();
        return (new ThrottlingLoggerProvider(inner, TimeSpan.FromSeconds(10), clock, summaryTimer: false), inner, clock);
    }

    [Fact]
    public void KestrelEvents_PassOncePerInterval_ThenOneSummarySaysHowManyWereHeldBack()
    {
        var (provider, inner, clock) = Create();
        var logger = provider.CreateLogger(Http2);
        for (int i = 0; i < 1000; i++)
            logger.Log(LogLevel.Critical, new EventId(60), $"Connection id \"{i}\" exceeded the output operations maximum", null, (s, _) => s);
        Assert.Single(inner.Lines);
        Assert.Equal("Connection id \"0\" exceeded the output operations maximum", inner.Lines[0].Message);

        provider.WriteSummaries();
        Assert.Equal(2, inner.Lines.Count);
        Assert.Equal((Http2, 60, LogLevel.Critical), (inner.Lines[1].Category, inner.Lines[1].EventId, inner.Lines[1].Level));
        Assert.Equal("999 more like it held back in the last 10s", inner.Lines[1].Message);
        provider.WriteSummaries();
        Assert.Equal(2, inner.Lines.Count);

        clock.Ticks += TimeSpan.FromSeconds(10).Ticks;
        logger.Log(LogLevel.Critical, new EventId(60), "again", null, (s, _) => s);
        Assert.Equal("again", inner.Lines[^1].Message);
    }

    [Fact]
    public void CreateLogger_ThrottlesEachKestrelEventApart_AndNoOtherCategory()
    {
        var (provider, inner, _) = Create();
        var http2 = provider.CreateLogger(Http2);
        var kestrel = provider.CreateLogger("Microsoft.AspNetCore.Server.Kestrel");
        var ours = provider.CreateLogger("RekorPosix.Api");
        for (int i = 0; i < 100; i++)
        {
            http2.Log(LogLevel.Critical, new EventId(60), "reset", null, (s, _) => s);
            kestrel.Log(LogLevel.Critical, new EventId(23), "never completed", null, (s, _) => s);
            ours.Log(LogLevel.Warning, new EventId(207), "rejected", null, (s, _) => s);
        }
        Assert.Single(inner.Lines, l => l.EventId == 60);
        Assert.Single(inner.Lines, l => l.EventId == 23);
        Assert.Equal(100, inner.Lines.Count(l => l.EventId == 207));
    }

    /// <summary>
    /// HTTP/2 rapid reset on the gRPC port (streams opened and reset at once, a thousand per
    /// connection): each Kestrel event it causes is logged at most once per interval plus one
    /// summary. Before, every connection wrote dozens of crit lines ("exceeded the output
    /// operations maximum") and "application never completed" lines.
    /// </summary>
    [Fact]
    public async Task RapidResetOnTheGrpcPort_LogsEachKestrelEventOncePerIntervalPlusASummary()
    {
        using var dir = new TempDir();
        await using var server = await ServerProcess.StartAsync(dir.Path);
        var attacking = System.Diagnostics.Stopwatch.StartNew();
        for (int i = 0; i < 8; i++)
        {
            using var connection = RawHttp2Connection.Open(server.GrpcPort);
            if (connection.OpenAndResetStreams(RawGrpcCall.CreateEntryPath, 1000))
                await connection.WaitUntilHandledAsync();
        }
        Assert.True((await server.Http.GetAsync("/healthz")).IsSuccessStatusCode);
        var lines = await server.StopAsync();
        LogLines.AssertShortWithoutStackTraces(lines);
        // A line and a summary per 10 s interval; the attack's duration only widens the bound on a slow machine.
        int allowed = 2 * (1 + (int)(attacking.Elapsed.TotalSeconds / 10));
        var kestrelLines = lines.Where(l => l.Contains(ThrottlingLoggerProvider.ThrottledPrefix, StringComparison.Ordinal)).ToList();
        Assert.True(kestrelLines.Count > 0, "the attack caused no Kestrel line at all: this test no longer tests anything");
        foreach (var kestrelEvent in kestrelLines.GroupBy(l => l[..(l.IndexOf(']') + 1)]))
            Assert.True(kestrelEvent.Count() <= allowed, $"{kestrelEvent.Count()} lines of {kestrelEvent.Key}, such as {kestrelEvent.First()}");
    }
}
