using System.Globalization;
using RekorPosix.Log.Cloud;
using RekorPosix.Tests.Support;
using RekorPosix.Tiles;

namespace RekorPosix.Tests.Log.Cloud;

/// <summary>
/// Seq.v blobs against the ones Go's encoding/gob wrote (tests/testdata/cloud, spec cloud-flavours.md §3.3).
/// </summary>
public class SequencedBatchTests
{
    private static byte[] Blob(string name) => File.ReadAllBytes(TestData.PathOf(Path.Combine("cloud", name)));

    private static readonly byte[] HiBundle = [0x00, 0x02, (byte)'h', (byte)'i'];

    private static SequencedEntry[] HiBatch() => [new(HiBundle, Enumerable.Repeat((byte)0xaa, 32).ToArray())];

    /// <summary>The four-entry batch as seq-4-entries.txt describes it, its leaf hashes checked against the file.</summary>
    private static SequencedEntry[] FourEntryBatch()
    {
        var entries = new List<SequencedEntry>();
        foreach (string line in File.ReadAllLines(TestData.PathOf("cloud/seq-4-entries.txt")))
        {
            if (line.StartsWith('#') || line.Length == 0)
                continue;
            string[] fields = line.Split(' ');
            int index = int.Parse(fields[0], CultureInfo.InvariantCulture);
            int length = int.Parse(fields[1], CultureInfo.InvariantCulture);
            Assert.Equal(entries.Count, index);
            byte[] entry = Enumerable.Repeat((byte)('a' + index), length).ToArray();
            byte[] leafHash = Rfc6962.LeafHash(entry);
            Assert.Equal(fields[2], Convert.ToHexStringLower(leafHash));
            entries.Add(new SequencedEntry(EntryBundle.Encode([entry]), leafHash));
        }
        Assert.Equal([2, 1, 300, 65535], entries.Select(e => e.BundleData.Length - 2));
        return [.. entries];
    }

    private static void AssertSameEntries(IReadOnlyList<SequencedEntry> expected, IReadOnlyList<SequencedEntry> actual)
    {
        Assert.Equal(expected.Count, actual.Count);
        for (int i = 0; i < expected.Count; i++)
        {
            Assert.True(expected[i].BundleData.Span.SequenceEqual(actual[i].BundleData.Span), $"BundleData of entry {i}");
            Assert.True(expected[i].LeafHash.Span.SequenceEqual(actual[i].LeafHash.Span), $"LeafHash of entry {i}");
        }
    }

    [Fact]
    public void Encode_WorkedExample_IsGosBytes()
    {
        byte[] blob = SequencedBatch.Encode(HiBatch());
        Assert.Equal(117, blob.Length);
        Assert.Equal(Blob("seq-example-hi.gob"), blob);
    }

    [Fact]
    public void Encode_FourEntries_IsGosBytes()
    {
        Assert.Equal(Blob("seq-4-entries.gob"), SequencedBatch.Encode(FourEntryBatch()));
    }

    [Fact]
    public void Encode_EmptyBatch_IsGosBytes()
    {
        byte[] blob = SequencedBatch.Encode([]);
        Assert.Equal(Blob("seq-empty.gob"), blob);
        Assert.Equal("04ff840000", Convert.ToHexStringLower(blob.AsSpan(SequencedBatch.TypeDefinitionsLength)));
    }

    [Fact]
    public void Decode_WorkedExample()
    {
        AssertSameEntries(HiBatch(), SequencedBatch.Decode(Blob("seq-example-hi.gob")));
    }

    [Fact]
    public void Decode_EmptyBatch()
    {
        Assert.Empty(SequencedBatch.Decode(Blob("seq-empty.gob")));
    }

    [Theory]
    [InlineData("seq-4-entries.gob")]
    [InlineData("seq-4-entries-shifted-type-ids.gob")]
    public void Decode_FourEntries_WhateverTheTypeIds(string name)
    {
        SequencedEntry[] decoded = SequencedBatch.Decode(Blob(name));
        AssertSameEntries(FourEntryBatch(), decoded);
        // Re-encoded by a fresh writer, the shifted blob becomes the one with the usual ids.
        Assert.Equal(Blob("seq-4-entries.gob"), SequencedBatch.Encode(decoded));
    }

    [Fact]
    public void Decode_GivesViewsOfTheBlob_NotCopies()
    {
        byte[] blob = Blob("seq-example-hi.gob");
        SequencedEntry entry = Assert.Single(SequencedBatch.Decode(blob));
        blob[^2] = 0x55;
        Assert.Equal(0x55, entry.LeafHash.Span[^1]);
    }

