using Microsoft.Extensions.Logging;

namespace RekorPosix.Http;

/// <summary>Log lines of the server front end, source-generated with stable event IDs.</summary>
internal static partial class HttpEvents
{
    [LoggerMessage(EventId = 200, Level = LogLevel.Information, Message = "Generated a new Ed25519 signer key at {Path}")]
    public static partial void GeneratedKey(ILogger logger, string path);

    [LoggerMessage(EventId = 201, Level = LogLevel.Information, Message = "Log origin {Origin}, log ID {LogId}, verifier key {VerifierKey}")]
    public static partial void LogIdentity(ILogger logger, string origin, string logId, string verifierKey);

    [LoggerMessage(EventId = 202, Level = LogLevel.Information, Message = "Loaded signing key; public key (base64 DER SPKI) {PublicKey}")]
    public static partial void PublicKey(ILogger logger, string publicKey);

    [LoggerMessage(EventId = 203, Level = LogLevel.Information, Message = "Serving HTTP on {Address}:{Port}")]
    public static partial void Listening(ILogger logger, string address, int port);

    [LoggerMessage(EventId = 204, Level = LogLevel.Warning, Message = "Rejected entry: {Detail} ({HeldBack} more since the last such line)")]
    public static partial void InvalidEntry(ILogger logger, string detail, int heldBack);

    [LoggerMessage(EventId = 205, Level = LogLevel.Warning, Message = "Rejected entry: canonical body of {Length} bytes exceeds the 65535-byte leaf limit ({HeldBack} more since the last such line)")]
    public static partial void EntryTooLarge(ILogger logger, int length, int heldBack);

    [LoggerMessage(EventId = 206, Level = LogLevel.Error, Message = "Failed to integrate entry")]
    public static partial void IntegrationFailed(ILogger logger, Exception error);

    [LoggerMessage(EventId = 207, Level = LogLevel.Warning, Message = "Rejected request: {Message} ({HeldBack} more since the last such line)")]
    public static partial void BadRequest(ILogger logger, string message, int heldBack);

    [LoggerMessage(EventId = 208, Level = LogLevel.Information, Message = "Serving gRPC on {Address}:{Port}")]
    public static partial void ListeningGrpc(ILogger logger, string address, int port);

    [LoggerMessage(EventId = 209, Level = LogLevel.Warning, Message = "Read-only mode: the log is frozen, writes are answered 405 and no checkpoint is published")]
    public static partial void ReadOnly(ILogger logger);

    [LoggerMessage(EventId = 210, Level = LogLevel.Information, Message = "Serving tiles on {Address}:{Port} ({Workers} workers, at most {MaxConnections} connections)")]
    public static partial void ListeningTiles(ILogger logger, string address, int port, int workers, int maxConnections);

    [LoggerMessage(EventId = 211, Level = LogLevel.Error, Message = "{Path} is {Size} bytes, too short for its width: not served")]
    public static partial void TileDamaged(ILogger logger, string path, long size);

    [LoggerMessage(EventId = 212, Level = LogLevel.Error, Message = "Cannot open {Path}: errno {Errno}")]
    public static partial void TileOpenFailed(ILogger logger, string path, int errno);

    [LoggerMessage(EventId = 213, Level = LogLevel.Warning, Message = "Tile listener: {Operation} failed with errno {Errno}")]
    public static partial void TileSocketError(ILogger logger, string operation, int errno);

    [LoggerMessage(EventId = 214, Level = LogLevel.Critical, Message = "Tile listener worker stopped")]
    public static partial void TileWorkerCrashed(ILogger logger, Exception error);

    [LoggerMessage(EventId = 215, Level = LogLevel.Debug, Message = "Request payload: {Payload}")]
    public static partial void RequestPayload(ILogger logger, string payload);

    [LoggerMessage(EventId = 216, Level = LogLevel.Debug, Message = "Response payload: {Payload}")]
    public static partial void ResponsePayload(ILogger logger, string payload);

    [LoggerMessage(EventId = 217, Level = LogLevel.Warning, Message = "Rejected request body: {Reason} ({HeldBack} more since the last such line)")]
    public static partial void MalformedBody(ILogger logger, string reason, int heldBack);

    [LoggerMessage(EventId = 218, Level = LogLevel.Warning, Message = "Rejected gRPC call to {Method}: {Detail} ({HeldBack} more since the last such line)")]
    public static partial void MalformedGrpcMessage(ILogger logger, string method, string detail, int heldBack);

    [LoggerMessage(EventId = 219, Level = LogLevel.Error, Message = "gRPC call to {Method} failed before its handler ran")]
    public static partial void GrpcCallFailed(ILogger logger, string method, Exception error);

    [LoggerMessage(EventId = 220, Level = LogLevel.Error, Message = "The final checkpoint did not come within --tlog-timeout ({Timeout}); what was integrated since the last checkpoint is published at the next start")]
    public static partial void ShutdownTimedOut(ILogger logger, TimeSpan timeout);

    [LoggerMessage(EventId = 221, Level = LogLevel.Error, Message = "Cannot read {Path} from the log's storage: {Reason} ({HeldBack} more since the last such line)")]
    public static partial void StoredReadFailed(ILogger logger, string path, string reason, int heldBack);

    [LoggerMessage(EventId = 222, Level = LogLevel.Information,
        Message = "Checkpoints are witnessed: {Witnesses} witness URL(s) {Urls}, quorum {Quorum}, timeout {Timeout}, {Mode}")]
    public static partial void Witnessing(ILogger logger, int witnesses, string urls, string quorum, string timeout, string mode);

    [LoggerMessage(EventId = 223, Level = LogLevel.Information,
        Message = "Memory: {GcMode} GC, {Available} MiB available to the heap (the host's memory, cgroup limit or GCHeapHardLimit), tile cache at most {TileCache} MiB, at most {Queue} entries waiting for integration, writes in progress {PendingLimit}, connections {ConnectionLimit}")]
    public static partial void MemorySettings(ILogger logger, string gcMode, long available, long tileCache, int queue, string pendingLimit, string connectionLimit);

    [LoggerMessage(EventId = 224, Level = LogLevel.Error,
        Message = "Dedup named index {Index} for a duplicate, but the log holds another entry there: answered 409 with that index; the dedup index may be damaged (fsck, or delete it to rebuild)")]
    public static partial void DuplicateIndexMismatch(ILogger logger, long index);
}
