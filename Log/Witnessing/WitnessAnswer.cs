namespace RekorPosix.Log.Witnessing;

/// <summary>
/// What one witness URL gave for one checkpoint: the cosignature lines that verified (each ending
/// in a newline) and the policy witnesses who made them, the outcome as a metric label ("ok", "conflict", "http_403", "timeout",
/// "unreachable", "bad_cosignature", …) and how long it took.
/// </summary>
public sealed record WitnessAnswer(Uri Url, IReadOnlyList<string> Lines, IReadOnlyList<Signing.Witnessing.PolicyWitness> Cosigned, string Outcome, TimeSpan Took)
{
    public bool Succeeded => Outcome == "ok";
}
