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
}
