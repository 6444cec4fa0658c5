using Microsoft.Extensions.Logging;

namespace RekorPosix.Log.Search;

/// <summary>Log lines of the search index, source-generated with stable event IDs (800–819).</summary>
internal static partial class SearchEvents
{
    [LoggerMessage(EventId = 800, Level = LogLevel.Warning, Message = "Search index: entry {Index} is not a hashedrekord or dsse v0.0.2 entry ({Reason}); only its leaf hash is indexed ({HeldBack} more such entries since the last line)")]
    public static partial void Unparseable(ILogger logger, long index, string reason, int heldBack);

    [LoggerMessage(EventId = 801, Level = LogLevel.Error, Message = "The search index is unavailable; the search route answers 404 until a restart")]
    public static partial void Unavailable(ILogger logger, Exception error);
}
