using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using RekorPosix.Log.Gcp.Spanner;
using RekorPosix.Protos.Spanner;
using RekorPosix.Tests.Support;
using static RekorPosix.Log.Gcp.Spanner.SpannerValues;

namespace RekorPosix.Tests.Log.Gcp.Spanner;

/// <summary>Reads and mutations on the emulator (spec gcp-spanner-flavour.md §6.5-§6.7): round
/// trips, the error codes of a commit, key-range order, and values large enough to be chunked.</summary>
public sealed class SpannerClientTests : IAsyncLifetime
{
    private EmulatorDatabase _database = null!;

    private SpannerClient Client => _database.Client;

    public async Task InitializeAsync() => _database = await EmulatorDatabase.CreateAsync();

    public async Task DisposeAsync() => await _database.DisposeAsync();

    private static KeySet Id(long id) => SpannerKeys.Of(SpannerKeys.Key(Int64(id)));

    private Task<IReadOnlyList<SpannerRow>> ReadCounterAsync(long id) => Client.ReadAsync("Counter", EmulatorDatabase.CounterColumns, Id(id), CancellationToken.None);

    private Task ApplyAsync(params Mutation[] mutations) => Client.ApplyAsync(mutations, CancellationToken.None);

    [Fact]
    public async Task InsertReadUpdateDelete_RoundTrip()
    {
        await ApplyAsync(SpannerMutations.Insert("Counter", EmulatorDatabase.CounterColumns, Int64(0), Int64(long.MaxValue)));
        Assert.Equal(long.MaxValue, (await ReadCounterAsync(0)).Single().Int64(1));

        await ApplyAsync(SpannerMutations.Update("Counter", EmulatorDatabase.CounterColumns, Int64(0), Int64(-5)));
        Assert.Equal(-5, (await ReadCounterAsync(0)).Single().Int64(1));

        await ApplyAsync(SpannerMutations.InsertOrUpdate("Counter", EmulatorDatabase.CounterColumns, Int64(0), Int64(6)), SpannerMutations.InsertOrUpdate("Counter", EmulatorDatabase.CounterColumns, Int64(1), Int64(7)));
        Assert.Equal(6, (await ReadCounterAsync(0)).Single().Int64(1));
        Assert.Equal(7, (await ReadCounterAsync(1)).Single().Int64(1));

        await ApplyAsync(SpannerMutations.Delete("Counter", Id(0)));
        Assert.Empty(await ReadCounterAsync(0));
        Assert.Single(await ReadCounterAsync(1));
    }

    [Fact]
    public async Task BytesNullAndTimestamps_RoundTrip()
    {
        await _database.Admin.UpdateDdlAsync(_database.Name, ["CREATE TABLE IF NOT EXISTS Pub (id INT64 NOT NULL, publishedAt TIMESTAMP NOT NULL, size INT64) PRIMARY KEY (id)"], CancellationToken.None);
        string[] pubColumns = ["id", "publishedAt", "size"];
        var publishedAt = new Timestamp { Seconds = 1796558400, Nanos = 123456789 };
        byte[] root = System.Security.Cryptography.SHA256.HashData([]);

        await ApplyAsync(
            SpannerMutations.Insert("Pub", pubColumns, Int64(0), SpannerValues.Timestamp(publishedAt), Null()),
            SpannerMutations.Insert("Blob", EmulatorDatabase.BlobColumns, Int64(0), Int64(0), Bytes(root)),
            SpannerMutations.Insert("Blob", EmulatorDatabase.BlobColumns, Int64(0), Int64(1), Null()));

        var pub = (await Client.ReadAsync("Pub", pubColumns, Id(0), CancellationToken.None)).Single();
        Assert.Equal(publishedAt, pub.Timestamp(1));
        Assert.Null(pub.NullableInt64(2));
        var blobs = await Client.ReadAsync("Blob", EmulatorDatabase.BlobColumns, SpannerKeys.All(), CancellationToken.None);
        Assert.Equal(root, blobs[0].NullableBytes(2));
        Assert.Null(blobs[1].NullableBytes(2));
    }

