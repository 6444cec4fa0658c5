using RekorPosix.Tiles;

namespace RekorPosix.Log.Witnessing;

/// <summary>
/// Consistency proofs to one tree size, built from the log's own tiles: the witnesses of one
/// publication share it, so the tiles their proofs have in common are read once.
/// </summary>
internal sealed class TileConsistencyProofs(ILogReader reader, long treeSize)
{
    private readonly ProofBuilder _builder = new(treeSize);
    private readonly SemaphoreSlim _gate = new(1, 1);

    /// <summary>The proof from <paramref name="oldSize"/> (0 or the tree size: empty).</summary>
    public async Task<IReadOnlyList<byte[]>> FromAsync(long oldSize, CancellationToken cancel)
    {
        await _gate.WaitAsync(cancel).ConfigureAwait(false);
        try
        {
            while (true)
            {
                try
                {
                    return _builder.Consistency(oldSize);
                }
                catch (TileNotSuppliedException e)
                {
                    _builder.Supply(e.Address, await reader.ReadTileAsync(e.Address, cancel).ConfigureAwait(false));
                }
            }
        }
        finally
        {
            _gate.Release();
        }
    }
}
