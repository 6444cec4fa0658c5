using System.Text.Json;
using RekorPosix.Log.Gcp.Spanner;

namespace RekorPosix.Tests.Support;

/// <summary>
/// The running emulator of tests/gcp/emulator.sh, found through the variables it exports
/// (SPANNER_EMULATOR_HOST, GCP_RIG_PROJECT, GCP_RIG_INSTANCE). Without them a test fails, naming
/// the command that starts it: nothing is skipped.
/// </summary>
public static class SpannerEmulator
{
    private static string Variable(string name) => Environment.GetEnvironmentVariable(name) is { Length: > 0 } value
        ? value
        : throw new InvalidOperationException($"{name} is not set: start the Spanner emulator (bash tests/gcp/emulator.sh start DIR > DIR.out; eval \"$(grep '^export' DIR.out)\") first; emulator.sh says what is missing when the emulator is not installed");

    internal static SpannerEndpoint Endpoint() => SpannerEndpoint.Emulator(Variable(SpannerEndpoint.EmulatorVariable));

    /// <summary>A database name in the rig's instance that no other test uses (IDs are at most 30
    /// characters; 21 leaves room for "-antispam").</summary>
    internal static SpannerDatabaseName NewDatabaseName() =>
        new(Variable("GCP_RIG_PROJECT"), Variable("GCP_RIG_INSTANCE"), "t" + Guid.NewGuid().ToString("N")[..20]);

    /// <summary>The sessions the emulator holds for <paramref name="database"/>, by its REST gateway's
    /// ListSessions (<c>GET /v1/{database}/sessions</c>; GCP_RIG_REST), whoever made them.</summary>
    internal static async Task<IReadOnlyList<string>> SessionsAsync(SpannerDatabaseName database)
    {
        using var http = new HttpClient();
        using var answer = JsonDocument.Parse(await http.GetStringAsync($"{Variable("GCP_RIG_REST")}/v1/{database}/sessions?pageSize=1000"));
        return answer.RootElement.TryGetProperty("sessions", out var sessions)
            ? [.. sessions.EnumerateArray().Select(session => session.GetProperty("name").GetString()!)]
            : [];
    }
}
