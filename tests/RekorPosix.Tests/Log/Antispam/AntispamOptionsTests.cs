using RekorPosix.Log.Antispam;

namespace RekorPosix.Tests.Log.Antispam;

public class AntispamOptionsTests
{
    [Fact]
    public void ZeroMeansTheDefaults()
    {
        var options = new AntispamOptions();
        options.Validate();
        Assert.True(options.Persistent);
        Assert.Equal(0, options.InMemoryEntries);
        Assert.Equal(AntispamOptions.DefaultMaxBatchSize, options.EffectiveMaxBatchSize);
        Assert.Equal(2048, options.EffectivePushbackThreshold);
        var set = options with { MaxBatchSize = 7, PushbackThreshold = 9 };
        Assert.Equal(7, set.EffectiveMaxBatchSize);
        Assert.Equal(9, set.EffectivePushbackThreshold);
    }

    [Fact]
    public void TheLruIsSmallInFrontOfAPersistentIndex_AndTesserasSizeAlone_UnlessSet()
    {
        var options = new AntispamOptions();
        Assert.Equal(16_384, options.InMemoryEntriesFor(persistentIndex: true));
        Assert.Equal(262_144, options.InMemoryEntriesFor(persistentIndex: false));
        // It covers what the index may lag behind: four times a larger pushback threshold, capped at tessera's size.
        Assert.Equal(40_000, (options with { PushbackThreshold = 10_000 }).InMemoryEntriesFor(persistentIndex: true));
        Assert.Equal(262_144, (options with { PushbackThreshold = 1_000_000 }).InMemoryEntriesFor(persistentIndex: true));
        var set = options with { InMemoryEntries = 5 };
        Assert.Equal(5, set.InMemoryEntriesFor(persistentIndex: true));
        Assert.Equal(5, set.InMemoryEntriesFor(persistentIndex: false));
    }

    public static TheoryData<AntispamOptions, string> OutOfRange => new()
    {
        { new AntispamOptions { InMemoryEntries = -1 }, "--antispam-in-memory-entries" },
        { new AntispamOptions { MaxBatchSize = -1 }, "--antispam-max-batch-size" },
        { new AntispamOptions { MaxBatchSize = AntispamOptions.MaxMaxBatchSize + 1 }, "--antispam-max-batch-size" },
        { new AntispamOptions { PushbackThreshold = -1 }, "--antispam-pushback-threshold" },
        { new AntispamOptions { PollInterval = TimeSpan.Zero }, "poll interval" },
        { new AntispamOptions { DrainTimeout = TimeSpan.FromSeconds(-1) }, "drain timeout" },
    };

    [Theory]
    [MemberData(nameof(OutOfRange))]
    public void ASettingOutOfRange_IsNamed(AntispamOptions options, string named)
    {
        var error = Assert.Throws<ArgumentException>(options.Validate);
        Assert.Contains(named, error.Message);
    }
}
