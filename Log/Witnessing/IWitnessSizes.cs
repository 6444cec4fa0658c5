namespace RekorPosix.Log.Witnessing;

/// <summary>
/// Where a log keeps the size each witness last cosigned (keyed by the witness's submission URL),
/// so that a restarted server sends the right <c>old</c> size at once instead of learning it from a
/// 409. A hint only: a wrong or lost size costs one more round trip, never a wrong cosignature.
/// </summary>
public interface IWitnessSizes
{
    Task<IReadOnlyDictionary<string, long>> LoadAsync(CancellationToken cancel);

    /// <summary>Replaces what is stored with <paramref name="sizes"/>.</summary>
    Task SaveAsync(IReadOnlyDictionary<string, long> sizes, CancellationToken cancel);
}
