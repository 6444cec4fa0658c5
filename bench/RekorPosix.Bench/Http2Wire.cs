using System.Buffers.Binary;
using System.Text;

namespace RekorPosix.Bench;

/// <summary>HTTP/2 frames and HPACK blocks written by hand (RFC 9113, RFC 7541), for the shapes of
/// the known HTTP/2 attacks; no Huffman coding, which a server must accept either way.</summary>
public static class Http2Wire
{
    public const byte Data = 0, Headers = 1, RstStream = 3, Settings = 4, Ping = 6, GoAway = 7, WindowUpdate = 8, Continuation = 9;
    public const byte EndStream = 0x1, EndHeaders = 0x4, Ack = 0x1;
    public static readonly byte[] Preface = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"u8.ToArray();

    public static byte[] Frame(byte type, byte flags, int stream, ReadOnlySpan<byte> payload)
    {
        var frame = new byte[9 + payload.Length];
        frame[0] = (byte)(payload.Length >> 16);
        frame[1] = (byte)(payload.Length >> 8);
        frame[2] = (byte)payload.Length;
        frame[3] = type;
        frame[4] = flags;
        BinaryPrimitives.WriteInt32BigEndian(frame.AsSpan(5), stream);
        payload.CopyTo(frame.AsSpan(9));
        return frame;
    }

    public static byte[] RstCancel(int stream)
    {
        var code = new byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(code, 8); // CANCEL
        return Frame(RstStream, 0, stream, code);
    }

    /// <summary>The request pseudo-headers of a gRPC POST, with :method and :scheme from the static table.</summary>
    public static List<byte> GrpcRequestBlock(string path)
    {
        var block = new List<byte> { 0x83, 0x86 }; // :method POST, :scheme http
        LiteralIndexedName(block, 4, path); // :path
        LiteralIndexedName(block, 1, "localhost"); // :authority
        LiteralIndexedName(block, 31, "application/grpc"); // content-type
        LiteralNewName(block, "te", "trailers");
        return block;
    }

    /// <summary>A literal without indexing whose name is static-table entry <paramref name="index"/>.</summary>
    public static void LiteralIndexedName(List<byte> block, int index, string value)
    {
        Integer(block, 0x00, 4, index);
        String(block, value);
    }

    public static void LiteralNewName(List<byte> block, string name, string value, bool addToTable = false)
    {
        block.Add(addToTable ? (byte)0x40 : (byte)0x00);
        String(block, name);
        String(block, value);
    }

    private static void String(List<byte> block, string value)
    {
        Integer(block, 0x00, 7, value.Length);
        block.AddRange(Encoding.ASCII.GetBytes(value));
    }

    /// <summary>An HPACK integer with an N-bit prefix (RFC 7541 5.1).</summary>
    public static void Integer(List<byte> block, byte flags, int prefixBits, int value)
    {
        int max = (1 << prefixBits) - 1;
        if (value < max)
        {
            block.Add((byte)(flags | value));
            return;
        }
        block.Add((byte)(flags | max));
        value -= max;
        while (value >= 128)
        {
            block.Add((byte)(value % 128 + 128));
            value /= 128;
        }
        block.Add((byte)value);
    }
}
