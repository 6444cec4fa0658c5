using Microsoft.Extensions.Logging.Abstractions;
using RekorPosix.Http;
using RekorPosix.Log;
using RekorPosix.Tests.Support;

namespace RekorPosix.Tests.Log.Gcp;

/// <summary>The gcp flavour's start-up refusals, made from the settings alone before any connection
/// (one line naming the flag at fault), and its read-only mode, which connects to nothing.</summary>
public sealed class FlavourTests
{
    private const string Database = "projects/p/instances/i/databases/sequencer";

    private static async Task<string> RefusalAsync(ServeSettings settings) =>
        (await Assert.ThrowsAsync<ArgumentException>(() => Flavour.OpenAsync(settings, TestLogKey.Signer(), null, NullLoggerFactory.Instance))).Message;

    private static ServeSettings With(StorageSettings storage, TimeSpan? interval = null) => new()
    {
        Storage = storage,
        Append = new AppendOptions { CheckpointInterval = interval ?? TimeSpan.FromSeconds(2) },
    };

    [Fact]
    public async Task AMissingBucketOrDatabase_IsRefusedWithTesserasMessage_NamingBothFlags()
    {
        const string Expected = "required flags missing to initialize Tessera driver: --gcp-bucket and --gcp-spanner are both required";
        Assert.Equal(Expected, await RefusalAsync(With(new StorageSettings { Spanner = Database })));
        Assert.Equal(Expected, await RefusalAsync(With(new StorageSettings { Bucket = "b" })));
    }

    [Fact]
    public async Task ACheckpointIntervalBelow1200ms_IsRefused_AsTesserasGcpDriverDoes()
    {
        string message = await RefusalAsync(With(new StorageSettings { Bucket = "b", Spanner = Database }, TimeSpan.FromMilliseconds(1199)));
        Assert.Equal("--checkpoint-interval: requested CheckpointInterval (1.199s) is less than minimum permitted 1.2s", message);
    }

    [Fact]
    public async Task SearchIndex_IsRefused_NamingTheFlavour()
    {
        string message = await RefusalAsync(With(new StorageSettings { Bucket = "b", Spanner = Database }) with { SearchIndex = true });
        Assert.StartsWith("--search-index: the gcp flavour has no search index", message);
    }

    [Theory]
    [InlineData("sequencer", "--gcp-spanner: 'sequencer' is not a Spanner database name")]
    [InlineData("projects/p/instances/i/databases/a-database-id-of-25-chars", "--gcp-spanner: the antispam database (-antispam appended, --persistent-antispam): ")]
    public async Task ABadDatabaseName_NamesTheFlag(string spanner, string expectedStart)
    {
        string message = await RefusalAsync(With(new StorageSettings { Bucket = "b", Spanner = spanner }));
        Assert.StartsWith(expectedStart, message);
    }

    [Fact]
    public async Task ReadOnly_ConnectsToNothing()
    {
        // No bucket and a Spanner database nobody serves: read-only needs neither.
        await using var served = await Flavour.OpenAsync(With(new StorageSettings { Spanner = Database }) with { ReadOnly = true },
            TestLogKey.Signer(), null, NullLoggerFactory.Instance);
        Assert.Null(served.Log);
        Assert.Null(served.Appender);
    }
}
