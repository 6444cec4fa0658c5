namespace RekorPosix.Tiles;

/// <summary>A tile to store: its address (full, or partial at the new width) and its complete content.</summary>
public readonly record struct TileWrite(TileAddress Address, byte[] Data);
