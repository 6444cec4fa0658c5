using Microsoft.Extensions.Logging;

namespace RekorPosix.Log.Antispam;

/// <summary>Log lines of the antispam layer, source-generated with stable event IDs (500–519; the follower's and the index file's are in Log/Following and Log/Posix/Sqlite).</summary>
internal static partial class AntispamEvents
{
    [LoggerMessage(EventId = 504, Level = LogLevel.Warning, Message = "Antispam index lookup failed; the entry is treated as new")]
    public static partial void LookupFailed(ILogger logger, Exception error);

    [LoggerMessage(EventId = 507, Level = LogLevel.Error, Message = "Persistent antispam index is unavailable; duplicates are caught in memory only until a restart")]
    public static partial void PersistentUnavailable(ILogger logger, Exception error);
}
