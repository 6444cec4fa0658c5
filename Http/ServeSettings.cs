using RekorPosix.Log;

namespace RekorPosix.Http;

/// <summary>Everything <c>serve</c> was told, after parsing.</summary>
public sealed record ServeSettings
{
    /// <summary>The settings of a bare <c>serve</c>: its flags take their defaults from here, so each
    /// default is written once, in the initialisers below.</summary>
    public static ServeSettings Defaults { get; } = new();

    /// <summary>Where the embedded default keeps its log and key: systemd's StateDirectory when
    /// run as a unit, ./rekor-data otherwise.</summary>
    public static string DefaultDataDir() =>
        Environment.GetEnvironmentVariable("STATE_DIRECTORY") is { Length: > 0 } state
            ? state.Split(':')[0]
            : Path.Combine(Environment.CurrentDirectory, "rekor-data");

    /// <summary>rekor-tiles' default origin: the machine's host name, or localhost.</summary>
    public static string DefaultHostname()
    {
        try
        {
            string name = System.Net.Dns.GetHostName();
            return string.IsNullOrWhiteSpace(name) ? "localhost" : name;
        }
        catch (System.Net.Sockets.SocketException)
        {
            return "localhost";
        }
    }

    /// <summary>The flavour's own storage settings (Log/&lt;Flavour&gt;/StorageFlags.cs).</summary>
    public StorageSettings Storage { get; init; } = new();
    public string? SignerFile { get; init; }
    public string SignerPassword { get; init; } = "";
    public string Hostname { get; init; } = DefaultHostname();
    public string HttpAddress { get; init; } = "127.0.0.1";
    public int HttpPort { get; init; } = 3000;
    /// <summary>Prometheus metrics, on the HTTP address.</summary>
    public int MetricsPort { get; init; } = 2112;
    public string GrpcAddress { get; init; } = "127.0.0.1";
    public int GrpcPort { get; init; } = 3001;
    /// <summary>Longest a write may take, waiting for its checkpoint included (rekor-tiles' HTTP timeouts).</summary>
    public TimeSpan ServerTimeout { get; init; } = TimeSpan.FromSeconds(20);
    /// <summary>Longest shutdown may wait for the final checkpoint.</summary>
    public TimeSpan TlogTimeout { get; init; } = TimeSpan.FromSeconds(30);
    public long MaxRequestBodySize { get; init; } = 4 * 1024 * 1024;
    /// <summary>Frozen log: writes answered 405, no checkpoint ever (re)published.</summary>
    public bool ReadOnly { get; init; }
    public IReadOnlyList<string> ClientSigningAlgorithms { get; init; } = [];
    /// <summary>Dedup survives restarts (SQLite under .state/). On by default, unlike rekor-tiles.</summary>
    public bool PersistentAntispam { get; init; } = true;
    /// <summary>A duplicate gets 200 with its logged entry and a fresh proof, not 409 (rekor-tiles#620).</summary>
    public bool DuplicateReturnsEntry { get; init; }
    public int AntispamMaxBatchSize { get; init; }
    public int AntispamPushbackThreshold { get; init; }
    public int AntispamInMemoryEntries { get; init; }
    /// <summary>Keep a search index (SQLite in .state/search.db, or tables in the database) and serve /api/v2/index/retrieve.</summary>
    public bool SearchIndex { get; init; }
    /// <summary>PEM certificate and key for HTTPS on the HTTP port (both or neither; TLS 1.3 only).</summary>
    public string HttpTlsCertFile { get; init; } = "";
    public string HttpTlsKeyFile { get; init; } = "";
    /// <summary>PEM certificate and key for TLS on the gRPC port (both or neither; TLS 1.3 only).</summary>
    public string GrpcTlsCertFile { get; init; } = "";
    public string GrpcTlsKeyFile { get; init; } = "";
    /// <summary>debug, info, warn or error (rekor-tiles' names).</summary>
    public string LogLevel { get; init; } = "info";
    /// <summary>Log request and response payloads (at debug level only, as rekor-tiles).</summary>
    public bool RequestResponseLogging { get; init; }
    public AppendOptions Append { get; init; } = new();
    /// <summary>Keep every published checkpoint, once per tree size, under <c>checkpoints/</c>.</summary>
    public bool CheckpointHistory { get; init; }

    public Log.Antispam.AntispamOptions Antispam => new()
    {
        Persistent = PersistentAntispam,
        MaxBatchSize = AntispamMaxBatchSize,
        PushbackThreshold = AntispamPushbackThreshold,
        InMemoryEntries = AntispamInMemoryEntries,
    };
    /// <summary>A signer key file that group or others may access is only warned about, not refused.</summary>
    public bool AllowInsecureKeyPermissions { get; init; }
    /// <summary>Address of the tile listener; null: the HTTP address.</summary>
    public string? TilesAddress { get; init; }
    /// <summary>Port of the tile listener; 0 disables it.</summary>
    public int TilesPort { get; init; } = TileServer.TileListenerOptions.DefaultPort;
    /// <summary>Event-loop threads of the tile listener; 0: one per CPU.</summary>
    public int TilesWorkers { get; init; }
    public int TilesMaxConnections { get; init; } = TileServer.TileListenerOptions.DefaultMaxConnections;
    public TimeSpan TilesIdleTimeout { get; init; } = TileServer.TileListenerOptions.DefaultIdleTimeout;
    /// <summary>Most writes in progress at once; more get 503 (pushback). 0: no limit.</summary>
    public int MaxPendingWrites { get; init; }
    /// <summary>Most open connections to the HTTP, gRPC and metrics ports together; 0: no limit.</summary>
    public int MaxConnections { get; init; }
    /// <summary>Bytes of small published tiles and bundles kept in memory; 0: always read from disk.</summary>
    /// <remarks>16 MiB on posix: many times the hot set (the newest tiles and partials that followers
    /// poll, the upper levels), while old tiles read at random are the OS page cache's to keep, and
    /// took 36 MiB of heap in the soak's first ten minutes. 64 MiB for the cloud flavours, where
    /// each miss is a bucket GET.</remarks>
    public long TilesCacheBytes { get; init; } = Flavour.FilesAreLocal ? 16L << 20 : 64L << 20;

    /// <summary>The witness policy file; null or empty: checkpoints are not witnessed.</summary>
    public string? WitnessPolicyPath { get; init; }

    public Log.Witnessing.WitnessingOptions Witnessing { get; init; } = new();
}
