using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Logging;
using RekorPosix.Http;
using RekorPosix.Log.Entries;
using RekorPosix.Signing.ClientSignatures;

namespace RekorPosix.Bench;

/// <summary>
/// The second reference of the write benchmark: a Kestrel endpoint that reads each POST, decodes
/// it, loads the key and verifies the signature with the server's own code, and answers 201 with a
/// body about the size of a real answer, with no log behind it. The load generator drives it the
/// way it drives the server, so the server's throughput over this one is what the log itself costs,
/// with HTTP and the shared cores counted on both sides.
/// </summary>
public static class VerifyEndpoint
{
    /// <summary>Serves until the process is stopped (SIGTERM or Ctrl-C).</summary>
    public static async Task<int> RunAsync(int port)
    {
        var builder = SlimHost.CreateBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.Listen(IPAddress.Loopback, port, o => o.Protocols = HttpProtocols.Http1);
            kestrel.Limits.MaxRequestBodySize = null;
        });
        var app = builder.Build();
        var validator = new HashedRekordValidator(AllowedAlgorithms.Default);
        app.Run(async context =>
        {
            byte[]? body = await RequestBody.ReadAsync(context.Request, 4 * 1024 * 1024, context.RequestAborted).ConfigureAwait(false);
            ValidatedEntry entry;
            try
            {
                entry = validator.Validate(CreateEntryRequestDecoder.FromJson(body ?? []));
            }
            catch (Exception e) when (e is RequestDecodeException or InvalidEntryException)
            {
                context.Response.StatusCode = 400;
                return;
            }
            // A real answer carries the canonical body in base64, a proof and a checkpoint: about
            // twice the canonical body's size.
            byte[] answer = System.Text.Encoding.ASCII.GetBytes(
                $"{{\"canonicalizedBody\":\"{Convert.ToBase64String(entry.CanonicalBody)}\",\"padding\":\"{new string('x', entry.CanonicalBody.Length / 2)}\"}}");
            context.Response.StatusCode = 201;
            context.Response.ContentType = "application/json";
            context.Response.ContentLength = answer.Length;
            await context.Response.Body.WriteAsync(answer, context.RequestAborted).ConfigureAwait(false);
        });
        await app.RunAsync().ConfigureAwait(false);
        return 0;
    }
}
