using Microsoft.Extensions.Logging;

namespace RekorPosix.Log;

/// <summary>Log lines of the log engine, source-generated with stable event IDs.</summary>
internal static partial class LogEvents
{
    [LoggerMessage(EventId = 100, Level = LogLevel.Information, Message = "Opened log at size {TreeSize}")]
    public static partial void Opened(ILogger logger, long treeSize);

    [LoggerMessage(EventId = 101, Level = LogLevel.Information, Message = "Published checkpoint at size {TreeSize}")]
    public static partial void Published(ILogger logger, long treeSize);

    [LoggerMessage(EventId = 102, Level = LogLevel.Warning, Message = "Checkpoint publication failed; retrying")]
    public static partial void PublishFailed(ILogger logger, Exception error);

    [LoggerMessage(EventId = 103, Level = LogLevel.Warning, Message = "Sequencing a batch of {Count} entries failed")]
    public static partial void SequencingFailed(ILogger logger, int count, Exception error);

    [LoggerMessage(EventId = 109, Level = LogLevel.Warning, Message = "Integration failed; retrying")]
    public static partial void IntegrationFailed(ILogger logger, Exception error);

    [LoggerMessage(EventId = 104, Level = LogLevel.Warning, Message = "Garbage collection of partial tiles failed")]
    public static partial void GcFailed(ILogger logger, Exception error);

    [LoggerMessage(EventId = 105, Level = LogLevel.Debug, Message = "Integrated; tree size now {TreeSize}")]
    public static partial void Integrated(ILogger logger, long treeSize);

    [LoggerMessage(EventId = 106, Level = LogLevel.Information, Message = "Log shut down at size {TreeSize}")]
    public static partial void ShutDown(ILogger logger, long treeSize);

    [LoggerMessage(EventId = 108, Level = LogLevel.Warning, Message = "The log was frozen at size {TreeSize} by another process: no more entries or checkpoints from this one; serve it with --read-only")]
    public static partial void FrozenElsewhere(ILogger logger, long treeSize);

    [LoggerMessage(EventId = 110, Level = LogLevel.Error, Message = "No final checkpoint at shutdown (integrated size {TreeSize}); what was integrated since the last checkpoint is published at the next start")]
    public static partial void FinalPublicationFailed(ILogger logger, long treeSize, Exception error);

    [LoggerMessage(EventId = 107, Level = LogLevel.Error, Message = "Inclusion proof for index {Index} against the checkpoint at size {TreeSize} did not verify")]
    public static partial void ProofFailed(ILogger logger, long index, long treeSize);

    // Apart from 107: a tile that cannot be read (a disk error, a bucket down) is not a tree that
    // disagrees with its checkpoint, and the operator's first step differs.
    [LoggerMessage(EventId = 112, Level = LogLevel.Error, Message = "Cannot build the inclusion proof for index {Index} against the checkpoint at size {TreeSize} from the log's tiles")]
    public static partial void ProofNotBuilt(ILogger logger, long index, long treeSize, Exception error);

    [LoggerMessage(EventId = 111, Level = LogLevel.Error, Message = "Consistency proof from size {FirstSize} to the checkpoint at size {TreeSize} did not verify")]
    public static partial void ConsistencyProofFailed(ILogger logger, long firstSize, long treeSize);

    [LoggerMessage(EventId = 113, Level = LogLevel.Error, Message = "Cannot build the consistency proof from size {FirstSize} to the checkpoint at size {TreeSize} from the log's tiles")]
    public static partial void ConsistencyProofNotBuilt(ILogger logger, long firstSize, long treeSize, Exception error);
}