    [Fact]
    public void RandomBatches_RoundTrip()
    {
        var random = new Random(3_3_2026);
        for (int round = 0; round < 200; round++)
        {
            int count = round == 0 ? 0 : random.Next(round < 150 ? 20 : 300);
            var entries = new SequencedEntry[count];
            for (int i = 0; i < count; i++)
            {
                int size = random.Next(10) switch
                {
                    0 => 0,
                    1 => random.Next(60_000, 65_538),
                    2 => random.Next(120, 300),
                    _ => random.Next(2, 127),
                };
                var bundleData = new byte[size];
                random.NextBytes(bundleData);
                var leafHash = new byte[random.Next(12) == 0 ? 0 : 32];
                random.NextBytes(leafHash);
                entries[i] = new SequencedEntry(bundleData, leafHash);
            }
            byte[] blob = SequencedBatch.Encode(entries);
            Assert.True(blob.AsSpan(0, SequencedBatch.TypeDefinitionsLength).SequenceEqual(Blob("seq-empty.gob").AsSpan(0, SequencedBatch.TypeDefinitionsLength)));
            AssertSameEntries(entries, SequencedBatch.Decode(blob));
        }
    }

    // A value message of type 66 after the usual definitions: its length is computed, the body given.
    private static byte[] WithValue(params byte[] body) => WithMessage([0xff, 0x84, .. body]);

    private static byte[] WithMessage(byte[] message)
    {
        byte[] definitions = Blob("seq-empty.gob")[..SequencedBatch.TypeDefinitionsLength];
        var length = new byte[GobPrimitives.MaxIntSize];
        int n = GobPrimitives.WriteUint(length, (ulong)message.Length);
        return [.. definitions, .. length.AsSpan(0, n), .. message];
    }

    private static readonly byte[] ThirtyTwoAa = Enumerable.Repeat((byte)0xaa, 32).ToArray();

    [Fact]
    public void AbsentFields_AreEmpty_AndTheWriterLeavesEmptyFieldsOut()
    {
        // LeafHash only: delta 2 goes straight to field 1.
        byte[] leafOnly = WithValue([0x00, 0x01, 0x02, 0x20, .. ThirtyTwoAa, 0x00]);
        SequencedEntry entry = Assert.Single(SequencedBatch.Decode(leafOnly));
        Assert.True(entry.BundleData.IsEmpty);
        Assert.Equal(ThirtyTwoAa, entry.LeafHash.ToArray());
        Assert.Equal(leafOnly, SequencedBatch.Encode([new(ReadOnlyMemory<byte>.Empty, ThirtyTwoAa)]));

        // Neither field: the struct is just its end byte.
        byte[] none = WithValue(0x00, 0x02, 0x00, 0x01, 0x04, 0x00, 0x02, 0x68, 0x69, 0x00);
        SequencedEntry[] two = SequencedBatch.Decode(none);
        Assert.True(two[0].BundleData.IsEmpty && two[0].LeafHash.IsEmpty);
        Assert.Equal(HiBundle, two[1].BundleData.ToArray());
        Assert.True(two[1].LeafHash.IsEmpty);
        Assert.Equal(none, SequencedBatch.Encode([default, new(HiBundle, ReadOnlyMemory<byte>.Empty)]));
    }

    public static TheoryData<string, byte[], string> MalformedBlobs()
    {
        byte[] hi = Blob("seq-example-hi.gob");
        byte[] definitions = hi[..SequencedBatch.TypeDefinitionsLength];
        var data = new TheoryData<string, byte[], string>
        {
            { "empty input", [], "empty input" },
            { "definitions only", definitions, "no value message" },
            { "trailing byte", [.. hi, 0x00], "trailing" },
            { "second value message", [.. hi, .. hi[71..]], "trailing" },
            { "truncated by one", hi[..^1], "runs past the end of the input" },
            { "truncated in the length", [.. definitions, 0xfe, 0x01], "ends inside" },
            { "message of length 0", [.. definitions, 0x00], "length 0" },
            { "integer count byte out of range", [.. definitions, 0x80], "out of range" },
            { "message of 1 GiB", [.. definitions, 0xfc, 0x40, 0x00, 0x00, 0x00], "1 GiB" },
            { "value of an undefined type", WithMessage([0xff, 0x86, 0x00, 0x00]), "did not define" },
            { "value with no definitions", hi[71..], "did not define" },
            { "type id 0", WithMessage([0x00, 0x00, 0x00]), "type id 0" },
            { "type defined twice", [.. hi[..14], .. hi[..14], .. hi[14..]], "defined twice" },
            { "non-zero singleton delta", WithValue(0x01, 0x00), "field delta 0" },
            { "count beyond the message", WithValue(0x00, 0x05, 0x00, 0x00), "cannot fit" },
            { "huge count", WithValue(0x00, 0xf8, 0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff), "cannot fit" },
            { "field number 2", WithValue(0x00, 0x01, 0x03, 0x01, 0x61, 0x00), "field delta 3" },
            { "field after LeafHash", WithValue(0x00, 0x01, 0x02, 0x01, 0x61, 0x01, 0x01, 0x62, 0x00), "field delta 1 after field 1" },
            { "huge field delta", WithValue(0x00, 0x01, 0xf8, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x00), "field delta" },
            { "length beyond the message", WithValue(0x00, 0x01, 0x01, 0x05, 0x00, 0x02, 0x68, 0x69), "runs past the end of the message" },
            { "huge length", WithValue(0x00, 0x01, 0x01, 0xf8, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff), "runs past the end of the message" },
            { "struct not ended", WithValue(0x00, 0x01, 0x01, 0x01, 0x61), "data ends" },
            { "bytes after the value in its message", WithValue(0x00, 0x00, 0x00), "after the value" },
        };
        byte[] definitionsPlenty = [];
        for (int i = 0; i < 9; i++)
            definitionsPlenty = [.. definitionsPlenty, 0x03, (byte)(0xff), (byte)(0x81 + 2 * i), 0x00];
        data.Add("too many definitions", [.. definitionsPlenty, .. hi[71..]], "type definitions");
        return data;
    }

