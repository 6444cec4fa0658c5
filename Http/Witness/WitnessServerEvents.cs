using Microsoft.Extensions.Logging;

namespace RekorPosix.Http.Witness;

/// <summary>Log lines of the <c>witness</c> command, source-generated with stable event IDs (710 on;
/// 700 on are the log's side of witnessing, Log/Witnessing/WitnessEvents).</summary>
internal static partial class WitnessServerEvents
{
    [LoggerMessage(EventId = 710, Level = LogLevel.Information, Message = "Generated a new Ed25519 witness key at {Path}")]
    public static partial void GeneratedKey(ILogger logger, string path);

    [LoggerMessage(EventId = 711, Level = LogLevel.Information, Message = "Witness {Name}, cosignature verifier key {VerifierKey}")]
    public static partial void Identity(ILogger logger, string name, string verifierKey);

    [LoggerMessage(EventId = 712, Level = LogLevel.Information, Message = "Witnessing {Count} logs ({Origins}); state in {StateDir}")]
    public static partial void Witnessing(ILogger logger, int count, string origins, string stateDir);

    [LoggerMessage(EventId = 713, Level = LogLevel.Information, Message = "Serving tlog-witness on {Address}")]
    public static partial void Listening(ILogger logger, string address);

    [LoggerMessage(EventId = 714, Level = LogLevel.Debug, Message = "Cosigned {Origin} at size {Size}")]
    public static partial void Cosigned(ILogger logger, string origin, long size);

    /// <summary>Refusals that are part of the protocol or a client's mistake: 400, 404, 409 with the size, 413.</summary>
    [LoggerMessage(EventId = 715, Level = LogLevel.Information, Message = "Refused checkpoint of {Origin}: {Status} {Reason} ({HeldBack} more since the last such line)")]
    public static partial void Refused(ILogger logger, string origin, int status, string reason, int heldBack);

    /// <summary>Refusals a correct log never causes: a bad signature (403), a bad proof (422), a fork (409).</summary>
    [LoggerMessage(EventId = 716, Level = LogLevel.Warning, Message = "Refused checkpoint of {Origin}: {Status} {Reason} ({HeldBack} more since the last such line)")]
    public static partial void RefusedSuspicious(ILogger logger, string origin, int status, string reason, int heldBack);

    [LoggerMessage(EventId = 717, Level = LogLevel.Error, Message = "Cannot keep the witness state, nothing cosigned: {Reason} ({HeldBack} more since the last such line)")]
    public static partial void StateFailed(ILogger logger, string reason, int heldBack);
}
