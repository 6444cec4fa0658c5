using System.CommandLine;
using RekorPosix.Http;
using RekorPosix.Log;
using RekorPosix.Signing.ClientSignatures;

namespace RekorPosix.Commands;

/// <summary>
/// <c>serve</c>: its flags, their groups for <c>serve --help</c>, and the <see cref="ServeSettings"/>
/// they make. Flag names, meanings and defaults follow rekor-tiles' rekor-server-posix serve; the
/// defaults are read from <see cref="ServeSettings.Defaults"/>, never written here.
/// </summary>
internal sealed class ServeCommand
{
    // The flavour's own flags: --storage-dir for posix, the bucket and database for the cloud ones.
    private readonly StorageFlags _storage = new();
    private readonly Option<string?> _signerFile = new("--signer-filepath") { Description = "PEM private key that signs checkpoints. Default: ./rekor-data/signer.pem, an Ed25519 key generated on first start." };
    private readonly Option<string> _signerPassword = SharedOptions.SignerPassword();
    private readonly Option<string> _hostname = new("--hostname") { Description = "Checkpoint origin and signer name: the log's public host, without scheme or port.", DefaultValueFactory = _ => ServeSettings.Defaults.Hostname };
    private readonly Option<string> _httpAddress = new("--http-address") { Description = "Address of the HTTP listener.", DefaultValueFactory = _ => ServeSettings.Defaults.HttpAddress };
    private readonly Option<int> _httpPort = new("--http-port") { Description = "Port of the HTTP listener.", DefaultValueFactory = _ => ServeSettings.Defaults.HttpPort };
    private readonly Option<int> _metricsPort = new("--http-metrics-port") { Description = "Port of the Prometheus metrics listener (on the HTTP address).", DefaultValueFactory = _ => ServeSettings.Defaults.MetricsPort };
    private readonly Option<string> _grpcAddress = new("--grpc-address") { Description = "Address of the gRPC listener.", DefaultValueFactory = _ => ServeSettings.Defaults.GrpcAddress };
    private readonly Option<int> _grpcPort = new("--grpc-port") { Description = "Port of the gRPC listener.", DefaultValueFactory = _ => ServeSettings.Defaults.GrpcPort };
    private readonly Option<string> _serverTimeout = DurationOptions.Create("--server-timeout", "Longest a request may take, the wait for its checkpoint included.", ServeSettings.Defaults.ServerTimeout);
    private readonly Option<string> _tlogTimeout = DurationOptions.Create("--tlog-timeout", "Longest shutdown waits for the final checkpoint.", ServeSettings.Defaults.TlogTimeout);
    private readonly Option<int> _maxPendingWrites = new("--max-pending-writes")
    {
        Description = "Most writes in progress at once (each waits for its checkpoint); more get 503 with Retry-After, before any verification (0: no limit).",
    };
    private readonly Option<int> _maxConnections = new("--max-connections")
    {
        Description = "Most open connections to the HTTP, gRPC and metrics ports together; more are closed at once (0: no limit).",
    };
    private readonly Option<long> _maxBody = new("--max-request-body-size") { Description = "Largest request body in bytes (HTTP and gRPC).", DefaultValueFactory = _ => ServeSettings.Defaults.MaxRequestBodySize };
    private readonly Option<bool> _readOnly = new("--read-only") { Description = "Frozen log: answer writes with 405 and never (re)publish a checkpoint." };
    // ServeSettings leaves the list empty for "all the defaults"; help names them.
    private readonly Option<string[]> _algorithms = new("--client-signing-algorithms")
    {
        Description = "Signature algorithms clients may use, comma-separated (a subset of the defaults).",
        DefaultValueFactory = _ => [.. AllowedAlgorithms.DefaultFlagNames],
        AllowMultipleArgumentsPerToken = false,
    };
    private readonly Option<string> _httpTlsCert = new("--http-tls-cert-file") { Description = "PEM certificate for HTTPS on the HTTP port (with --http-tls-key-file; TLS 1.3 only).", DefaultValueFactory = _ => ServeSettings.Defaults.HttpTlsCertFile };
    private readonly Option<string> _httpTlsKey = new("--http-tls-key-file") { Description = "PEM private key for HTTPS on the HTTP port.", DefaultValueFactory = _ => ServeSettings.Defaults.HttpTlsKeyFile };
    private readonly Option<string> _grpcTlsCert = new("--grpc-tls-cert-file") { Description = "PEM certificate for TLS on the gRPC port (with --grpc-tls-key-file; TLS 1.3 only).", DefaultValueFactory = _ => ServeSettings.Defaults.GrpcTlsCertFile };
    private readonly Option<string> _grpcTlsKey = new("--grpc-tls-key-file") { Description = "PEM private key for TLS on the gRPC port.", DefaultValueFactory = _ => ServeSettings.Defaults.GrpcTlsKeyFile };
    private readonly Option<bool> _persistentAntispam = new("--persistent-antispam") { Description = Flavour.FilesAreLocal
        ? "Keep the dedup index on disk (SQLite under .state/), so duplicates get 409 after a restart."
        : "Keep the dedup index in the database (tessera's antispam tables), so duplicates get 409 after a restart and from every server.", DefaultValueFactory = _ => ServeSettings.Defaults.PersistentAntispam };
    private readonly Option<bool> _duplicateReturnsEntry = new("--duplicate-returns-entry")
    {
        Description = "Answer a duplicate with 200, X-Log-Index and its logged TransparencyLogEntry (a fresh inclusion proof against the latest checkpoint) instead of 409, so a client that lost its first answer gets its entry.",
    };
    private readonly Option<int> _antispamBatch = new("--antispam-max-batch-size") { Description = "Entries per dedup-index transaction (0: default)." };
    private readonly Option<int> _antispamPushback = new("--antispam-pushback-threshold") { Description = "Dedup follower lag (entries) at which writes get 503 (0: default 2048)." };
    private readonly Option<int> _antispamInMemory = new("--antispam-in-memory-entries")
    {
        Description = "Identities the in-memory dedup cache keeps, about 140 bytes each (0: default: with the persistent index 16384 or 4x the pushback threshold, without it 262144 as tessera).",
    };
    private readonly Option<bool> _searchIndex = new("--search-index") { Description =
#if BACKEND_GCP
        "Not available in this flavour: no search index is written for Spanner (posix, aws and gcpcloudsql have one)." };
#else
        Flavour.FilesAreLocal
        ? "Keep a search index (SQLite in .state/search.db, rebuilt from the entry bundles when missing) and serve POST/GET /api/v2/index/retrieve: entries by artifact digest, public key, certificate email, URI or OIDC issuer."
        : "Keep a search index (tables in the database, fed by every server) and serve POST/GET /api/v2/index/retrieve: entries by artifact digest, public key, certificate email, URI or OIDC issuer." };
