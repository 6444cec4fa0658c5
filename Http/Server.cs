using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using RekorPosix.Http.ReadPath;
using RekorPosix.Http.TileServer;
using RekorPosix.Log;
using RekorPosix.Log.Antispam;
using RekorPosix.Log.Entries;
using RekorPosix.Log.Posix;
using RekorPosix.Signing;
using RekorPosix.Signing.ClientSignatures;

namespace RekorPosix.Http;

/// <summary>The <c>serve</c> command: opens the log and runs the write API over HTTP and gRPC
/// until SIGINT/SIGTERM; then it stops taking requests, answers those in flight, and shuts the
/// log down so that a checkpoint covers everything integrated.</summary>
public static class Server
{
    public static async Task<int> RunAsync(ServeSettings settings, CancellationToken cancel)
    {
        if (CheckSettings(settings, out var http, out var grpc, out var allowed) is { } problem)
            return Fail(problem);
        if (CheckTileSettings(settings, out var tiles) is { } tileProblem)
            return Fail(tileProblem);

        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.AddSimpleConsole(o => o.SingleLine = true);
        // Per-request lines from ASP.NET are noise at info level; our own events stay.
        builder.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);
        builder.Logging.AddFilter("Grpc", LogLevel.Warning);
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.Listen(http, o => o.Protocols = HttpProtocols.Http1);
            kestrel.Listen(grpc, o => o.Protocols = HttpProtocols.Http2);
            kestrel.Limits.MaxRequestBodySize = null; // enforced per request, with rekor-tiles' 400
            kestrel.Limits.KeepAliveTimeout = settings.ServerTimeout;
            kestrel.Limits.RequestHeadersTimeout = settings.ServerTimeout;
        });
        builder.Services.AddGrpc(o =>
        {
            o.MaxReceiveMessageSize = (int)Math.Min(settings.MaxRequestBodySize, int.MaxValue);
            o.EnableDetailedErrors = false;
        });
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = settings.ServerTimeout + TimeSpan.FromSeconds(1));
        // The entry service needs the app's loggers, so it is made after Build(); gRPC resolves it
        // at the first call, long after it is set.
        EntryService? entries = null;
        builder.Services.AddSingleton(_ => entries ?? throw new InvalidOperationException("the entry service is not ready"));
        await using var app = builder.Build();
        var loggers = app.Services.GetRequiredService<ILoggerFactory>();
        var logger = loggers.CreateLogger("RekorPosix");

        using var key = LoadKey(settings, logger, out string? keyProblem);
        if (key is null)
            return Fail(keyProblem!);
        byte[] logId = key.LogId(settings.Hostname);
        HttpEvents.LogIdentity(logger, settings.Hostname, Convert.ToBase64String(logId), key.VerifierKey(settings.Hostname));
        HttpEvents.PublicKey(logger, Convert.ToBase64String(key.SubjectPublicKeyInfo));

        string storageDir = settings.StorageDir ?? Path.Combine(ServeSettings.DefaultDataDir(), "log");
        PosixLog? log = null;
        DedupAppender? appender = null;
        if (settings.ReadOnly)
        {
            HttpEvents.ReadOnly(logger);
        }
        else
        {
            var signer = key.CreateNoteSigner(settings.Hostname);
            try
            {
                log = PosixLog.Start(storageDir, text => SignedNote.Sign(text, [signer]), settings.Hostname, settings.Append,
                    loggers.CreateLogger("RekorPosix.Log"));
                appender = DedupAppender.Open(storageDir, log, new AntispamOptions
                {
                    Persistent = settings.PersistentAntispam,
                    MaxBatchSize = settings.AntispamMaxBatchSize,
                    PushbackThreshold = settings.AntispamPushbackThreshold,
                }, loggers.CreateLogger("RekorPosix.Antispam"));
            }
            catch (Exception e) when (e is LogStateException or IOException or UnauthorizedAccessException or ArgumentException)
            {
                if (log is not null)
                    await log.DisposeAsync().ConfigureAwait(false);
                return Fail($"cannot open the log in {storageDir}: {e.Message}");
            }
        }

        PublishedFiles files;
        try
        {
            Func<PublishedCheckpoint?> published = log is not null
                ? () => log.LatestCheckpoint
                : new CheckpointFile(Path.Combine(storageDir, "checkpoint"), TimeSpan.FromSeconds(1)).Current;
            var cache = settings.TilesCacheBytes > 0 ? new TileMemoryCache(settings.TilesCacheBytes) : null;
            files = new PublishedFiles(storageDir, published, loggers.CreateLogger("RekorPosix.Tiles"), cache);
        }
        catch (IOException e)
        {
            if (appender is not null)
                await appender.DisposeAsync().ConfigureAwait(false);
            if (log is not null)
                await log.DisposeAsync().ConfigureAwait(false);
            return Fail($"cannot open the log directory {storageDir}: {e.Message}");
        }
        using var _ = files;

        entries = new EntryService(new HashedRekordValidator(allowed), appender, log, logId, settings.ServerTimeout,
            loggers.CreateLogger("RekorPosix.Api"));
        var rest = new RestApi(entries, files, settings.MaxRequestBodySize, loggers.CreateLogger("RekorPosix.Api"));
        app.Use(async (context, next) =>
        {
            // The gRPC port serves only gRPC (routed endpoints); everything on the HTTP port is REST.
            if (context.Connection.LocalPort == settings.GrpcPort)
                await next(context).ConfigureAwait(false);
            else
                await rest.HandleAsync(context).ConfigureAwait(false);
        });
        app.MapGrpcService<GrpcRekorService>();
        app.MapGrpcService<GrpcHealthService>();

        TileListener? tileListener = null;
        try
        {
            if (tiles is not null)
            {
                try
                {
                    tileListener = TileListener.Start(tiles, files, loggers.CreateLogger("RekorPosix.Tiles"));
                }
                catch (System.Net.Sockets.SocketException e)
                {
                    return Fail($"--tiles-port: cannot listen on {tiles.EndPoint}: {e.Message}");
                }
                HttpEvents.ListeningTiles(logger, tiles.EndPoint.Address.ToString(), tiles.EndPoint.Port, tiles.Workers, tiles.MaxConnections);
            }
            HttpEvents.Listening(logger, settings.HttpAddress, settings.HttpPort);
            HttpEvents.ListeningGrpc(logger, settings.GrpcAddress, settings.GrpcPort);
            await app.RunAsync(cancel).ConfigureAwait(false);
        }
        finally
        {
            tileListener?.Dispose();
            if (appender is not null)
                await appender.DisposeAsync().ConfigureAwait(false);
            if (log is not null)
            {
                using var shutdown = new CancellationTokenSource(settings.TlogTimeout);
                await log.ShutdownAsync(shutdown.Token).ConfigureAwait(false);
                await log.DisposeAsync().ConfigureAwait(false);
            }
        }
        return 0;
    }

    /// <summary>rekor-tiles' start-up checks, plus ours; null when all is well.</summary>
    private static string? CheckSettings(ServeSettings s, out IPEndPoint http, out IPEndPoint grpc, out AllowedAlgorithms allowed)
    {
        http = grpc = null!;
        allowed = null!;
        if (!IPAddress.TryParse(s.HttpAddress, out var httpAddress))
            return $"--http-address: \"{s.HttpAddress}\" is not an IP address";
        if (!IPAddress.TryParse(s.GrpcAddress, out var grpcAddress))
            return $"--grpc-address: \"{s.GrpcAddress}\" is not an IP address";
        if (s.HttpPort is < 1 or > 65535)
            return $"--http-port: {s.HttpPort} is not a port number (0 is not allowed)";
        if (s.GrpcPort is < 1 or > 65535)
            return $"--grpc-port: {s.GrpcPort} is not a port number (0 is not allowed)";
        if (s.HttpPort == s.GrpcPort)
            return $"--http-port and --grpc-port must differ (both {s.HttpPort})";
        if (!NoteKeyName.IsValid(s.Hostname))
            return $"--hostname: \"{s.Hostname}\" cannot be a checkpoint origin: it must be non-empty, with no white space, control characters or '+'";
        if (s.MaxRequestBodySize < 1)
            return $"--max-request-body-size: {s.MaxRequestBodySize} must be positive";
        if (s.ServerTimeout <= TimeSpan.Zero)
            return $"--server-timeout: {s.ServerTimeout} must be positive";
        try
        {
            s.Append.Validate();
            allowed = s.ClientSigningAlgorithms.Count == 0 ? AllowedAlgorithms.Default : AllowedAlgorithms.Parse(s.ClientSigningAlgorithms);
        }
        catch (ArgumentException e)
        {
            return e.Message;
        }
        catch (FormatException e)
        {
            return e.Message;
        }
        http = new IPEndPoint(httpAddress, s.HttpPort);
        grpc = new IPEndPoint(grpcAddress, s.GrpcPort);
        return null;
    }

    /// <summary>The tile listener's settings checked; <paramref name="options"/> is null when it is off.</summary>
    private static string? CheckTileSettings(ServeSettings s, out TileListenerOptions? options)
    {
        options = null;
        if (s.TilesPort is < 0 or > 65535)
            return $"--tiles-port: {s.TilesPort} is not a port number (0 disables the tile listener)";
        if (s.TilesPort == 0)
            return null;
        string address = s.TilesAddress ?? s.HttpAddress;
        if (!IPAddress.TryParse(address, out var ip))
            return $"--tiles-address: \"{address}\" is not an IP address";
        if (s.TilesPort == s.HttpPort || s.TilesPort == s.GrpcPort)
            return $"--tiles-port {s.TilesPort} is already taken by --http-port or --grpc-port";
        if (s.TilesWorkers < 0)
            return $"--tiles-workers: {s.TilesWorkers} must be 0 (one per CPU) or more";
        if (s.TilesMaxConnections < 1)
            return $"--tiles-max-connections: {s.TilesMaxConnections} must be positive";
        if (s.TilesCacheBytes < 0)
            return $"--tiles-cache-size: {s.TilesCacheBytes} must be 0 (no cache) or more";
        if (s.TilesIdleTimeout < TimeSpan.FromMilliseconds(100))
            return $"--tiles-idle-timeout: {s.TilesIdleTimeout} must be at least 100ms";
        options = new TileListenerOptions
        {
            EndPoint = new IPEndPoint(ip, s.TilesPort),
            Workers = s.TilesWorkers == 0 ? Environment.ProcessorCount : s.TilesWorkers,
            MaxConnections = s.TilesMaxConnections,
            IdleTimeout = s.TilesIdleTimeout,
        };
        return null;
    }

    private static LogSigningKey? LoadKey(ServeSettings settings, ILogger logger, out string? problem)
    {
        problem = null;
        try
        {
            if (settings.SignerFile is { } signerFile)
                return LogSigningKey.Load(signerFile, settings.SignerPassword);
            string path = Path.Combine(ServeSettings.DefaultDataDir(), "signer.pem");
            var key = SignerKeyFile.LoadOrGenerate(path, settings.SignerPassword, out bool generated);
            if (generated)
                HttpEvents.GeneratedKey(logger, path);
            return key;
        }
        catch (Exception e) when (e is KeyFileException or IOException or UnauthorizedAccessException)
        {
            problem = $"signer key: {e.Message}";
            return null;
        }
    }

    private static int Fail(string message)
    {
        Console.Error.WriteLine($"serve: {message}");
        return 2;
    }
}
