using RekorPosix.Log.Cloud;

namespace RekorPosix.Tests.Log.Cloud;

public class GobPrimitivesTests
{
    [Theory]
    [InlineData(0UL, "00")]
    [InlineData(1UL, "01")]
    [InlineData(127UL, "7f")]
    [InlineData(128UL, "ff80")]
    [InlineData(255UL, "ffff")]
    [InlineData(256UL, "fe0100")]
    [InlineData(300UL, "fe012c")]
    [InlineData(65537UL, "fd010001")]
    [InlineData(0x0101d3UL, "fd0101d3")]
    [InlineData(ulong.MaxValue, "f8ffffffffffffffff")]
    public void Uint_EncodesAsGo(ulong value, string hex)
    {
        var buffer = new byte[GobPrimitives.MaxIntSize];
        int written = GobPrimitives.WriteUint(buffer, value);
        Assert.Equal(hex, Convert.ToHexStringLower(buffer.AsSpan(0, written)));
        Assert.Equal(written, GobPrimitives.UintSize(value));
        int offset = 0;
        Assert.Equal(value, GobPrimitives.ReadUint(buffer.AsSpan(0, written), ref offset));
        Assert.Equal(written, offset);
    }

    [Theory]
    [InlineData(0L, "00")]
    [InlineData(1L, "02")]
    [InlineData(-1L, "01")]
    [InlineData(66L, "ff84")]
    [InlineData(-66L, "ff83")]
    [InlineData(-65L, "ff81")]
    [InlineData(65L, "ff82")]
    [InlineData(long.MaxValue, "f8fffffffffffffffe")]
    [InlineData(long.MinValue, "f8ffffffffffffffff")]
    public void Int_EncodesAsGo(long value, string hex)
    {
        var buffer = new byte[GobPrimitives.MaxIntSize];
        int written = GobPrimitives.WriteInt(buffer, value);
        Assert.Equal(hex, Convert.ToHexStringLower(buffer.AsSpan(0, written)));
        Assert.Equal(written, GobPrimitives.IntSize(value));
        int offset = 0;
        Assert.Equal(value, GobPrimitives.ReadInt(buffer.AsSpan(0, written), ref offset));
    }

    [Fact]
    public void RandomValues_RoundTrip()
    {
        var random = new Random(20260101);
        var buffer = new byte[GobPrimitives.MaxIntSize];
        for (int i = 0; i < 10_000; i++)
        {
            ulong u = (ulong)random.NextInt64() >> random.Next(64);
            int offset = 0;
            GobPrimitives.WriteUint(buffer, u);
            Assert.Equal(u, GobPrimitives.ReadUint(buffer, ref offset));
            long s = random.Next(2) == 0 ? (long)u : -(long)u;
            offset = 0;
            GobPrimitives.WriteInt(buffer, s);
            Assert.Equal(s, GobPrimitives.ReadInt(buffer, ref offset));
        }
    }

    [Fact]
    public void LongerThanNeeded_IsAccepted_AsGoDoes()
    {
        int offset = 0;
        Assert.Equal(5UL, GobPrimitives.ReadUint([0xfe, 0x00, 0x05], ref offset));
        Assert.Equal(3, offset);
    }

    [Theory]
    [InlineData("", 0, "ends")]
    [InlineData("80", 0, "out of range")]
    [InlineData("f7", 0, "out of range")]
    [InlineData("ff", 0, "ends inside")]
    [InlineData("0001fd0102", 2, "ends inside")]
    public void Malformed_IsFormatException_NamingTheOffset(string hex, int at, string problem)
    {
        byte[] input = Convert.FromHexString(hex);
        int offset = at;
        var error = Assert.Throws<FormatException>(() => GobPrimitives.ReadUint(input, ref offset));
        Assert.Contains($"offset {at}", error.Message);
        Assert.Contains(problem, error.Message);
        Assert.Equal(at, offset);
    }

    [Fact]
    public void Write_IntoTooSmallBuffer_IsArgumentException()
    {
        Assert.Throws<ArgumentException>(() => GobPrimitives.WriteUint(new byte[2], 300));
    }
}
