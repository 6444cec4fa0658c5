using System.Text.Json.Nodes;
using RekorPosix.Log.Gcp.Spanner;

namespace RekorPosix.Tests.Support;

/// <summary>The long-running operations the emulator has recorded for a database (each schema
/// change is one), listed over its REST gateway (GCP_RIG_REST, from tests/gcp/emulator.sh): our
/// client has no call for it, since the server never lists operations.</summary>
internal static class EmulatorOperations
{
    public static async Task<int> CountAsync(SpannerDatabaseName database)
    {
        string rest = Environment.GetEnvironmentVariable("GCP_RIG_REST")
            ?? throw new InvalidOperationException("GCP_RIG_REST is not set: start the emulator with tests/gcp/emulator.sh and eval its exports");
        using var http = new HttpClient();
        string text = await http.GetStringAsync($"{rest}/v1/{database}/operations");
        return (JsonNode.Parse(text)!["operations"] as JsonArray)?.Count ?? 0;
    }
}
