using RekorPosix.Log.Gcp.Spanner;

namespace RekorPosix.Tests.Log.Gcp.Spanner;

/// <summary>--gcp-spanner's full resource name (spec gcp-spanner-flavour.md §2.1, §3.4).</summary>
public sealed class SpannerDatabaseNameTests
{
    [Fact]
    public void Parse_SplitsTheFullName()
    {
        var name = SpannerDatabaseName.Parse("projects/rekor-tiles-e2e/instances/rekor-tiles/databases/sequencer");

        Assert.Equal("rekor-tiles-e2e", name.Project);
        Assert.Equal("rekor-tiles", name.Instance);
        Assert.Equal("sequencer", name.Database);
        Assert.Equal("projects/rekor-tiles-e2e/instances/rekor-tiles", name.InstanceName);
        Assert.Equal("projects/rekor-tiles-e2e/instances/rekor-tiles/databases/sequencer", name.ToString());
    }

    [Theory]
    [InlineData("sequencer")]
    [InlineData("projects/p/instances/i/databases/")]
    [InlineData("projects/p/instances/i/databases/d/extra")]
    [InlineData("projects/p/instances/i")]
    [InlineData("/projects/p/instances/i/databases/dd")]
    public void Parse_RefusesWhatIsNoDatabaseName(string text)
    {
        var error = Assert.Throws<FormatException>(() => SpannerDatabaseName.Parse(text));

        Assert.Contains("projects/<project>/instances/<instance>/databases/<database>", error.Message);
    }

    [Theory]
    [InlineData("d")]
    [InlineData("1sequencer")]
    [InlineData("Sequencer")]
    [InlineData("sequencer-")]
    [InlineData("sequencer_")]
    [InlineData("a234567890123456789012345678901")]
    public void Parse_RefusesBadDatabaseIds(string id)
    {
        var error = Assert.Throws<FormatException>(() => SpannerDatabaseName.Parse($"projects/p/instances/i/databases/{id}"));

        Assert.Contains("database ID", error.Message);
    }

    [Fact]
    public void WithDatabase_NamesASiblingWithinTheIdLimit()
    {
        var main = SpannerDatabaseName.Parse("projects/p/instances/i/databases/sequencer");

        Assert.Equal("projects/p/instances/i/databases/sequencer-antispam", main.WithDatabase("sequencer-antispam").ToString());
        // A 22-character main ID leaves no room for "-antispam" (31 > 30, spec §3.4).
        Assert.Throws<FormatException>(() => main.WithDatabase("a234567890123456789012-antispam"));
    }
}