    [Theory]
    [MemberData(nameof(MalformedBlobs))]
    public void Malformed_IsFormatException_NamingOffsetAndProblem(string what, byte[] blob, string problem)
    {
        var error = Assert.Throws<FormatException>(() => SequencedBatch.Decode(blob));
        Assert.Contains("offset ", error.Message);
        Assert.True(error.Message.Contains(problem, StringComparison.Ordinal), $"{what}: '{error.Message}' does not say '{problem}'");
    }

    [Fact]
    public void Malformed_OffsetIsWhereTheProblemIs()
    {
        byte[] blob = [.. Blob("seq-example-hi.gob"), 0x07, 0x07];
        Assert.Contains("offset 117: 2 trailing bytes", Assert.Throws<FormatException>(() => SequencedBatch.Decode(blob)).Message);
        byte[] badField = WithValue(0x00, 0x01, 0x03);
        // definitions (71), length (1), type id (2), delta 0, count: the field delta is at 76.
        Assert.Contains("offset 76:", Assert.Throws<FormatException>(() => SequencedBatch.Decode(badField)).Message);
    }

    /// <summary>Decodes, and fails the test on anything but success or a FormatException.</summary>
    private static void DecodeOrFormatException(byte[] blob, string what)
    {
        try
        {
            SequencedBatch.Decode(blob);
        }
        catch (FormatException)
        {
        }
        catch (Exception other)
        {
            Assert.Fail($"{what}: {other.GetType().Name}: {other.Message}");
        }
    }

    [Fact]
    public void Fuzz_EveryTruncation_IsRejected()
    {
        foreach (string name in new[] { "seq-example-hi.gob", "seq-empty.gob", "seq-4-entries.gob", "seq-4-entries-shifted-type-ids.gob" })
        {
            byte[] blob = Blob(name);
            for (int length = 0; length < blob.Length; length++)
            {
                byte[] truncated = blob[..length];
                Assert.Throws<FormatException>(() => SequencedBatch.Decode(truncated));
            }
        }
    }

    [Fact]
    public void Fuzz_SingleByteMutations_DecodeOrFormatException()
    {
        foreach (string name in new[] { "seq-example-hi.gob", "seq-empty.gob" })
        {
            byte[] blob = Blob(name);
            for (int position = 0; position < blob.Length; position++)
            {
                for (int value = 0; value < 256; value++)
                {
                    byte[] mutated = (byte[])blob.Clone();
                    mutated[position] = (byte)value;
                    DecodeOrFormatException(mutated, $"{name}[{position}]={value:x2}");
                }
            }
        }
        var random = new Random(4_4_2026);
        byte[] large = Blob("seq-4-entries-shifted-type-ids.gob");
        byte[] interesting = [0x00, 0x01, 0x02, 0x03, 0x7f, 0x80, 0xf7, 0xf8, 0xfc, 0xfd, 0xfe, 0xff];
        for (int i = 0; i < 3000; i++)
        {
            // Mostly the framing (definitions, lengths, first fields), sometimes anywhere.
            int position = i < 2000 ? random.Next(200) : random.Next(large.Length);
            byte value = random.Next(2) == 0 ? interesting[random.Next(interesting.Length)] : (byte)random.Next(256);
            byte original = large[position];
            large[position] = value;
            DecodeOrFormatException(large, $"4-entries[{position}]={value:x2}");
            large[position] = original;
        }
    }

    [Fact]
    public void Fuzz_MutatedThenTruncatedOrExtended_DecodeOrFormatException()
    {
        var random = new Random(5_5_2026);
        byte[] hi = Blob("seq-example-hi.gob");
        for (int i = 0; i < 5000; i++)
        {
            var mutated = new List<byte>(hi);
            for (int k = random.Next(1, 4); k > 0; k--)
            {
                switch (random.Next(4))
                {
                    case 0: mutated[random.Next(mutated.Count)] = (byte)random.Next(256); break;
                    case 1: mutated.RemoveAt(random.Next(mutated.Count)); break;
                    case 2: mutated.Insert(random.Next(mutated.Count + 1), (byte)random.Next(256)); break;
                    default: mutated.RemoveRange(random.Next(mutated.Count / 2), random.Next(1, 8)); break;
                }
                if (mutated.Count == 0)
                    break;
            }
            DecodeOrFormatException([.. mutated], $"round {i}");
        }
    }
}
