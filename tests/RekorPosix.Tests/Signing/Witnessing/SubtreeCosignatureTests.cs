using System.Security.Cryptography;
using RekorPosix.Signing.Witnessing;
using RekorPosix.Tiles;

namespace RekorPosix.Tests.Signing.Witnessing;

public class SubtreeCosignatureTests
{
    private static readonly byte[] Root = SHA256.HashData("root"u8);

    [Fact]
    public void Message_IsTheCosignedMessageStruct_ByteForByte()
    {
        var checkpoint = new Checkpoint("log.example", 0x0102, Root, ["extension lines are not signed"]);

        byte[]? message = SubtreeCosignature.Message("w.example", 0x1122334455667788, checkpoint);

        // https://c2sp.org/tlog-cosignature: label, name<1..255>, timestamp, origin<1..255>, start, end, hash.
        byte[] expected =
        [
            .. "subtree/v1\n\0"u8, 9, .. "w.example"u8,
            0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88,
            11, .. "log.example"u8,
            0, 0, 0, 0, 0, 0, 0, 0,
            0, 0, 0, 0, 0, 0, 0x01, 0x02,
            .. Root,
        ];
        Assert.Equal(expected, message);
        Assert.Equal(12, SubtreeCosignature.Label.Length);
    }

    [Theory]
    [InlineData(255, true)]
    [InlineData(256, false)]
    public void Message_ANameOrOriginOver255Bytes_CannotBeEncoded(int length, bool encodable)
    {
        string longName = new('n', length);
        var checkpoint = new Checkpoint(new string('o', length), 1, Root);

        Assert.Equal(encodable, SubtreeCosignature.Message(longName, 1, new Checkpoint("o", 1, Root)) is not null);
        Assert.Equal(encodable, SubtreeCosignature.Message("w", 1, checkpoint) is not null);
    }

    [Fact]
    public void TimestampOf_ReadsTheFirstEightBytes_OfASignatureOfTheRightLength()
    {
        byte[] signature = new byte[SubtreeCosignature.SignatureSize];
        signature[7] = 42;

        Assert.Equal(42UL, SubtreeCosignature.TimestampOf(signature));
        Assert.Null(SubtreeCosignature.TimestampOf(signature.AsSpan(1)));
        Assert.Null(SubtreeCosignature.TimestampOf([.. signature, 0]));
    }
}
