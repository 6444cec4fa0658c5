using System.Text;
using RekorPosix.Log.Entries;

namespace RekorPosix.Tests.Log.Entries;

public class ProtoJsonIntegerTests
{
    [Theory]
    [InlineData("0", 0)]
    [InlineData("-0", 0)]
    [InlineData("5", 5)]
    [InlineData("-5", -5)]
    [InlineData("5.0", 5)]
    [InlineData("5.000", 5)]
    [InlineData("0.5e1", 5)]
    [InlineData("0.5E+1", 5)]
    [InlineData("50e-1", 5)]
    [InlineData("500E-2", 5)]
    [InlineData("0.0", 0)]
    [InlineData("0e-5", 0)]
    [InlineData("1e9", 1000000000)]
    [InlineData("2147483647", int.MaxValue)]
    [InlineData("-2147483648", int.MinValue)]
    public void ParsesIntegers(string number, int expected)
    {
        Assert.True(ProtoJsonInteger.TryParseInt32(Encoding.ASCII.GetBytes(number), out var value));
        Assert.Equal(expected, value);
    }

    [Theory]
    [InlineData("5.5")]
    [InlineData("5e-1")]
    [InlineData("15e-1")]
    [InlineData("0.5")]
    [InlineData("2147483648")]
    [InlineData("-2147483649")]
    [InlineData("1e10")]
    [InlineData("1e99999999999")]
    [InlineData("1e21")]
    public void RefusesNonIntegersAndOverflow(string number)
    {
        Assert.False(ProtoJsonInteger.TryParseInt32(Encoding.ASCII.GetBytes(number), out _));
    }
}
