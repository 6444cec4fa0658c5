using System.Buffers.Binary;
using System.Text;
using RekorPosix.Tiles;

namespace RekorPosix.Signing.Witnessing;

/// <summary>
/// The ML-DSA-44 cosignature of https://c2sp.org/tlog-cosignature: a note signature whose bytes are
/// an 8-byte big-endian timestamp followed by a 2420-byte ML-DSA-44 signature (FIPS 204, pure, empty
/// context) over a binary <c>cosigned_message</c>. Unlike cosignature/v1 it binds the cosigner's
/// name, and covers only origin, size and root: extension lines are not signed.
/// </summary>
public static class SubtreeCosignature
{
    public const int TimestampSize = 8;

    public const int PublicKeySize = 1312;

    public const int SignatureSize = TimestampSize + 2420;

    /// <summary>The 12-byte domain separation label, "subtree/v1\n\0".</summary>
    public static ReadOnlySpan<byte> Label => "subtree/v1\n\0"u8;

    /// <summary>
    /// The <c>cosigned_message</c> for a whole checkpoint (start 0, end its size), or null when a
    /// name or the origin is not 1 to 255 bytes of UTF-8 and so cannot be encoded.
    /// </summary>
    public static byte[]? Message(string cosignerName, ulong timestamp, Checkpoint checkpoint)
    {
        byte[] name = Encoding.UTF8.GetBytes(cosignerName);
        byte[] origin = Encoding.UTF8.GetBytes(checkpoint.Origin);
        if (name.Length is < 1 or > 255 || origin.Length is < 1 or > 255)
            return null;
        var message = new byte[Label.Length + 1 + name.Length + 8 + 1 + origin.Length + 8 + 8 + Rfc6962.HashSize];
        var writer = new SpanWriter(message);
        writer.Write(Label);
        writer.WriteOpaque8(name);
        writer.WriteUInt64(timestamp);
        writer.WriteOpaque8(origin);
        writer.WriteUInt64(0);
        writer.WriteUInt64((ulong)checkpoint.Size);
        writer.Write(checkpoint.RootHash);
        return message;
    }

    /// <summary>The timestamp a cosignature carries, or null when it is not one (wrong length).</summary>
    public static ulong? TimestampOf(ReadOnlySpan<byte> signature) =>
        signature.Length == SignatureSize ? BinaryPrimitives.ReadUInt64BigEndian(signature) : null;

    /// <summary>RFC 8446 §3 serialisation into a buffer sized beforehand.</summary>
    private ref struct SpanWriter(Span<byte> buffer)
    {
        private readonly Span<byte> _buffer = buffer;
        private int _at;

        public void Write(ReadOnlySpan<byte> bytes)
        {
            bytes.CopyTo(_buffer[_at..]);
            _at += bytes.Length;
        }

        public void WriteOpaque8(ReadOnlySpan<byte> bytes)
        {
            _buffer[_at++] = (byte)bytes.Length;
            Write(bytes);
        }

        public void WriteUInt64(ulong value)
        {
            BinaryPrimitives.WriteUInt64BigEndian(_buffer[_at..], value);
            _at += 8;
        }
    }
}
