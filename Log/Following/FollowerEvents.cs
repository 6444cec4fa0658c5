using Microsoft.Extensions.Logging;

namespace RekorPosix.Log.Following;

/// <summary>Log lines of every follower, with the antispam layer's event IDs (it had the first
/// follower) and the follower's name in front.</summary>
internal static partial class FollowerEvents
{
    [LoggerMessage(EventId = 502, Level = LogLevel.Warning, Message = "{Name} follower cannot index the log from {NextIndex}; retrying every {RetrySeconds} s")]
    public static partial void FollowFailed(ILogger logger, string name, long nextIndex, double retrySeconds, Exception error);

    [LoggerMessage(EventId = 503, Level = LogLevel.Information, Message = "{Name} follower is indexing again at {NextIndex}")]
    public static partial void FollowResumed(ILogger logger, string name, long nextIndex);

    [LoggerMessage(EventId = 505, Level = LogLevel.Debug, Message = "{Name} index covers the log up to {NextIndex}")]
    public static partial void Indexed(ILogger logger, string name, long nextIndex);

    [LoggerMessage(EventId = 506, Level = LogLevel.Warning, Message = "{Name} follower stopped {Lag} entries behind the log; they are indexed on the next start")]
    public static partial void StoppedBehind(ILogger logger, string name, long lag);
}
