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
        Assert.Equal(262_144, options.InMemoryEntries);
        Assert.Equal(AntispamOptions.DefaultMaxBatchSize, options.EffectiveMaxBatchSize);
        Assert.Equal(2048, options.EffectivePushbackThreshold);
        var set = options with { MaxBatchSize = 7, PushbackThreshold = 9 };
        Assert.Equal(7, set.EffectiveMaxBatchSize);
        Assert.Equal(9, set.EffectivePushbackThreshold);
    }

    public static TheoryData<AntispamOptions, string> OutOfRange => new()
    {
        { new AntispamOptions { InMemoryEntries = 0 }, "in-memory" },
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
