using System.Buffers.Binary;
using System.Globalization;
using System.Text;

namespace RekorPosix.Signing.Witnessing;

/// <summary>
/// The Ed25519 cosignature/v1 of https://c2sp.org/tlog-cosignature: a note signature whose bytes are
/// an 8-byte big-endian timestamp followed by an Ed25519 signature over
/// <c>"cosignature/v1\ntime &lt;seconds&gt;\n"</c> and the checkpoint text.
/// </summary>
public static class CosignatureV1
{
    public const int TimestampSize = 8;

    public const int SignatureSize = TimestampSize + 64;

    /// <summary>Timestamps above 2^63−1 are not valid (the spec keeps them signed-int safe).</summary>
    public const ulong MaxTimestamp = long.MaxValue;

    /// <summary>What the witness signs for <paramref name="checkpointText"/> at <paramref name="timestamp"/>.</summary>
    public static byte[] Message(ReadOnlySpan<byte> checkpointText, ulong timestamp)
    {
        byte[] header = Encoding.ASCII.GetBytes(
            "cosignature/v1\ntime " + timestamp.ToString(CultureInfo.InvariantCulture) + "\n");
        return [.. header, .. checkpointText];
    }

    /// <summary>The timestamp a cosignature carries, or null when it is not one (wrong length).</summary>
    public static ulong? TimestampOf(ReadOnlySpan<byte> signature) =>
        signature.Length == SignatureSize ? BinaryPrimitives.ReadUInt64BigEndian(signature) : null;
}
