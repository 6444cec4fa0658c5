using System.Text;
using RekorPosix.Signing.Witnessing;
using Xunit;

namespace RekorPosix.Tests.Signing.Witnessing;

public sealed class AddCheckpointRequestTests
{
    private static readonly byte[] Note = Encoding.UTF8.GetBytes("o\n3\nAAAA\n\n\u2014 o AAAAAQ==\n");

    [Fact]
    public void Format_IsOldSizeProofLinesBlankLineThenTheNote()
    {
        byte[] hash = Enumerable.Range(0, 32).Select(i => (byte)i).ToArray();
        var request = new AddCheckpointRequest(2, [hash, hash], Note);

        string expected = "old 2\n" + Convert.ToBase64String(hash) + "\n" + Convert.ToBase64String(hash) + "\n\n" + Encoding.UTF8.GetString(Note);
        Assert.Equal(expected, Encoding.UTF8.GetString(request.Format()));
    }

    [Fact]
    public void Parse_ReadsWhatFormatWrote()
    {
        byte[] hash = new byte[32];
        hash[31] = 7;
        var parsed = AddCheckpointRequest.Parse(new AddCheckpointRequest(12345, [hash], Note).Format());

        Assert.Equal(12345, parsed.OldSize);
        Assert.Equal(hash, Assert.Single(parsed.Proof));
        Assert.Equal(Note, parsed.Checkpoint);
    }

    [Fact]
    public void Parse_TakesOldZeroWithNoProof()
    {
        var parsed = AddCheckpointRequest.Parse([.. "old 0\n\n"u8, .. Note]);

        Assert.Equal(0, parsed.OldSize);
        Assert.Empty(parsed.Proof);
        Assert.Equal(Note, parsed.Checkpoint);
    }

    [Theory]
    [InlineData("", "old <size>")]
    [InlineData("new 1\n\n", "old <size>")]
    [InlineData("old -1\n\n", "not a decimal")]
    [InlineData("old 01\n\n", "not a decimal")]
    [InlineData("old +1\n\n", "not a decimal")]
    [InlineData("old 99999999999999999999\n\n", "not a decimal")]
    [InlineData("old 1\nAAAA\n\n", "proof line 1")]
    [InlineData("old 1\nAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\nAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA AAAA=\n\n", "proof line 2")]
    [InlineData("old 1\n", "no empty line")]
    [InlineData("old 1\tx\n\n", "printable ASCII")]
    public void Parse_RefusesMalformedBodies(string body, string expected)
    {
        var e = Assert.Throws<FormatException>(() => AddCheckpointRequest.Parse(Encoding.UTF8.GetBytes(body)));
        Assert.Contains(expected, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_RefusesMoreThan63ProofLines()
    {
        string line = Convert.ToBase64String(new byte[32]) + "\n";
        byte[] body = Encoding.ASCII.GetBytes("old 1\n" + string.Concat(Enumerable.Repeat(line, 64)) + "\n");

        Assert.Contains("more than 63", Assert.Throws<FormatException>(() => AddCheckpointRequest.Parse(body)).Message, StringComparison.Ordinal);
        Assert.Equal(63, AddCheckpointRequest.Parse(Encoding.ASCII.GetBytes("old 1\n" + string.Concat(Enumerable.Repeat(line, 63)) + "\n")).Proof.Count);
    }

    [Theory]
    [InlineData("5\n", 5L)]
    [InlineData("0\n", 0L)]
    [InlineData("17", 17L)]
    [InlineData("", null)]
    [InlineData("05\n", null)]
    [InlineData("five\n", null)]
    [InlineData("5\n\n", null)]
    public void ParseSize_ReadsAConflictBody(string body, long? expected)
    {
        Assert.Equal(expected, AddCheckpointRequest.ParseSize(body));
    }
}
