using Xunit.Abstractions;

namespace RekorPosix.Tests.Fuzz;

/// <summary>
/// The fuzz targets with a fixed seed: each runs <see cref="FuzzRun.DefaultInputs"/> inputs in CI
/// (<c>FUZZ_INPUTS</c> and <c>FUZZ_SEED</c> change that; tests/fuzz/run.sh runs a million), and
/// fails on any input that throws what the target does not document, or hangs.
/// </summary>
[Trait("Category", "Fuzz")]
public class FuzzTests(ITestOutputHelper output)
{
    [Fact]
    public void RequestJsonDecoderAndValidator() =>
        Check(FuzzRun.Execute("request-json", RequestFuzzTarget.JsonSeeds(), RequestFuzzTarget.Json));

    [Fact]
    public void RequestProtoDecoderAndValidator() =>
        Check(FuzzRun.Execute("request-proto", RequestFuzzTarget.ProtoSeeds(), RequestFuzzTarget.Proto));

    [Fact]
    public void TilePathGrammar() =>
        Check(FuzzRun.Execute("tile-path", TilePathFuzzTarget.Seeds(), TilePathFuzzTarget.Run));

    [Fact]
    public void TileListenerRequestParser() =>
        Check(FuzzRun.Execute("tile-request", TileRequestFuzzTarget.Seeds(), TileRequestFuzzTarget.Run, tokens: TileRequestFuzzTarget.Tokens));

    /// <summary>Kestrel and RestApi behind a real socket: a quarter of the inputs (each is a connection),
    /// then the property on the metrics scrape after them all.</summary>
    [Fact]
    public async Task ApiPortRequests()
    {
        using var dir = new Support.TempDir();
        await using var server = await Support.RunningServer.StartAsync(dir.Path);
        var target = new ApiRequestFuzzTarget(server.Settings.HttpPort, server.Settings.MetricsPort);
        Check(FuzzRun.Execute("api-request", ApiRequestFuzzTarget.Seeds(), target.Run, FuzzRun.Inputs() / 4, ApiRequestFuzzTarget.Tokens));
        ApiRequestFuzzTarget.AssertBoundedScrape(await target.ScrapeAsync());
    }

    [Fact]
    public void KeyFilePem() =>
        Check(FuzzRun.Execute("key-file", KeyFileFuzzTarget.Seeds(), KeyFileFuzzTarget.Run, FuzzRun.Inputs() / 5));

    [Fact]
    public void KeyFileDer() =>
        Check(FuzzRun.Execute("key-der", KeyFileFuzzTarget.DerSeeds(), KeyFileFuzzTarget.RunDer, FuzzRun.Inputs() / 5));

    private void Check(FuzzReport report)
    {
        output.WriteLine(report.ToString());
        Console.WriteLine(report.ToString());
        Assert.True(report.Findings.Count == 0, report.ToString());
    }
}
