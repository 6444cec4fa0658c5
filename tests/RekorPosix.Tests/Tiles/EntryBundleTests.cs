using System.Buffers;
using System.Text;
using RekorPosix.Tiles;

namespace RekorPosix.Tests.Tiles;

public class EntryBundleTests
{
    private static ReadOnlyMemory<byte> Text(string s) => Encoding.ASCII.GetBytes(s);

    [Fact]
    public void EncodesLengthPrefixedRecords()
    {
        var bundle = EntryBundle.Encode([Text("one"), Text("two"), Text("three")]);
        Assert.Equal(Convert.FromHexString("00036f6e65000374776f00057468726565"), bundle);
    }

    [Fact]
    public void AppendWritesToBufferWriter()
    {
        var writer = new ArrayBufferWriter<byte>();
        EntryBundle.Append(writer, Encoding.ASCII.GetBytes("ab"));
        EntryBundle.Append(writer, []);
        Assert.Equal(new byte[] { 0, 2, (byte)'a', (byte)'b', 0, 0 }, writer.WrittenSpan.ToArray());
    }

    [Fact]
    public void EmptyEntryIsLegal()
    {
        var bundle = EntryBundle.Encode([Text("x"), ReadOnlyMemory<byte>.Empty, Text("y")]);
        var entries = EntryBundle.Parse(bundle);
        Assert.Equal(3, entries.Count);
        Assert.Equal(0, entries[1].Length);
        Assert.Equal(3, EntryBundle.Count(bundle));
    }

    [Fact]
    public void MaximumEntrySizeIsAccepted()
    {
        var big = new byte[EntryBundle.MaxEntrySize];
        new Random(1).NextBytes(big);
        var bundle = EntryBundle.Encode([big, Text("tail")]);
        Assert.Equal(2 + 65_535 + 2 + 4, bundle.Length);
        var entries = EntryBundle.Parse(bundle);
        Assert.Equal(big, entries[0].ToArray());
        Assert.Equal("tail", Encoding.ASCII.GetString(entries[1].Span));
    }

    [Fact]
    public void OversizedEntryIsRefused()
    {
        Assert.Throws<ArgumentException>(() => EntryBundle.Append(new ArrayBufferWriter<byte>(), new byte[65_536]));
        Assert.Throws<ArgumentException>(() => EntryBundle.Encode([new byte[65_536]]));
    }

    [Fact]
    public void MoreThan256EntriesAreRefused()
    {
        var entries = Enumerable.Repeat(Text("e"), 257).ToArray();
        Assert.Throws<ArgumentException>(() => EntryBundle.Encode(entries));
        var raw = Enumerable.Repeat(new byte[] { 0, 1, (byte)'e' }, 257).SelectMany(b => b).ToArray();
        Assert.Throws<FormatException>(() => EntryBundle.Parse(raw));
        Assert.Throws<FormatException>(() => EntryBundle.Count(raw));
        Assert.Equal(256, EntryBundle.Count(raw.AsSpan(0, 256 * 3)));
    }

    [Fact]
    public void ParseSlicesWithoutCopying()
    {
        var bundle = EntryBundle.Encode([Text("one"), Text("two")]);
        var entries = EntryBundle.Parse(bundle);
        bundle[7] = (byte)'T';
        Assert.Equal("one", Encoding.ASCII.GetString(entries[0].Span));
        Assert.Equal("Two", Encoding.ASCII.GetString(entries[1].Span));
    }

    [Theory]
    [InlineData("00")]             // half a length prefix
    [InlineData("0003")]           // length without data
    [InlineData("00036f6e")]       // truncated data
    [InlineData("00036f6e6500")]   // a trailing byte
    [InlineData("00036f6e650003")] // a trailing length
    [InlineData("ffff")]
    public void MalformedBundlesAreRefused(string hex)
    {
        var data = Convert.FromHexString(hex);
        Assert.Throws<FormatException>(() => EntryBundle.Parse(data));
        Assert.Throws<FormatException>(() => EntryBundle.Count(data));
        Assert.Throws<FormatException>(() => EntryBundle.Trim(data, 0));
    }

    [Fact]
    public void EmptyDataIsAnEmptyBundle()
    {
        Assert.Empty(EntryBundle.Parse(ReadOnlyMemory<byte>.Empty));
        Assert.Equal(0, EntryBundle.Count([]));
        Assert.Empty(EntryBundle.Encode([]));
    }

    [Fact]
    public void TrimKeepsExactlyTheFirstEntries()
    {
        var entries = Enumerable.Range(0, 256).Select(i => Text($"entry {i}")).ToArray();
        var full = EntryBundle.Encode(entries);
        for (int count = 0; count <= 256; count++)
        {
            var trimmed = EntryBundle.Trim(full, count);
            Assert.Equal(EntryBundle.Encode(entries.Take(count)), trimmed.ToArray());
        }
    }

    [Fact]
    public void TrimRefusesTooFewEntries()
    {
        var bundle = EntryBundle.Encode([Text("a"), Text("b")]);
        Assert.Throws<FormatException>(() => EntryBundle.Trim(bundle, 3));
        Assert.Throws<ArgumentOutOfRangeException>(() => EntryBundle.Trim(bundle, -1));
        Assert.Throws<ArgumentOutOfRangeException>(() => EntryBundle.Trim(bundle, 257));
    }

    [Fact]
    public void WriteFillsAnExactSizeBufferLikeEncode()
    {
        byte[][] entries = [[], [1, 2, 3], new byte[300]];
        int size = entries.Sum(e => EntryBundle.RecordSize(e.Length));
        byte[] bundle = new byte[size];
        int offset = 0;
        foreach (var entry in entries)
            offset += EntryBundle.Write(bundle.AsSpan(offset), entry);
        Assert.Equal(size, offset);
        Assert.Equal(EntryBundle.Encode(entries.Select(e => (ReadOnlyMemory<byte>)e)), bundle);
        Assert.Equal(2 + 2 + 3 + 2 + 300, size);
    }

    [Fact]
    public void RecordSizeAndWriteRefuseAnOversizedEntry()
    {
        Assert.Equal(2 + EntryBundle.MaxEntrySize, EntryBundle.RecordSize(EntryBundle.MaxEntrySize));
        Assert.Throws<ArgumentException>(() => EntryBundle.RecordSize(EntryBundle.MaxEntrySize + 1));
        Assert.Throws<ArgumentException>(() => EntryBundle.Write(new byte[70_000], new byte[EntryBundle.MaxEntrySize + 1]));
    }

    [Fact]
    public void WriteIntoATooSmallBufferThrowsAndDoesNotOverrun()
    {
        byte[] buffer = new byte[4];
        Assert.ThrowsAny<ArgumentException>(() => EntryBundle.Write(buffer, new byte[] { 1, 2, 3 }));
    }
}
