using Microsoft.Extensions.Logging;

namespace RekorPosix.Log.Gcp.Spanner;

/// <summary>Log lines of the Spanner client (event IDs 900-).</summary>
internal static partial class SpannerEvents
{
    [LoggerMessage(EventId = 900, Level = LogLevel.Warning,
        Message = "Spanner DeleteSession at shutdown: {Failed} of {Count} sessions of {Database} not deleted (Spanner drops them after an hour idle): {Reason}")]
    public static partial void SessionsNotDeleted(ILogger logger, int failed, int count, string database, string reason);
}
