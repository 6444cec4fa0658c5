using System.Buffers.Text;
using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;

namespace RekorPosix.Tests.Support;

/// <summary>
/// Google's OAuth token endpoint and the GCE metadata server, in process (spec
/// gcp-spanner-flavour.md §7.2-§7.4): <c>POST /token</c> takes a JWT-bearer grant whose signature
/// it checks with the test key's public half, or a refresh-token grant with the test secrets;
/// <c>GET /computeMetadata/v1/instance/service-accounts/default/token</c> wants
/// <c>Metadata-Flavor: Google</c>; <c>GET /</c> answers the metadata probe. Tokens are
/// <c>token-1</c>, <c>token-2</c>, … each living <see cref="Lifetime"/>.
/// </summary>
public sealed class FakeTokenServer : IAsyncDisposable
{
    public const string ClientSecret = "client-secret-do-not-print";
    public const string RefreshToken = "refresh-token-do-not-print";
    private const string JwtBearerGrant = "urn:ietf:params:oauth:grant-type:jwt-bearer";

    private readonly LoopbackHttpServer _server;
    private readonly RSA _publicKey = TestServiceAccount.PublicKey();
    private int _issued;

    private FakeTokenServer(LoopbackHttpServer server) => _server = server;

    public static async Task<FakeTokenServer> StartAsync(bool speaksMetadataFlavor = true)
    {
        FakeTokenServer? fake = null;
        var server = await LoopbackHttpServer.StartAsync(context => fake!.HandleAsync(context, speaksMetadataFlavor));
        fake = new FakeTokenServer(server);
        return fake;
    }

    public Uri TokenUri => new(_server.BaseAddress, "token");

    public string HostPort => _server.HostPort;

    public TimeSpan Lifetime { get; set; } = TimeSpan.FromHours(1);

    /// <summary>The next answers, instead of a token: a status and a JSON body.</summary>
    public ConcurrentQueue<(int Status, string Body)> Refusals { get; } = new();

    /// <summary>The next requests get no answer until the client gives up.</summary>
    public int StallNext { get; set; }

    /// <summary>Every request: its path, form or query fields, and the Metadata-Flavor header.</summary>
    public ConcurrentQueue<(string Path, Dictionary<string, string> Fields, string? MetadataFlavor)> Requests { get; } = new();

    /// <summary>The claims of each JWT whose signature verified.</summary>
    public ConcurrentQueue<JsonElement> VerifiedClaims { get; } = new();

    public int Issued => _issued;

    private async Task HandleAsync(HttpContext context, bool speaksMetadataFlavor)
    {
        var request = context.Request;
        var fields = request.HasFormContentType
            ? (await request.ReadFormAsync()).ToDictionary(f => f.Key, f => f.Value.ToString())
            : request.Query.ToDictionary(q => q.Key, q => q.Value.ToString());
        string? flavor = request.Headers["Metadata-Flavor"].FirstOrDefault();
        Requests.Enqueue((request.Path.Value!, fields, flavor));
        if (speaksMetadataFlavor)
            context.Response.Headers["Metadata-Flavor"] = "Google";
        if (StallNext > 0)
        {
            StallNext--;
            await Task.Delay(Timeout.Infinite, context.RequestAborted).ContinueWith(_ => { });
            return;
        }
        if (Refusals.TryDequeue(out var refusal))
        {
            await Answer(context, refusal.Status, refusal.Body);
            return;
        }
        string? problem = (request.Method, request.Path.Value) switch
        {
            ("GET", "/") => null,
            ("POST", "/token") => CheckGrant(fields),
            ("GET", "/computeMetadata/v1/instance/service-accounts/default/token") => flavor == "Google" ? null : "missing Metadata-Flavor: Google",
            _ => "no such endpoint",
        };
        if (problem is not null)
            await Answer(context, 400, new JsonObject { ["error"] = "invalid_request", ["error_description"] = problem }.ToJsonString());
        else if (request.Path.Value == "/")
            await Answer(context, 200, "computeMetadata/\n", "application/text");
        else
            await Answer(context, 200, $$"""{"access_token":"token-{{Interlocked.Increment(ref _issued)}}","expires_in":{{(long)Lifetime.TotalSeconds}},"token_type":"Bearer"}""");
    }

    private string? CheckGrant(Dictionary<string, string> form) => form.GetValueOrDefault("grant_type") switch
    {
        JwtBearerGrant => CheckAssertion(form.GetValueOrDefault("assertion") ?? ""),
        "refresh_token" => form.GetValueOrDefault("refresh_token") == RefreshToken && form.GetValueOrDefault("client_secret") == ClientSecret
            && form.GetValueOrDefault("client_id") == "client-id-1" ? null : "wrong refresh grant",
        _ => "unsupported grant_type",
    };

    private string? CheckAssertion(string jwt)
    {
        string[] parts = jwt.Split('.');
        if (parts.Length != 3)
            return "not a JWT";
        bool signed = _publicKey.VerifyData(Encoding.ASCII.GetBytes(parts[0] + "." + parts[1]), Base64Url.DecodeFromChars(parts[2]),
            HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        if (!signed)
            return "bad signature";
        VerifiedClaims.Enqueue(JsonDocument.Parse(Base64Url.DecodeFromChars(parts[1])).RootElement.Clone());
        return null;
    }

    private static Task Answer(HttpContext context, int status, string body, string contentType = "application/json; charset=utf-8")
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = contentType;
        return context.Response.WriteAsync(body);
    }

    public async ValueTask DisposeAsync()
    {
        _publicKey.Dispose();
        await _server.DisposeAsync();
    }
}
