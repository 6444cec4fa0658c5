using System.Text;
using System.Text.Json.Nodes;

namespace RekorPosix.Tests.Support;

/// <summary>
/// A read-write transaction that has written (one DML insert) and is held open until disposed, when
/// it is rolled back: what a server killed mid-transaction leaves on the emulator. Only a
/// transaction with writes blocks schema changes there (one that has only read does not). Made over
/// the emulator's REST gateway (GCP_RIG_REST, from tests/gcp/emulator.sh), since our client buffers
/// its mutations until the commit.
/// </summary>
internal sealed class WritingTransaction : IAsyncDisposable
{
    private readonly HttpClient _http;
    private readonly string _session;
    private readonly string _transaction;

    private WritingTransaction(HttpClient http, string session, string transaction)
    {
        _http = http;
        _session = session;
        _transaction = transaction;
    }

    /// <summary>Inserts <paramref name="insert"/> (a DML statement) in a new transaction left open.</summary>
    public static async Task<WritingTransaction> StartAsync(EmulatorDatabase database, string insert)
    {
        string rest = Environment.GetEnvironmentVariable("GCP_RIG_REST")
            ?? throw new InvalidOperationException("GCP_RIG_REST is not set: start the emulator with tests/gcp/emulator.sh and eval its exports");
        var http = new HttpClient { BaseAddress = new Uri(rest + "/v1/") };
        string session = (await PostAsync(http, $"{database.Name}/sessions", new JsonObject()))["name"]!.GetValue<string>();
        var begun = await PostAsync(http, $"{session}:beginTransaction", new JsonObject { ["options"] = new JsonObject { ["readWrite"] = new JsonObject() } });
        string transaction = begun["id"]!.GetValue<string>();
        await PostAsync(http, $"{session}:executeSql", new JsonObject
        {
            ["sql"] = insert,
            ["transaction"] = new JsonObject { ["id"] = transaction },
            ["seqno"] = "1",
        });
        return new WritingTransaction(http, session, transaction);
    }

    public async ValueTask DisposeAsync()
    {
        await PostAsync(_http, $"{_session}:rollback", new JsonObject { ["transactionId"] = _transaction });
        await _http.DeleteAsync(_session);
        _http.Dispose();
    }

    private static async Task<JsonNode> PostAsync(HttpClient http, string path, JsonObject body)
    {
        using var content = new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json");
        using var response = await http.PostAsync(path, content);
        string text = await response.Content.ReadAsStringAsync();
        if (!response.IsSuccessStatusCode)
            throw new InvalidOperationException($"emulator REST {path}: {(int)response.StatusCode} {text}");
        return JsonNode.Parse(text.Length == 0 ? "{}" : text)!;
    }
}
