using System.Buffers.Binary;
using System.Security.Cryptography;

namespace RekorPosix.Log.Antispam;

/// <summary>An entry's identity, SHA-256 of its bytes, held as four words so that it is a cheap
/// dictionary key (no array, no allocation).</summary>
internal readonly struct IdentityKey : IEquatable<IdentityKey>
{
    public const int Size = SHA256.HashSizeInBytes;

    private readonly ulong _w0, _w1, _w2, _w3;

    public IdentityKey(ReadOnlySpan<byte> identity)
    {
        if (identity.Length != Size)
            throw new ArgumentException($"an identity is {Size} bytes (SHA-256), not {identity.Length}", nameof(identity));
        _w0 = BinaryPrimitives.ReadUInt64LittleEndian(identity);
        _w1 = BinaryPrimitives.ReadUInt64LittleEndian(identity[8..]);
        _w2 = BinaryPrimitives.ReadUInt64LittleEndian(identity[16..]);
        _w3 = BinaryPrimitives.ReadUInt64LittleEndian(identity[24..]);
    }

    /// <summary>The identity of an entry, as tessera defines it: SHA-256 of the entry bytes.</summary>
    public static IdentityKey Of(ReadOnlySpan<byte> entry)
    {
        Span<byte> hash = stackalloc byte[Size];
        SHA256.HashData(entry, hash);
        return new IdentityKey(hash);
    }

    public bool Equals(IdentityKey other) =>
        _w0 == other._w0 && _w1 == other._w1 && _w2 == other._w2 && _w3 == other._w3;

    public override bool Equals(object? obj) => obj is IdentityKey other && Equals(other);

    // Seeded per process: entries are chosen by clients, so no fixed hash they could aim at.
    public override int GetHashCode() => HashCode.Combine(_w0, _w1, _w2, _w3);

    public static bool operator ==(IdentityKey left, IdentityKey right) => left.Equals(right);

    public static bool operator !=(IdentityKey left, IdentityKey right) => !left.Equals(right);
}
