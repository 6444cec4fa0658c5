namespace RekorPosix.Tiles;

/// <summary>A tile to store: its address (full, or partial at the new width) and its complete
/// content (which may live in a <see cref="BundleSpace"/> reused by the next batch but one).</summary>
public readonly record struct TileWrite(TileAddress Address, ReadOnlyMemory<byte> Data);
