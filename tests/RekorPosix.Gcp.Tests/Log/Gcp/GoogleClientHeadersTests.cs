using System.Net.Http.Headers;
using RekorPosix.Log.Gcp;

namespace RekorPosix.Tests.Log.Gcp;

/// <summary>Who calls Google's APIs, in the forms Google's clients use, and who pays.</summary>
public sealed class GoogleClientHeadersTests
{
    [Fact]
    public void ApiClient_IsSpaceSeparatedNameVersionPairs_NamingDotnetAndThisBinary()
    {
        string[] pairs = GoogleClientHeaders.ApiClient.Split(' ');

        Assert.All(pairs, pair => Assert.Matches("^[^/ ]+/[^/ ]+$", pair));
        Assert.Equal(["gl-dotnet", "rekor-server-gcp"], pairs.Select(pair => pair.Split('/')[0]));
        Assert.Equal($"gl-dotnet/{Environment.Version}", pairs[0]);
    }

    [Fact]
    public void UserAgent_NamesThisBinary()
    {
        Assert.Matches(@"^rekor-server-gcp/\S+ \(linux-[a-z0-9]+\)$", GoogleClientHeaders.UserAgent);
    }

    [Fact]
    public void AddTo_SendsTheQuotaProject_OnlyWhenThereIsOne()
    {
        using var billed = new HttpRequestMessage();
        using var unbilled = new HttpRequestMessage();

        GoogleClientHeaders.AddTo(billed.Headers, "billed-project");
        GoogleClientHeaders.AddTo(unbilled.Headers, null);

        Assert.Equal("billed-project", Value(billed.Headers, "x-goog-user-project"));
        Assert.False(unbilled.Headers.Contains("x-goog-user-project"));
        foreach (var headers in new[] { billed.Headers, unbilled.Headers })
        {
            Assert.Equal(GoogleClientHeaders.UserAgent, Value(headers, "User-Agent"));
            Assert.Equal(GoogleClientHeaders.ApiClient, Value(headers, "x-goog-api-client"));
        }
    }

    private static string Value(HttpRequestHeaders headers, string name) =>
        string.Join(" ", headers.NonValidated[name]);
}