    [Fact]
    public async Task CommitErrors_KeepTheirCodes_AndApplyNothing()
    {
        await ApplyAsync(SpannerMutations.Insert("Counter", EmulatorDatabase.CounterColumns, Int64(0), Int64(1)));

        var exists = await Assert.ThrowsAsync<SpannerException>(() => ApplyAsync(
            SpannerMutations.Insert("Counter", EmulatorDatabase.CounterColumns, Int64(1), Int64(1)),
            SpannerMutations.Insert("Counter", EmulatorDatabase.CounterColumns, Int64(0), Int64(2))));
        var missing = await Assert.ThrowsAsync<SpannerException>(() => ApplyAsync(SpannerMutations.Update("Counter", EmulatorDatabase.CounterColumns, Int64(5), Int64(1))));
        var noTable = await Assert.ThrowsAsync<SpannerException>(() => Client.ReadAsync("Nope", EmulatorDatabase.CounterColumns, Id(0), CancellationToken.None));

        Assert.Equal(StatusCode.AlreadyExists, exists.Code);
        Assert.Contains("Commit", exists.Message);
        Assert.Equal(StatusCode.NotFound, missing.Code);
        Assert.Equal(StatusCode.NotFound, noTable.Code);
        Assert.Contains("StreamingRead of Nope", noTable.Message);
        Assert.Empty(await ReadCounterAsync(1));
        Assert.Equal(1, (await ReadCounterAsync(0)).Single().Int64(1));
    }

    [Fact]
    public async Task KeyRangeReads_ComeBackInKeyOrder()
    {
        foreach (long seq in new long[] { 40, 5, 300, 12, 7 })
            await ApplyAsync(SpannerMutations.Insert("Blob", EmulatorDatabase.BlobColumns, Int64(0), Int64(seq), Bytes([(byte)seq])));

        var range = await Client.ReadAsync("Blob", EmulatorDatabase.BlobColumns,
            SpannerKeys.HalfOpenRange(SpannerKeys.Key(Int64(0), Int64(7)), SpannerKeys.Key(Int64(0), Int64(300))), CancellationToken.None);
        var prefix = await Client.ReadAsync("Blob", EmulatorDatabase.BlobColumns,
            SpannerKeys.ClosedRange(SpannerKeys.Key(Int64(0)), SpannerKeys.Key(Int64(0))), CancellationToken.None);
        var keys = await Client.ReadAsync("Blob", EmulatorDatabase.BlobColumns,
            SpannerKeys.Of(SpannerKeys.Key(Int64(0), Int64(300)), SpannerKeys.Key(Int64(0), Int64(6)), SpannerKeys.Key(Int64(0), Int64(5))), CancellationToken.None);

        // Numeric order, not the order of the decimal strings ("12" < "5").
        Assert.Equal([7L, 12L, 40L], range.Select(r => r.Int64(1)));
        Assert.Equal([5L, 7L, 12L, 40L, 300L], prefix.Select(r => r.Int64(1)));
        Assert.Equal([5L, 300L], keys.Select(r => r.Int64(1)));
        Assert.Equal([(byte)12], range[1].Bytes(2));
    }

    [Fact]
    public async Task AValueOverOneMebibyte_IsMergedFromItsChunks()
    {
        byte[] big = Pattern(3 << 20, seed: 1);
        byte[] small = Pattern(10, seed: 2);
        await ApplyAsync(SpannerMutations.Insert("Blob", EmulatorDatabase.BlobColumns, Int64(0), Int64(1), Bytes(big)));
        await ApplyAsync(SpannerMutations.Insert("Blob", EmulatorDatabase.BlobColumns, Int64(0), Int64(2), Bytes(small)));

        var rows = await Client.ReadAsync("Blob", EmulatorDatabase.BlobColumns, SpannerKeys.All(), CancellationToken.None);

        Assert.Equal(2, rows.Count);
        Assert.Equal(big, rows[0].Bytes(2));
        Assert.Equal(small, rows[1].Bytes(2));
    }

    [Fact]
    public async Task ReadsOfManyMegabytes_ArriveWhole()
    {
        // Near the 10 MiB cell limit, three rows: well past Grpc.Net.Client's 4 MB default for
        // one message (the emulator streams them in ~1 MiB messages; SpannerConnectionTests
        // checks the limit itself).
        var values = new[] { Pattern(9 << 20, seed: 3), Pattern(9 << 20, seed: 4), Pattern(5 << 20, seed: 5) };
        for (int i = 0; i < values.Length; i++)
            await ApplyAsync(SpannerMutations.Insert("Blob", EmulatorDatabase.BlobColumns, Int64(0), Int64(i), Bytes(values[i])));

        var rows = await Client.ReadAsync("Blob", EmulatorDatabase.BlobColumns, SpannerKeys.All(), CancellationToken.None);

        Assert.Equal(values, rows.Select(r => r.Bytes(2)));
    }

    internal static byte[] Pattern(int length, int seed)
    {
        var bytes = new byte[length];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }
}
