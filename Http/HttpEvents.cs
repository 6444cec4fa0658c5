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

    [LoggerMessage(EventId = 204, Level = LogLevel.Warning, Message = "Rejected entry: {Detail}")]
    public static partial void InvalidEntry(ILogger logger, string detail);

    [LoggerMessage(EventId = 205, Level = LogLevel.Warning, Message = "Rejected entry: canonical body of {Length} bytes exceeds the 65535-byte leaf limit")]
    public static partial void EntryTooLarge(ILogger logger, int length);

    [LoggerMessage(EventId = 206, Level = LogLevel.Error, Message = "Failed to integrate entry")]
    public static partial void IntegrationFailed(ILogger logger, Exception error);

    [LoggerMessage(EventId = 207, Level = LogLevel.Warning, Message = "Rejected request: {Message}")]
    public static partial void BadRequest(ILogger logger, string message);

    [LoggerMessage(EventId = 208, Level = LogLevel.Information, Message = "Serving gRPC on {Address}:{Port}")]
    public static partial void ListeningGrpc(ILogger logger, string address, int port);

    [LoggerMessage(EventId = 209, Level = LogLevel.Warning, Message = "Read-only mode: the log is frozen, writes are answered 405 and no checkpoint is published")]
    public static partial void ReadOnly(ILogger logger);

    [LoggerMessage(EventId = 210, Level = LogLevel.Debug, Message = "Request payload: {Payload}")]
    public static partial void RequestPayload(ILogger logger, string payload);

    [LoggerMessage(EventId = 211, Level = LogLevel.Debug, Message = "Response payload: {Payload}")]
    public static partial void ResponsePayload(ILogger logger, string payload);
}
