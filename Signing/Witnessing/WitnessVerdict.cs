namespace RekorPosix.Signing.Witnessing;

/// <summary>
/// What a witness answers an add-checkpoint request (https://c2sp.org/tlog-witness): the status the
/// spec gives the condition, why, and for a 409 about sizes the witness's own size (the body of a
/// <see cref="AddCheckpointRequest.SizeContentType"/> answer).
/// </summary>
public sealed record WitnessVerdict(int Status, string Reason, long? WitnessSize = null)
{
    public static WitnessVerdict Cosign { get; } = new(200, "cosigned");

    public bool Cosigns => Status == 200;

    public static WitnessVerdict BadRequest(string reason) => new(400, reason);

    public static WitnessVerdict Forbidden(string reason) => new(403, reason);

    public static WitnessVerdict UnknownLog(string origin) => new(404, $"unknown log \"{origin}\"");

    /// <summary>The old size is not the witness's: the client should retry from <paramref name="size"/>.</summary>
    public static WitnessVerdict SizeMismatch(long size) => new(409, $"the witness is at size {size}", size);

    /// <summary>A different root at the size the witness holds: v1.0.0's 409, without the size type.</summary>
    public static WitnessVerdict Fork(long size) => new(409, $"the root at size {size} differs from the one cosigned");

    public static WitnessVerdict Unprocessable(string reason) => new(422, reason);
}
