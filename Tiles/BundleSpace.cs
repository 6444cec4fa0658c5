using System.Numerics;
using System.Runtime.InteropServices;

namespace RekorPosix.Tiles;

/// <summary>
/// Reusable memory for the entry bundles of one batch after another. A partial bundle grows to
/// hundreds of KiB, and allocating each batch's bundles afresh put that much on the large-object
/// heap many times a second, which made nearly every collection a gen2. Two buffers are used in
/// turn, and the one holding the memory the caller keeps (the committed partial bundle, which the
/// next batch copies as its prefix) is never handed out, whether the last batch committed or not.
/// A batch needing more than <see cref="MaxKept"/> bytes gets an array of its own, so one burst of
/// large entries does not hold its size for the life of the process.
/// </summary>
public sealed class BundleSpace
{
    /// <summary>A batch of 1,024 entries of 4 KiB fits; fulcio-style entries take under 2 KiB.</summary>
    public const int MaxKept = 4 << 20;

    private readonly byte[][] _buffers = [[], []];
    private int _next;

    /// <summary>Bytes held for reuse.</summary>
    public long Capacity => _buffers[0].LongLength + _buffers[1].LongLength;

    /// <summary>
    /// <paramref name="length"/> bytes that do not overlap <paramref name="keep"/>. What an earlier
    /// call returned stays valid only as long as it is the memory passed as keep.
    /// </summary>
    public Memory<byte> Take(int length, ReadOnlyMemory<byte> keep)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        int slot = HolderOf(keep) is { } held ? 1 - held : _next;
        _next = 1 - slot;
        if (length > MaxKept)
            return new byte[length];
        if (_buffers[slot].Length < length)
            _buffers[slot] = new byte[Math.Min(MaxKept, (int)BitOperations.RoundUpToPowerOf2((uint)length))];
        return _buffers[slot].AsMemory(0, length);
    }

    private int? HolderOf(ReadOnlyMemory<byte> memory)
    {
        if (memory.IsEmpty || !MemoryMarshal.TryGetArray(memory, out var segment))
            return null;
        for (int slot = 0; slot < _buffers.Length; slot++)
        {
            if (ReferenceEquals(segment.Array, _buffers[slot]))
                return slot;
        }
        return null;
    }
}