#endif
    private readonly Option<string> _logLevel = SharedOptions.LogLevel();
    private readonly Option<bool> _payloadLogging = new("--request-response-logging") { Description = "Log request and response payloads (shown with --log-level=debug)." };
    private readonly Option<int> _pushbackMax = new("--pushback-max-outstanding") { Description = "Entries that may wait for integration before writes get 503.", DefaultValueFactory = _ => ServeSettings.Defaults.Append.MaxQueuedEntries };
    private readonly Option<int> _batchMaxSize = SharedOptions.BatchMaxSize();
    private readonly Option<string> _batchMaxAge = DurationOptions.Create("--batch-max-age", "Longest an entry waits for its batch to fill.", ServeSettings.Defaults.Append.BatchMaxAge);
    private readonly Option<string> _checkpointInterval = DurationOptions.Create("--checkpoint-interval", $"Least time between checkpoint publications (at least {Http.GoDuration.Format(Flavour.MinCheckpointInterval)}).", ServeSettings.Defaults.Append.CheckpointInterval);
    private readonly Option<bool> _checkpointHistory = new("--checkpoint-history") { Description = Flavour.FilesAreLocal
        ? "Keep every published checkpoint for good, once per tree size, under checkpoints/ in the log directory (served at /api/v2/checkpoints/{size})."
        : "Keep every published checkpoint for good, once per tree size, as checkpoints/... objects in the bucket (served at /api/v2/checkpoints/{size})." };
    private readonly Option<string?> _tilesAddress = new("--tiles-address") { Description = "Address of the tile listener (GET/HEAD of /checkpoint and /tile/..., also under /api/v2, and of kept checkpoints at /checkpoints/N). Default: the HTTP address." };
    private readonly Option<int> _tilesPort = new("--tiles-port") { Description = "Port of the tile listener; 0 disables it.", DefaultValueFactory = _ => ServeSettings.Defaults.TilesPort };
    private readonly Option<int> _tilesWorkers = new("--tiles-workers") { Description = "Event-loop threads of the tile listener (0: one per CPU)." };
    private readonly Option<int> _tilesMaxConnections = new("--tiles-max-connections") { Description = "Most open connections to the tile listener; more are reset at once.", DefaultValueFactory = _ => ServeSettings.Defaults.TilesMaxConnections };
    private readonly Option<string> _tilesIdleTimeout = DurationOptions.Create("--tiles-idle-timeout", "Longest a tile-listener connection may idle, take to send a request head, or leave a response unread.", ServeSettings.Defaults.TilesIdleTimeout);
    private readonly Option<long> _tilesCacheSize = new("--tiles-cache-size") { Description = Flavour.FilesAreLocal
        ? "Bytes of small published tiles and bundles (up to 64 KiB each) kept in memory by both read ports; 0 reads every one from disk."
        : "Bytes of published tiles and bundles (up to 1 MiB each) kept in memory by both read ports once read from the bucket; 0 reads every one from the bucket.", DefaultValueFactory = _ => ServeSettings.Defaults.TilesCacheBytes };
    private readonly Option<string?> _witnessPolicy = new("--witness-policy-path") { Description = "Witness policy file (witness NAME VKEY URL / group NAME k|any|all MEMBER... / quorum NAME|none): every checkpoint is sent to its witnesses and published with their cosignatures." };
    private readonly Option<string> _witnessTimeout = DurationOptions.Create("--witness-timeout", "Longest a checkpoint publication waits for its witnesses.", ServeSettings.Defaults.Witnessing.Timeout);
    private readonly Option<bool> _witnessFailClosed = new("--witness-fail-closed") { Description = "Publish no checkpoint without the policy's quorum of cosignatures (default: publish with what arrived, and warn, as rekor-tiles)." };
    private readonly Option<bool> _allowInsecureKey = SharedOptions.AllowInsecureKeyPermissions();
    private readonly Option<string?> _config = new(FlagSources.ConfigFlag)
    {
        Description = "Config file of \"name = value\" lines (flag names without dashes). Every flag can also come from REKOR_<NAME>; the command line wins, then the environment, then the file.",
    };

    public ServeCommand()
    {
        // This order is the one of the plain help that a parse error prints.
        Command = new Command("serve", "Run the log: the Rekor v2 write API over HTTP and gRPC, the tile listener, batching, checkpoint publication.");
        foreach (var option in _storage.Options)
            Command.Options.Add(option);
        Option[] options =
        [
            _signerFile, _signerPassword, _hostname, _httpAddress, _httpPort, _metricsPort, _grpcAddress, _grpcPort,
            _serverTimeout, _tlogTimeout, _maxBody, _maxPendingWrites, _maxConnections, _readOnly, _algorithms, _httpTlsCert, _httpTlsKey, _grpcTlsCert, _grpcTlsKey,
            _persistentAntispam, _duplicateReturnsEntry, _antispamBatch, _antispamPushback, _antispamInMemory, _searchIndex, _batchMaxSize, _batchMaxAge, _checkpointInterval, _checkpointHistory, _logLevel, _payloadLogging,
            _pushbackMax, _tilesAddress, _tilesPort, .. SendfileListenerOptions, _tilesCacheSize,
            _witnessPolicy, _witnessTimeout, _witnessFailClosed, _allowInsecureKey, _config,
        ];
        foreach (var option in options)
            Command.Options.Add(option);
        Command.SetAction((parse, cancel) => Server.RunAsync(Settings(parse), cancel));
    }

    public Command Command { get; }

    /// <summary>The sendfile listener's own tuning, offered only where it serves the tile port (a
    /// log directory); a bucket's tile port is Kestrel's, with the HTTP port's limits.</summary>
    private Option[] SendfileListenerOptions => Flavour.FilesAreLocal ? [_tilesWorkers, _tilesMaxConnections, _tilesIdleTimeout] : [];

    /// <summary>The flags as <c>serve --help</c> shows them: in groups, not one list of some thirty.</summary>
    public (string Title, Option[] Options)[] HelpGroups =>
    [
        ("Storage", [.. _storage.Options]),
        ("Log and signing key", [_signerFile, _signerPassword, _hostname, _readOnly, _allowInsecureKey]),
        ("Listeners", [_httpAddress, _httpPort, _metricsPort, _grpcAddress, _grpcPort, _serverTimeout, _maxBody, _maxPendingWrites, _maxConnections]),
        ("Tile listener (reads)", [_tilesAddress, _tilesPort, .. SendfileListenerOptions, _tilesCacheSize]),
        ("TLS (TLS 1.3 only; certificate and key together)", [_httpTlsCert, _httpTlsKey, _grpcTlsCert, _grpcTlsKey]),
        ("Entries and deduplication", [_algorithms, _persistentAntispam, _duplicateReturnsEntry, _antispamBatch, _antispamPushback, _antispamInMemory]),
        ("Search", [_searchIndex]),
        ("Batching and checkpoints", [_batchMaxSize, _batchMaxAge, _checkpointInterval, _checkpointHistory, _pushbackMax, _tlogTimeout]),
        ("Witnessing", [_witnessPolicy, _witnessTimeout, _witnessFailClosed]),
        ("Logging", [_logLevel, _payloadLogging]),
        ("Configuration", [_config]),
    ];

    /// <summary>The flags the environment and the config file may set: all but <c>--config</c> itself.</summary>
    public IReadOnlyCollection<string> SettableFlagNames => Command.Options.Select(o => o.Name).Where(n => n != FlagSources.ConfigFlag).ToList();

    public ServeSettings Settings(ParseResult parse) => new()
    {
        Storage = _storage.Read(parse),
        SignerFile = parse.GetValue(_signerFile),
        SignerPassword = parse.GetValue(_signerPassword)!,
        Hostname = parse.GetValue(_hostname)!,
        HttpAddress = parse.GetValue(_httpAddress)!,
        HttpPort = parse.GetValue(_httpPort),
        MetricsPort = parse.GetValue(_metricsPort),
        GrpcAddress = parse.GetValue(_grpcAddress)!,
        GrpcPort = parse.GetValue(_grpcPort),
        ServerTimeout = DurationOptions.GetValue(parse, _serverTimeout),
        MaxPendingWrites = parse.GetValue(_maxPendingWrites),
        MaxConnections = parse.GetValue(_maxConnections),
        TlogTimeout = DurationOptions.GetValue(parse, _tlogTimeout),
        MaxRequestBodySize = parse.GetValue(_maxBody),
        ReadOnly = parse.GetValue(_readOnly),
        ClientSigningAlgorithms = parse.GetValue(_algorithms) ?? [],
        HttpTlsCertFile = parse.GetValue(_httpTlsCert)!,
        HttpTlsKeyFile = parse.GetValue(_httpTlsKey)!,
        GrpcTlsCertFile = parse.GetValue(_grpcTlsCert)!,
        GrpcTlsKeyFile = parse.GetValue(_grpcTlsKey)!,
        LogLevel = parse.GetValue(_logLevel)!,
        RequestResponseLogging = parse.GetValue(_payloadLogging),
        PersistentAntispam = parse.GetValue(_persistentAntispam),
        DuplicateReturnsEntry = parse.GetValue(_duplicateReturnsEntry),
        AntispamMaxBatchSize = parse.GetValue(_antispamBatch),
        AntispamPushbackThreshold = parse.GetValue(_antispamPushback),
        AntispamInMemoryEntries = parse.GetValue(_antispamInMemory),
        SearchIndex = parse.GetValue(_searchIndex),
        AllowInsecureKeyPermissions = parse.GetValue(_allowInsecureKey),
        Append = Append(parse),
        CheckpointHistory = parse.GetValue(_checkpointHistory),
        TilesAddress = parse.GetValue(_tilesAddress),
        TilesPort = parse.GetValue(_tilesPort),
        TilesWorkers = Flavour.FilesAreLocal ? parse.GetValue(_tilesWorkers) : ServeSettings.Defaults.TilesWorkers,
        TilesMaxConnections = Flavour.FilesAreLocal ? parse.GetValue(_tilesMaxConnections) : ServeSettings.Defaults.TilesMaxConnections,
        TilesIdleTimeout = Flavour.FilesAreLocal ? DurationOptions.GetValue(parse, _tilesIdleTimeout) : ServeSettings.Defaults.TilesIdleTimeout,
        TilesCacheBytes = parse.GetValue(_tilesCacheSize),
        WitnessPolicyPath = parse.GetValue(_witnessPolicy),
        Witnessing = new() { Timeout = DurationOptions.GetValue(parse, _witnessTimeout), FailClosed = parse.GetValue(_witnessFailClosed) },
    };

    private AppendOptions Append(ParseResult parse) => new()
    {
        BatchMaxSize = parse.GetValue(_batchMaxSize),
        BatchMaxAge = DurationOptions.GetValue(parse, _batchMaxAge),
        CheckpointInterval = DurationOptions.GetValue(parse, _checkpointInterval),
        MaxQueuedEntries = parse.GetValue(_pushbackMax),
    };
}
