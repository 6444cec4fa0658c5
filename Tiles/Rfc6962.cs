using System.Buffers;
using System.Numerics;
using System.Security.Cryptography;

namespace RekorPosix.Tiles;

/// <summary>RFC 6962 / RFC 9162 Merkle tree hashing with SHA-256.</summary>
public static class Rfc6962
{
    public const int HashSize = 32;

    private const byte LeafPrefix = 0x00;
    private const byte NodePrefix = 0x01;

    // Entries up to this size are prefixed on the stack; larger ones borrow a pooled buffer.
    private const int StackLimit = 1024;

    private static readonly byte[] s_emptyRoot = SHA256.HashData(ReadOnlySpan<byte>.Empty);

    // One reusable digest context per thread: a log hashes ~25 short inputs per entry it writes
    // (leaf, tiles, root, the proof it checks), and SHA256.HashData sets up a fresh context each
    // call (530 ns for 65 bytes here against 370 ns reused).
    [ThreadStatic]
    private static IncrementalHash? t_sha256;

    /// <summary>Root of the empty tree, SHA-256(""). A fresh copy each call, so callers cannot corrupt it.</summary>
    public static byte[] EmptyRoot => (byte[])s_emptyRoot.Clone();

    internal static ReadOnlySpan<byte> EmptyRootSpan => s_emptyRoot;

    public static byte[] LeafHash(ReadOnlySpan<byte> entry)
    {
        var hash = new byte[HashSize];
        LeafHash(entry, hash);
        return hash;
    }

    public static void LeafHash(ReadOnlySpan<byte> entry, Span<byte> destination)
    {
        CheckDestination(destination);
        int length = entry.Length + 1;
        byte[]? rented = null;
        Span<byte> buffer = length <= StackLimit
            ? stackalloc byte[StackLimit]
            : (rented = ArrayPool<byte>.Shared.Rent(length));
        try
        {
            buffer[0] = LeafPrefix;
            entry.CopyTo(buffer[1..]);
            Sha256(buffer[..length], destination);
        }
        finally
        {
            if (rented is not null)
                ArrayPool<byte>.Shared.Return(rented);
        }
    }

    public static byte[] NodeHash(ReadOnlySpan<byte> left, ReadOnlySpan<byte> right)
    {
        var hash = new byte[HashSize];
        NodeHash(left, right, hash);
        return hash;
    }

    /// <summary>
    /// SHA-256(0x01 ‖ left ‖ right). The inputs are copied before hashing, so the destination may
    /// overlap either input (the tree builders reduce hash arrays in place).
    /// </summary>
    public static void NodeHash(ReadOnlySpan<byte> left, ReadOnlySpan<byte> right, Span<byte> destination)
    {
        CheckHash(left, nameof(left));
        CheckHash(right, nameof(right));
        CheckDestination(destination);
        Span<byte> buffer = stackalloc byte[1 + 2 * HashSize];
        buffer[0] = NodePrefix;
        left.CopyTo(buffer[1..]);
        right.CopyTo(buffer[(1 + HashSize)..]);
        Sha256(buffer, destination);
    }

    /// <summary>
    /// MTH of 2^k concatenated hashes (1 ≤ 2^k ≤ 256): a perfect subtree, so pairwise reduction
    /// is exactly RFC 6962's split at the largest power of two.
    /// </summary>
    internal static void PerfectSubtreeHash(ReadOnlySpan<byte> hashes, Span<byte> destination)
    {
        int count = hashes.Length / HashSize;
        if (hashes.Length % HashSize != 0 || count is < 1 or > 256 || !BitOperations.IsPow2(count))
            throw new ArgumentException("Expected 2^k concatenated hashes, 1 ≤ 2^k ≤ 256.", nameof(hashes));
        CheckDestination(destination);
        if (count == 1)
        {
            hashes.CopyTo(destination);
            return;
        }

        // First pass reads the input, later passes shrink the scratch buffer in place.
        Span<byte> scratch = stackalloc byte[128 * HashSize];
        int half = count / 2;
        for (int i = 0; i < half; i++)
            NodeHash(hashes.Slice(2 * i * HashSize, HashSize), hashes.Slice((2 * i + 1) * HashSize, HashSize),
                scratch.Slice(i * HashSize, HashSize));
        for (int n = half; n > 1; n /= 2)
        {
            for (int i = 0; i < n / 2; i++)
                NodeHash(scratch.Slice(2 * i * HashSize, HashSize), scratch.Slice((2 * i + 1) * HashSize, HashSize),
                    scratch.Slice(i * HashSize, HashSize));
        }
        scratch[..HashSize].CopyTo(destination);
    }

    private static void Sha256(ReadOnlySpan<byte> data, Span<byte> destination)
    {
        var sha256 = t_sha256 ??= IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        sha256.AppendData(data);
        sha256.GetHashAndReset(destination);
    }

    private static void CheckHash(ReadOnlySpan<byte> hash, string name)
    {
        if (hash.Length != HashSize)
            throw new ArgumentException($"A hash must be {HashSize} bytes, got {hash.Length}.", name);
    }

    private static void CheckDestination(Span<byte> destination)
    {
        if (destination.Length < HashSize)
            throw new ArgumentException($"Destination must hold {HashSize} bytes.", nameof(destination));
    }
}
