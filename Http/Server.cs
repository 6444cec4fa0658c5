using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using RekorPosix.Log;
using RekorPosix.Log.Posix;
using RekorPosix.Signing;

namespace RekorPosix.Http;

/// <summary>The <c>serve</c> command: opens the log and runs Kestrel in front of it until
/// SIGINT/SIGTERM, then shuts the log down so that a checkpoint covers everything integrated.</summary>
public static class Server
{
    public static async Task<int> RunAsync(ServeSettings settings, CancellationToken cancel)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.AddSimpleConsole(o => o.SingleLine = true);
        // Per-request lines from ASP.NET are noise at info level; our own events stay.
        builder.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);
        if (!IPAddress.TryParse(settings.HttpAddress, out var address))
            return Fail($"--http-address: \"{settings.HttpAddress}\" is not an IP address");
        if (settings.HttpPort is < 1 or > 65535)
            return Fail($"--http-port: {settings.HttpPort} is not a port number");
        if (!NoteKeyName.IsValid(settings.Hostname))
            return Fail($"--hostname: \"{settings.Hostname}\" cannot be a checkpoint origin: it must be non-empty, with no white space, control characters or '+'");
        try
        {
            settings.Append.Validate();
        }
        catch (ArgumentException e)
        {
            return Fail(e.Message);
        }
        builder.WebHost.ConfigureKestrel(k => k.Listen(address, settings.HttpPort));
        await using var app = builder.Build();
        var logger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("RekorPosix");

        string dataDir = ServeSettings.DefaultDataDir();
        string storageDir = settings.StorageDir ?? Path.Combine(dataDir, "log");
        LogSigningKey key;
        try
        {
            if (settings.SignerFile is { } signerFile)
            {
                key = LogSigningKey.Load(signerFile, settings.SignerPassword);
            }
            else
            {
                string path = Path.Combine(dataDir, "signer.pem");
                key = SignerKeyFile.LoadOrGenerate(path, settings.SignerPassword, out bool generated);
                if (generated)
                    HttpEvents.GeneratedKey(logger, path);
            }
        }
        catch (Exception e) when (e is KeyFileException or IOException or UnauthorizedAccessException)
        {
            return Fail($"signer key: {e.Message}");
        }
        using (key)
        {
            HttpEvents.LogIdentity(logger, settings.Hostname, Convert.ToBase64String(key.LogId(settings.Hostname)), key.VerifierKey(settings.Hostname));
            HttpEvents.PublicKey(logger, Convert.ToBase64String(key.SubjectPublicKeyInfo));
            var signer = key.CreateNoteSigner(settings.Hostname);
            PosixLog log;
            try
            {
                log = PosixLog.Start(storageDir, text => SignedNote.Sign(text, [signer]), settings.Hostname, settings.Append,
                    app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("RekorPosix.Log"));
            }
            catch (Exception e) when (e is LogStateException or IOException or UnauthorizedAccessException)
            {
                return Fail($"cannot open the log in {storageDir}: {e.Message}");
            }
            await using (log)
            {
                app.MapGet("/healthz", () => Results.Text("{\"status\":\"SERVING\"}", "application/json"));
                HttpEvents.Listening(logger, settings.HttpAddress, settings.HttpPort);
                await app.RunAsync(cancel).ConfigureAwait(false);
                await log.ShutdownAsync(CancellationToken.None).ConfigureAwait(false);
            }
        }
        return 0;
    }

    private static int Fail(string message)
    {
        Console.Error.WriteLine($"serve: {message}");
        return 2;
    }
}
