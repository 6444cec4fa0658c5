using System.Text;
using RekorPosix.Http;
using RekorPosix.Tests.Log.Entries;
using RekorPosix.Tests.Support;

namespace RekorPosix.Tests.Http;

public class TransparencyLogEntryJsonTests
{
    private static string Golden(string name) => File.ReadAllText(TestData.PathOf($"api/{name}"));

    /// <summary>The worked example of the spec (§4.1), end to end: the rekor-tiles test key,
    /// origin rekor-local, the §3.3 request as the first entry of a fresh log. Ed25519 checkpoint
    /// signatures are deterministic, so the whole 201 body is known byte for byte.</summary>
    [Fact]
    public async Task TheWorkedExample_IsAnsweredByteForByte()
    {
        using var dir = new TempDir();
        await using var server = await RunningServer.StartAsync(dir.Path, s => s with
        {
            SignerFile = PrivateKeyCopy.Of("rekor-tiles-pki/ed25519-priv-key.pem"),
            Hostname = "rekor-local",
        });
        var response = await server.Http.PostAsync("/api/v2/log/entries", WriteApiRequests.Content(TestRequests.WorkedExampleJson()));
        Assert.Equal(System.Net.HttpStatusCode.Created, response.StatusCode);
        Assert.Equal(Golden("worked-example.response.json"), await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public void EmptyHashes_AreAnEmptyArray_AndErrorsHaveEmptyDetails()
    {
        var entry = new CreatedEntry(0, new byte[32], "hashedrekord", "0.0.2", new byte[32], 1, [], "o\n1\nx\n\n— o y\n", [1, 2]);
        string json = Encoding.UTF8.GetString(TransparencyLogEntryJson.Render(entry));
        Assert.Contains("\"hashes\":[]", json);
        Assert.Contains("\"inclusionPromise\":null", json);
        Assert.Contains("— o y", json);
        Assert.Equal("{\"code\":6,\"message\":\"x \\\"y\\\"\",\"details\":[]}",
            Encoding.UTF8.GetString(TransparencyLogEntryJson.RenderError(GrpcCode.AlreadyExists, "x \"y\"")));
    }
}
