namespace RekorPosix.Tiles;

/// <summary>A <see cref="ProofBuilder"/> made without a reader needed a tile it was not given:
/// read <see cref="Address"/>, <see cref="ProofBuilder.Supply"/> it, and compute again.</summary>
public sealed class TileNotSuppliedException(TileAddress address)
    : InvalidOperationException($"{address.ToPath()} was not supplied to the proof builder")
{
    public TileAddress Address { get; } = address;
}
