using System.Net;
using System.Security.Cryptography.X509Certificates;
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
using RekorPosix.Log.Witnessing;
using RekorPosix.Signing;
using RekorPosix.Signing.ClientSignatures;
using RekorPosix.Signing.Witnessing;

namespace RekorPosix.Http;

/// <summary>The <c>serve</c> command: opens the log and runs the write API over HTTP and gRPC
/// until SIGINT/SIGTERM; then it stops taking requests, answers those in flight, and shuts the
/// log down so that a checkpoint covers everything integrated.</summary>
public static class Server
{
    public static async Task<int> RunAsync(ServeSettings settings, CancellationToken cancel)
    {
        if (CheckSettings(settings, out var http, out var grpc, out var metricsEndpoint, out var allowed) is { } problem)
            return Fail(problem);
        if (CheckTileSettings(settings, out var tiles) is { } tileProblem)
            return Fail(tileProblem);
        if (LoadWitnessPolicy(settings, out var policy) is { } policyProblem)
            return Fail(policyProblem);
        X509Certificate2? httpCertificate, grpcCertificate;
        try
        {
            httpCertificate = TlsCertificates.Load("--http-tls", settings.HttpTlsCertFile, settings.HttpTlsKeyFile);
            grpcCertificate = TlsCertificates.Load("--grpc-tls", settings.GrpcTlsCertFile, settings.GrpcTlsKeyFile);
        }
        catch (ArgumentException e)
        {
            return Fail(e.Message);
        }
        var metrics = new ServerMetrics();
        // The entry service needs the app's loggers, so it is made after Build(); gRPC resolves it
        // at the first call, long after it is set.
        EntryService? entries = null;
        await using var app = BuildApp(settings, http, grpc, metricsEndpoint, Flavour.FilesAreLocal ? null : tiles?.EndPoint,
            httpCertificate, grpcCertificate, metrics, () => entries);
        var loggers = app.Services.GetRequiredService<ILoggerFactory>();
        var logger = loggers.CreateLogger("RekorPosix");

        using var key = LoadKey(settings, logger, out string? keyProblem);
        if (key is null)
            return Fail(keyProblem!);
        byte[] logId = key.LogId(settings.Hostname);
        HttpEvents.LogIdentity(logger, settings.Hostname, Convert.ToBase64String(logId), key.VerifierKey(settings.Hostname));
        HttpEvents.PublicKey(logger, Convert.ToBase64String(key.SubjectPublicKeyInfo));
        if (settings.ReadOnly)
            HttpEvents.ReadOnly(logger);
        LogMemorySettings(settings, logger);

        using var witnesses = policy is null ? null : Witnesses(policy, settings, metrics, loggers);
        ServedLog served;
        try
        {
            served = await Flavour.OpenAsync(settings, CheckpointSigner.For(key, settings.Hostname), witnesses, loggers).ConfigureAwait(false);
        }
        catch (Exception e) when (e is LogStateException or LogFrozenException or IOException or UnauthorizedAccessException or ArgumentException)
        {
            return Fail($"cannot open {Flavour.Describe(settings)}: {e.Message}");
        }
        await using var _ = served;
        entries = new EntryService(new HashedRekordValidator(allowed), served.Appender, served.Log, logId, settings.ServerTimeout,
            loggers.CreateLogger("RekorPosix.Api"), settings.MaxPendingWrites, settings.DuplicateReturnsEntry);
        return await ServeAsync(app, settings, served, entries, tiles, metrics, loggers, cancel).ConfigureAwait(false);
    }

