using Microsoft.Extensions.Logging;

namespace RekorPosix.Log.Following;

/// <summary>Log lines of the followed indexes themselves, with the antispam index's event IDs (it was the first).</summary>
internal static partial class IndexEvents
{
    [LoggerMessage(EventId = 500, Level = LogLevel.Information, Message = "Opened {Name} index {Path}; entries below {NextIndex} are indexed")]
    public static partial void Opened(ILogger logger, string name, string path, long nextIndex);

    [LoggerMessage(EventId = 501, Level = LogLevel.Warning, Message = "The {Name} index {Path} cannot be used ({Reason}); moved it to {Aside} and rebuilding it from the log")]
    public static partial void Rebuilding(ILogger logger, string name, string path, string reason, string aside);
}
