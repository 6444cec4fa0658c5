using Microsoft.Extensions.Logging;

namespace RekorPosix.Log.Antispam;

/// <summary>Log lines of the antispam layer, source-generated with stable event IDs (500–519).</summary>
internal static partial class AntispamEvents
{
    [LoggerMessage(EventId = 500, Level = LogLevel.Information, Message = "Opened antispam index {Path}; entries below {NextIndex} are indexed")]
    public static partial void Opened(ILogger logger, string path, long nextIndex);

    [LoggerMessage(EventId = 501, Level = LogLevel.Warning, Message = "Antispam index {Path} cannot be used ({Reason}); moved it to {Aside} and rebuilding it from the log")]
    public static partial void Rebuilding(ILogger logger, string path, string reason, string aside);

    [LoggerMessage(EventId = 502, Level = LogLevel.Warning, Message = "Antispam follower cannot index the log from {NextIndex}; retrying every {RetrySeconds} s")]
    public static partial void FollowFailed(ILogger logger, long nextIndex, double retrySeconds, Exception error);

    [LoggerMessage(EventId = 503, Level = LogLevel.Information, Message = "Antispam follower is indexing again at {NextIndex}")]
    public static partial void FollowResumed(ILogger logger, long nextIndex);

    [LoggerMessage(EventId = 504, Level = LogLevel.Warning, Message = "Antispam index lookup failed; the entry is treated as new")]
    public static partial void LookupFailed(ILogger logger, Exception error);

    [LoggerMessage(EventId = 505, Level = LogLevel.Debug, Message = "Antispam index covers the log up to {NextIndex}")]
    public static partial void Indexed(ILogger logger, long nextIndex);

    [LoggerMessage(EventId = 506, Level = LogLevel.Warning, Message = "Antispam follower stopped {Lag} entries behind the log; they are indexed on the next start")]
    public static partial void StoppedBehind(ILogger logger, long lag);

    [LoggerMessage(EventId = 507, Level = LogLevel.Error, Message = "Persistent antispam index is unavailable; duplicates are caught in memory only until a restart")]
    public static partial void PersistentUnavailable(ILogger logger, Exception error);
}
