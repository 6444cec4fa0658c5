using RekorPosix.Tiles;

namespace RekorPosix.Log;

/// <summary>Read access to a log's storage, the way tessera's LogReader gives it.</summary>
public interface ILogReader
{
    /// <summary>The published checkpoint note as stored (log signature and any cosignatures), or null before the first publication.</summary>
    byte[]? ReadCheckpoint();

    /// <summary>A hash tile at exactly <c>address.Width</c> hashes; a partial may be cut from its full tile.</summary>
    ReadOnlyMemory<byte> ReadTile(TileAddress address);

    /// <summary>An entry bundle holding exactly <c>address.Width</c> entries.</summary>
    ReadOnlyMemory<byte> ReadEntryBundle(TileAddress address);

    /// <summary>The size of the integrated tree. It may be ahead of the published checkpoint and
    /// must never stand in for reading the checkpoint when something is promised to a client.</summary>
    long IntegratedSize { get; }
}
