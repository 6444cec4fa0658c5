using Microsoft.Extensions.Logging;

namespace RekorPosix.Log.Witnessing;

internal static partial class WitnessEvents
{
    [LoggerMessage(EventId = 700, Level = LogLevel.Warning, Message = "Witness {Url} did not cosign: {Outcome} after {Milliseconds:F0} ms")]
    public static partial void RequestFailed(ILogger logger, string url, string outcome, double milliseconds);

    [LoggerMessage(EventId = 701, Level = LogLevel.Warning,
        Message = "Publishing checkpoint {TreeSize} without the witness quorum (failing open): {Cosigned} of {Witnesses} witnesses cosigned")]
    public static partial void FailedOpen(ILogger logger, long treeSize, int cosigned, int witnesses);

    [LoggerMessage(EventId = 702, Level = LogLevel.Warning, Message = "The witnesses' last sizes could not be read; each learns it again from a 409")]
    public static partial void SizesUnreadable(ILogger logger, Exception error);

    [LoggerMessage(EventId = 703, Level = LogLevel.Warning, Message = "The witnesses' last sizes could not be saved")]
    public static partial void SizesNotSaved(ILogger logger, Exception error);
}