    /// <summary>Kestrel with its three listeners, logging and gRPC, not yet started.</summary>
    /// <param name="kestrelTiles">The tile port, when Kestrel serves it (a flavour whose files are
    /// not on this machine); null when the sendfile listener does, or nobody.</param>
    private static WebApplication BuildApp(ServeSettings settings, IPEndPoint http, IPEndPoint grpc, IPEndPoint metricsEndpoint,
        IPEndPoint? kestrelTiles, X509Certificate2? httpCertificate, X509Certificate2? grpcCertificate, ServerMetrics metrics, Func<EntryService?> entries)
    {
        var builder = SlimHost.CreateBuilder();
        if (httpCertificate is not null || grpcCertificate is not null)
            builder.WebHost.UseKestrelHttpsConfiguration();
        ConfigureLogging(builder.Logging, builder.Services, settings.LogLevel);
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.Listen(http, o =>
            {
                o.Protocols = HttpProtocols.Http1;
                TlsCertificates.Use(o, httpCertificate);
            });
            kestrel.Listen(grpc, o =>
            {
                o.Protocols = HttpProtocols.Http2;
                TlsCertificates.Use(o, grpcCertificate);
            });
            kestrel.Listen(metricsEndpoint, o => o.Protocols = HttpProtocols.Http1);
            if (kestrelTiles is not null)
                kestrel.Listen(kestrelTiles, o => o.Protocols = HttpProtocols.Http1);
            // rekor-tiles names no server, and the tile listener none: neither do we.
            kestrel.AddServerHeader = false;
            kestrel.Limits.MaxRequestBodySize = null; // enforced per request, with rekor-tiles' 400
            kestrel.Limits.KeepAliveTimeout = settings.ServerTimeout;
            kestrel.Limits.RequestHeadersTimeout = settings.ServerTimeout;
            if (settings.MaxConnections > 0)
                kestrel.Limits.MaxConcurrentConnections = settings.MaxConnections;
        });
        builder.Services.AddGrpc(o =>
        {
            o.MaxReceiveMessageSize = (int)Math.Min(settings.MaxRequestBodySize, int.MaxValue);
            o.EnableDetailedErrors = false;
            o.Interceptors.Add<GrpcMetricsInterceptor>();
        });
        builder.Services.AddSingleton(metrics);
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = settings.ServerTimeout + TimeSpan.FromSeconds(1));
        builder.Services.AddSingleton(_ => entries() ?? throw new InvalidOperationException("the entry service is not ready"));
        return builder.Build();
    }

    /// <summary>Console logging at a --log-level name, Kestrel's client-caused lines throttled.</summary>
    internal static void ConfigureLogging(ILoggingBuilder logging, IServiceCollection services, string level)
    {
        logging.AddSimpleConsole(o => o.SingleLine = true);
        ThrottlingLoggerProvider.WrapConsole(services, LogThrottle.DefaultInterval);
        logging.SetMinimumLevel(MinimumLevel(level));
        // Per-request lines from ASP.NET are noise at info level; our own events stay.
        logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);
        logging.AddFilter("Grpc", LogLevel.Warning);
        // Its one error is a request message it cannot read, with a stack trace, which any client
        // can cause at will: GrpcRequestErrors answers and logs those (throttled) instead.
        logging.AddFilter("Grpc.AspNetCore.Server.ServerCallHandler", LogLevel.None);
    }

    /// <summary>Routes, metrics and the tile listener; runs until shutdown is asked for.</summary>
    private static async Task<int> ServeAsync(WebApplication app, ServeSettings settings, ServedLog served, EntryService entries,
        TileListenerOptions? tiles, ServerMetrics metrics, ILoggerFactory loggers, CancellationToken cancel)
    {
        var logger = loggers.CreateLogger("RekorPosix");
        // Proofs by leaf hash find their entry through the search index, when there is one.
        if (served.Proofs is { } proofs)
            proofs.Leaves = served.Search;
        var rest = new RestApi(entries, served.Files, settings.MaxRequestBodySize, loggers.CreateLogger("RekorPosix.Api"),
            settings.RequestResponseLogging, served.Proofs, new Search.IndexRetrieveRoute(served.Search, served.PublishedSize));
        TileListener? tileListener = null;
        ObserveLog(metrics, served, entries, () => tileListener);
        var grpcErrors = new GrpcRequestErrors(loggers.CreateLogger("RekorPosix.Grpc"));
        app.Use(async (context, next) =>
        {
            // The gRPC port serves only gRPC (routed endpoints), the metrics port only metrics (on
            // every path, as rekor-tiles), the tile port (when Kestrel has it) only reads;
            // everything on the HTTP port is REST.
            int port = context.Connection.LocalPort;
            if (port == settings.GrpcPort)
                await grpcErrors.InvokeAsync(context, next).ConfigureAwait(false);
            else if (port == settings.MetricsPort)
                await MetricsEndpoint.HandleAsync(context, metrics).ConfigureAwait(false);
            else if (port == settings.TilesPort)
                await ObservedTileAsync(context, served.Files, metrics).ConfigureAwait(false);
            else
                await ObservedAsync(context, rest, metrics).ConfigureAwait(false);
        });
        app.MapGrpcService<GrpcRekorService>();
        app.MapGrpcService<GrpcHealthService>();

        var log = served.Log;
        using var systemd = SystemdIntegration.Attach(app.Lifetime,
            () => log is null ? "read-only" : $"serving; tree size {log.IntegratedSize}", logger);
        try
        {
            if (tiles is not null && served.Files is PublishedFiles localFiles)
            {
                try
                {
                    tileListener = TileListener.Start(tiles, localFiles, loggers.CreateLogger("RekorPosix.Tiles"));
                }
                catch (System.Net.Sockets.SocketException e)
                {
                    return Fail($"--tiles-port: cannot listen on {tiles.EndPoint}: {e.Message}");
                }
                HttpEvents.ListeningTiles(logger, tiles.EndPoint.Address.ToString(), tiles.EndPoint.Port, tiles.Workers, tiles.MaxConnections);
            }
            try
            {
                await app.StartAsync(cancel).ConfigureAwait(false);
            }
            catch (IOException e)
            {
                // Typically a port already in use: say which, without a stack trace.
                return Fail($"cannot listen: {e.Message}");
            }
            HttpEvents.Listening(logger, settings.HttpAddress, settings.HttpPort);
            HttpEvents.ListeningGrpc(logger, settings.GrpcAddress, settings.GrpcPort);
            ReleaseStartupMemory();
            await app.WaitForShutdownAsync(cancel).ConfigureAwait(false);
            return 0;
        }
        finally
        {
            tileListener?.Dispose();
            await served.DisposeAsync(settings.TlogTimeout).ConfigureAwait(false);
        }
    }

    /// <summary>The log's events and counters as metrics, read when Prometheus scrapes.</summary>
    private static void ObserveLog(ServerMetrics metrics, ServedLog served, EntryService entries, Func<TileListener?> tileListener)
    {
        if (served.Log is { } log)
        {
            log.BatchSequenced += (count, took) =>
            {
                metrics.BatchSize.Observe(count);
                metrics.IntegrationSeconds.Observe(took.TotalSeconds);
            };
            log.CheckpointPublished += (_, latency) => metrics.PublicationLatency.Observe(latency.TotalSeconds);
        }
        metrics.Registry.AddBeforeCollectCallback(() =>
        {
            metrics.NewEntries.IncTo(entries.EntriesCreated);
            metrics.DuplicatesReturned.IncTo(entries.DuplicatesReturned);
            metrics.InclusionProofFailures.IncTo(entries.InclusionProofFailures);
            metrics.ProofRouteFailures.IncTo(served.Proofs?.Proofs.Failures ?? 0);
            metrics.PendingWrites.Set(entries.PendingWrites);
            if (served.Log is { } log)
            {
                metrics.IntegratedSize.Set(log.IntegratedSize);
                metrics.PublishedSize.Set(log.LatestCheckpoint?.Size ?? 0);
            }
            if (served.Appender is { } appender)
                metrics.AntispamLag.Set(appender.FollowerLag);
            if (served.Search is { } search)
            {
                metrics.SearchIndexLag.Set(search.Lag);
                metrics.SearchIndexSkipped.IncTo(search.SkippedEntries);
            }
            metrics.ObserveMemory(served.Files?.CachedBytes ?? 0);
            if (served.Connections is IStorageTransactions storage)
                metrics.ObserveTransactions(storage.Transactions);
            if (tileListener() is { } tiles)
            {
                foreach (var (status, count) in tiles.ResponseCounts())
                    metrics.TileRequests.WithLabels(status.ToString(System.Globalization.CultureInfo.InvariantCulture)).IncTo(count);
            }
        });
    }

    /// <summary>rekor-tiles' --log-level names; validated in <see cref="CheckSettings"/>.</summary>
    internal static LogLevel MinimumLevel(string name) => name switch
    {
        "debug" => LogLevel.Debug,
        "warn" => LogLevel.Warning,
        "error" => LogLevel.Error,
        _ => LogLevel.Information,
    };

    /// <summary>Answers one REST request and records it in the rekor_v2_http_* metrics.</summary>
    private static async Task ObservedAsync(HttpContext context, RestApi rest, ServerMetrics metrics)
    {
        long started = System.Diagnostics.Stopwatch.GetTimestamp();
        await rest.HandleAsync(context).ConfigureAwait(false);
        metrics.ObserveHttp(context.Request.Method, context.Response.StatusCode,
            System.Diagnostics.Stopwatch.GetElapsedTime(started).TotalSeconds, context.Request.ContentLength ?? 0);
    }

    /// <summary>Answers one request on a Kestrel tile port, counted as the sendfile listener counts its own.</summary>
    private static async Task ObservedTileAsync(HttpContext context, IPublishedReads? files, ServerMetrics metrics)
    {
        await TilePortRoutes.HandleAsync(context, files).ConfigureAwait(false);
        metrics.TileRequests.WithLabels(context.Response.StatusCode.ToString(System.Globalization.CultureInfo.InvariantCulture)).Inc();
    }

    /// <summary>
    /// Start-up allocates several MiB that are garbage once the listeners are up (configuration,
    /// the command line, TLS and key set-up, the log's first checks), and an idle server allocates
    /// too little to collect them for hours: one compacting collection that returns the freed
    /// memory to the system, once, so that an idle server holds only what it uses.
    /// </summary>
    private static void ReleaseStartupMemory() =>
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);

    /// <summary>What bounds the process's memory, so that an operator sizing a small board sees it.</summary>
    private static void LogMemorySettings(ServeSettings settings, ILogger logger)
    {
        string mode = (System.Runtime.GCSettings.IsServerGC ? "server" : "workstation") +
            (AppContext.TryGetSwitch("System.GC.Concurrent", out bool concurrent) && concurrent ? ", concurrent" : "");
        HttpEvents.MemorySettings(logger, mode, GC.GetGCMemoryInfo().TotalAvailableMemoryBytes >> 20,
            settings.TilesCacheBytes >> 20, settings.Append.MaxQueuedEntries, Limit(settings.MaxPendingWrites), Limit(settings.MaxConnections));
        static string Limit(int most) => most > 0 ? $"at most {most}" : "unlimited";
    }

    /// <summary>The policy of --witness-policy-path, or null without one (and when read-only, which
    /// publishes nothing); a problem is one line naming the file and its line.</summary>
    private static string? LoadWitnessPolicy(ServeSettings s, out WitnessPolicy? policy)
    {
        policy = null;
        if (string.IsNullOrEmpty(s.WitnessPolicyPath) || s.ReadOnly)
            return null;
        if (s.Witnessing.Timeout <= TimeSpan.Zero)
            return $"--witness-timeout: {GoDuration.Format(s.Witnessing.Timeout)} must be positive";
        try
        {
            policy = WitnessPolicy.Parse(File.ReadAllText(s.WitnessPolicyPath));
            return null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return $"--witness-policy-path: cannot read {s.WitnessPolicyPath}: {e.Message}";
        }
        catch (FormatException e)
        {
            return $"--witness-policy-path: {s.WitnessPolicyPath}: {e.Message}";
        }
    }

    /// <summary>The witnesses of the policy, their requests and checkpoints counted in the metrics.</summary>
    private static CheckpointWitnesses Witnesses(WitnessPolicy policy, ServeSettings settings, ServerMetrics metrics, ILoggerFactory loggers)
    {
        var logger = loggers.CreateLogger("RekorPosix.Witness");
        var witnesses = new CheckpointWitnesses(policy, settings.Witnessing, logger);
        witnesses.Answered += answer => metrics.ObserveWitness(answer.Url.AbsoluteUri, answer.Outcome, answer.Took);
        witnesses.Gathered += (cosignatures, failedOpen) => metrics.ObserveWitnessedCheckpoint(cosignatures, failedOpen);
        HttpEvents.Witnessing(logger, witnesses.Urls.Count, string.Join(", ", witnesses.Urls.Select(u => u.AbsoluteUri)),
            policy.Quorum?.Name ?? "none", GoDuration.Format(settings.Witnessing.Timeout),
            settings.Witnessing.FailClosed ? "fail-closed" : "fail-open");
        return witnesses;
    }

    private static string? CheckSettings(ServeSettings s, out IPEndPoint http, out IPEndPoint grpc, out IPEndPoint metrics, out AllowedAlgorithms allowed)
    {
        http = grpc = metrics = null!;
        allowed = null!;
        if (!IPAddress.TryParse(s.HttpAddress, out var httpAddress))
            return $"--http-address: \"{s.HttpAddress}\" is not an IP address";
        if (!IPAddress.TryParse(s.GrpcAddress, out var grpcAddress))
            return $"--grpc-address: \"{s.GrpcAddress}\" is not an IP address";
        if (s.HttpPort is < 1 or > 65535)
            return $"--http-port: {s.HttpPort} is not a port number (0 is not allowed)";
        if (s.GrpcPort is < 1 or > 65535)
            return $"--grpc-port: {s.GrpcPort} is not a port number (0 is not allowed)";
        if (s.MetricsPort is < 1 or > 65535)
            return $"--http-metrics-port: {s.MetricsPort} is not a port number";
        if (s.HttpPort == s.GrpcPort || s.MetricsPort == s.HttpPort || s.MetricsPort == s.GrpcPort)
            return $"--http-port ({s.HttpPort}), --grpc-port ({s.GrpcPort}) and --http-metrics-port ({s.MetricsPort}) must all differ";
        if (!NoteKeyName.IsValid(s.Hostname))
            return $"--hostname: \"{s.Hostname}\" cannot be a checkpoint origin: it must be non-empty, with no white space, control characters or '+'";
        if (s.LogLevel is not ("debug" or "info" or "warn" or "error"))
            return $"--log-level: \"{s.LogLevel}\" is not one of debug, info, warn, error";
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
        metrics = new IPEndPoint(httpAddress, s.MetricsPort); // rekor-tiles binds metrics on the HTTP address
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
        if (s.TilesPort == s.HttpPort || s.TilesPort == s.GrpcPort || s.TilesPort == s.MetricsPort)
            return $"--tiles-port {s.TilesPort} is already taken by --http-port, --grpc-port or --http-metrics-port";
        if (s.TilesWorkers < 0)
            return $"--tiles-workers: {s.TilesWorkers} must be 0 (one per CPU) or more";
        if (s.MaxPendingWrites < 0)
            return $"--max-pending-writes: {s.MaxPendingWrites} must be 0 (no limit) or more";
        if (s.MaxConnections < 0)
            return $"--max-connections: {s.MaxConnections} must be 0 (no limit) or more";
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
            Action<string> warn = insecure => ServiceEvents.InsecureKeyPermissions(logger, insecure);
            if (settings.SignerFile is { } signerFile)
                return SignerKeyFile.Load(signerFile, settings.SignerPassword, settings.AllowInsecureKeyPermissions, warn);
            string path = Path.Combine(ServeSettings.DefaultDataDir(), "signer.pem");
            var key = SignerKeyFile.LoadOrGenerate(path, settings.SignerPassword, settings.AllowInsecureKeyPermissions, warn, out bool generated);
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
