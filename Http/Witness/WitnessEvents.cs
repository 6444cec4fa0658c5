using Microsoft.Extensions.Logging;

namespace RekorPosix.Http.Witness;

/// <summary>Log lines of the <c>witness</c> command, source-generated with stable event IDs.</summary>
internal static partial class WitnessEvents
{
    [LoggerMessage(EventId = 700, Level = LogLevel.Information, Message = "Generated a new Ed25519 witness key at {Path}")]
    public static partial void GeneratedKey(ILogger logger, string path);

    [LoggerMessage(EventId = 701, Level = LogLevel.Information, Message = "Witness {Name}, cosignature verifier key {VerifierKey}")]
    public static partial void Identity(ILogger logger, string name, string verifierKey);

    [LoggerMessage(EventId = 702, Level = LogLevel.Information, Message = "Witnessing {Count} logs ({Origins}); state in {StateDir}")]
    public static partial void Witnessing(ILogger logger, int count, string origins, string stateDir);

    [LoggerMessage(EventId = 703, Level = LogLevel.Information, Message = "Serving tlog-witness on {Address}")]
    public static partial void Listening(ILogger logger, string address);

    [LoggerMessage(EventId = 704, Level = LogLevel.Debug, Message = "Cosigned {Origin} at size {Size}")]
    public static partial void Cosigned(ILogger logger, string origin, long size);

    /// <summary>Refusals that are part of the protocol or a client's mistake: 400, 404, 409 with the size, 413.</summary>
    [LoggerMessage(EventId = 705, Level = LogLevel.Information, Message = "Refused checkpoint of {Origin}: {Status} {Reason} ({HeldBack} more since the last such line)")]
    public static partial void Refused(ILogger logger, string origin, int status, string reason, int heldBack);

    /// <summary>Refusals a correct log never causes: a bad signature (403), a bad proof (422), a fork (409).</summary>
    [LoggerMessage(EventId = 706, Level = LogLevel.Warning, Message = "Refused checkpoint of {Origin}: {Status} {Reason} ({HeldBack} more since the last such line)")]
    public static partial void RefusedSuspicious(ILogger logger, string origin, int status, string reason, int heldBack);

    [LoggerMessage(EventId = 707, Level = LogLevel.Error, Message = "Cannot keep the witness state, nothing cosigned: {Reason} ({HeldBack} more since the last such line)")]
    public static partial void StateFailed(ILogger logger, string reason, int heldBack);
}
