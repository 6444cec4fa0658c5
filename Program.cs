using System.CommandLine;
using RekorPosix.Http;
using RekorPosix.Http.TileServer;
using RekorPosix.Log;
using RekorPosix.Signing;
using RekorPosix.Signing.ClientSignatures;

// The command tree only: each action calls into the folder that owns the work.
var root = new RootCommand("RekorPosix: a Rekor v2 transparency log kept as C2SP tlog-tiles files in a POSIX directory.");

// ---- serve -------------------------------------------------------------------------------
// Flag names, meanings and defaults follow rekor-tiles' rekor-server-posix serve.
var serve = new Command("serve", "Run the log: the Rekor v2 write API over HTTP and gRPC, the tile listener, batching, checkpoint publication.");
var storageDir = new Option<string?>("--storage-dir") { Description = "Log directory (tiles, checkpoint, .state/). Default: ./rekor-data/log, created on first start." };
var signerFile = new Option<string?>("--signer-filepath") { Description = "PEM private key that signs checkpoints. Default: ./rekor-data/signer.pem, an Ed25519 key generated on first start." };
var signerPassword = new Option<string>("--signer-password") { Description = "Password of an encrypted signer key.", DefaultValueFactory = _ => "" };
var hostname = new Option<string>("--hostname") { Description = "Checkpoint origin and signer name: the log's public host, without scheme or port.", DefaultValueFactory = _ => ServeSettings.DefaultHostname() };
var httpAddress = new Option<string>("--http-address") { Description = "Address of the HTTP listener.", DefaultValueFactory = _ => "127.0.0.1" };
var httpPort = new Option<int>("--http-port") { Description = "Port of the HTTP listener.", DefaultValueFactory = _ => 3000 };
var metricsPort = new Option<int>("--http-metrics-port") { Description = "Port of the Prometheus metrics listener (on the HTTP address).", DefaultValueFactory = _ => 2112 };
var grpcAddress = new Option<string>("--grpc-address") { Description = "Address of the gRPC listener.", DefaultValueFactory = _ => "127.0.0.1" };
var grpcPort = new Option<int>("--grpc-port") { Description = "Port of the gRPC listener.", DefaultValueFactory = _ => 3001 };
var serverTimeout = DurationOption("--server-timeout", "Longest a request may take, the wait for its checkpoint included.", TimeSpan.FromSeconds(20));
var tlogTimeout = DurationOption("--tlog-timeout", "Longest shutdown waits for the final checkpoint.", TimeSpan.FromSeconds(30));
var maxBody = new Option<long>("--max-request-body-size") { Description = "Largest request body in bytes (HTTP and gRPC).", DefaultValueFactory = _ => 4 * 1024 * 1024 };
var readOnly = new Option<bool>("--read-only") { Description = "Frozen log: answer writes with 405 and never (re)publish a checkpoint." };
var algorithms = new Option<string[]>("--client-signing-algorithms")
{
    Description = "Signature algorithms clients may use, comma-separated (a subset of the defaults).",
    DefaultValueFactory = _ => [.. AllowedAlgorithms.DefaultFlagNames],
    AllowMultipleArgumentsPerToken = false,
};
var httpTlsCert = new Option<string>("--http-tls-cert-file") { Description = "PEM certificate for HTTPS on the HTTP port (with --http-tls-key-file; TLS 1.3 only).", DefaultValueFactory = _ => "" };
var httpTlsKey = new Option<string>("--http-tls-key-file") { Description = "PEM private key for HTTPS on the HTTP port.", DefaultValueFactory = _ => "" };
var grpcTlsCert = new Option<string>("--grpc-tls-cert-file") { Description = "PEM certificate for TLS on the gRPC port (with --grpc-tls-key-file; TLS 1.3 only).", DefaultValueFactory = _ => "" };
var grpcTlsKey = new Option<string>("--grpc-tls-key-file") { Description = "PEM private key for TLS on the gRPC port.", DefaultValueFactory = _ => "" };
var persistentAntispam = new Option<bool>("--persistent-antispam") { Description = "Keep the dedup index on disk (SQLite under .state/), so duplicates get 409 after a restart.", DefaultValueFactory = _ => true };
var antispamBatch = new Option<int>("--antispam-max-batch-size") { Description = "Entries per dedup-index transaction (0: default)." };
var antispamPushback = new Option<int>("--antispam-pushback-threshold") { Description = "Dedup follower lag (entries) at which writes get 503 (0: default 2048)." };
var logLevel = new Option<string>("--log-level") { Description = "Least severity logged.", DefaultValueFactory = _ => "info" };
logLevel.AcceptOnlyFromAmong("debug", "info", "warn", "error");
var payloadLogging = new Option<bool>("--request-response-logging") { Description = "Log request and response payloads (shown with --log-level=debug)." };
var pushbackMax = new Option<int>("--pushback-max-outstanding") { Description = "Entries that may wait for integration before writes get 503.", DefaultValueFactory = _ => AppendOptions.DefaultMaxQueuedEntries };
var batchMaxSize = new Option<int>("--batch-max-size") { Description = "Most entries in one integration batch.", DefaultValueFactory = _ => AppendOptions.DefaultBatchMaxSize };
var batchMaxAge = DurationOption("--batch-max-age", "Longest an entry waits for its batch to fill.", AppendOptions.DefaultBatchMaxAge);
var checkpointInterval = DurationOption("--checkpoint-interval", "Least time between checkpoint publications (at least 100ms).", AppendOptions.DefaultCheckpointInterval);
var tilesAddress = new Option<string?>("--tiles-address") { Description = "Address of the tile listener (GET/HEAD of /checkpoint and /tile/..., also under /api/v2). Default: the HTTP address." };
var tilesPort = new Option<int>("--tiles-port") { Description = "Port of the tile listener; 0 disables it.", DefaultValueFactory = _ => TileListenerOptions.DefaultPort };
var tilesWorkers = new Option<int>("--tiles-workers") { Description = "Event-loop threads of the tile listener (0: one per CPU)." };
var tilesMaxConnections = new Option<int>("--tiles-max-connections") { Description = "Most open connections to the tile listener; more are reset at once.", DefaultValueFactory = _ => TileListenerOptions.DefaultMaxConnections };
var tilesIdleTimeout = DurationOption("--tiles-idle-timeout", "Longest a tile-listener connection may idle, take to send a request head, or leave a response unread.", TileListenerOptions.DefaultIdleTimeout);
var tilesCacheSize = new Option<long>("--tiles-cache-size") { Description = "Bytes of small published tiles and bundles (up to 64 KiB each) kept in memory by both read ports; 0 reads every one from disk.", DefaultValueFactory = _ => ServeSettings.DefaultTilesCacheBytes };
foreach (var option in new Option[] { storageDir, signerFile, signerPassword, hostname, httpAddress, httpPort, metricsPort, grpcAddress, grpcPort,
    serverTimeout, tlogTimeout, maxBody, readOnly, algorithms, httpTlsCert, httpTlsKey, grpcTlsCert, grpcTlsKey, persistentAntispam, antispamBatch, antispamPushback,
    batchMaxSize, batchMaxAge, checkpointInterval, logLevel, payloadLogging, pushbackMax,
    tilesAddress, tilesPort, tilesWorkers, tilesMaxConnections, tilesIdleTimeout, tilesCacheSize })
    serve.Options.Add(option);
// Shared by every command that loads the signer key (serve, add, freeze).
var allowInsecureKey = new Option<bool>(SignerKeyFile.AllowInsecureFlag) { Description = "Only warn, instead of refusing to start, when the signer key file is accessible by group or others." };
serve.Options.Add(allowInsecureKey);
var config = new Option<string?>(FlagSources.ConfigFlag)
{
    Description = "Config file of \"name = value\" lines (flag names without dashes). Every flag can also come from REKOR_<NAME>; the command line wins, then the environment, then the file.",
};
serve.Options.Add(config);
(string, Option[])[] serveGroups =
[
    ("Log and signing key", [storageDir, signerFile, signerPassword, hostname, readOnly, allowInsecureKey]),
    ("Listeners", [httpAddress, httpPort, metricsPort, grpcAddress, grpcPort, serverTimeout, maxBody]),
    ("Tile listener (reads)", [tilesAddress, tilesPort, tilesWorkers, tilesMaxConnections, tilesIdleTimeout, tilesCacheSize]),
    ("TLS (TLS 1.3 only; certificate and key together)", [httpTlsCert, httpTlsKey, grpcTlsCert, grpcTlsKey]),
    ("Entries and deduplication", [algorithms, persistentAntispam, antispamBatch, antispamPushback]),
    ("Batching and checkpoints", [batchMaxSize, batchMaxAge, checkpointInterval, pushbackMax, tlogTimeout]),
    ("Logging", [logLevel, payloadLogging]),
    ("Configuration", [config]),
];
serve.SetAction((parse, cancel) => Server.RunAsync(new ServeSettings
{
    StorageDir = parse.GetValue(storageDir),
    SignerFile = parse.GetValue(signerFile),
    SignerPassword = parse.GetValue(signerPassword)!,
    Hostname = parse.GetValue(hostname)!,
    HttpAddress = parse.GetValue(httpAddress)!,
    HttpPort = parse.GetValue(httpPort),
    MetricsPort = parse.GetValue(metricsPort),
    GrpcAddress = parse.GetValue(grpcAddress)!,
    GrpcPort = parse.GetValue(grpcPort),
    ServerTimeout = Duration(parse, serverTimeout),
    TlogTimeout = Duration(parse, tlogTimeout),
    MaxRequestBodySize = parse.GetValue(maxBody),
    ReadOnly = parse.GetValue(readOnly),
    ClientSigningAlgorithms = parse.GetValue(algorithms) ?? [],
    HttpTlsCertFile = parse.GetValue(httpTlsCert)!,
    HttpTlsKeyFile = parse.GetValue(httpTlsKey)!,
    GrpcTlsCertFile = parse.GetValue(grpcTlsCert)!,
    GrpcTlsKeyFile = parse.GetValue(grpcTlsKey)!,
    LogLevel = parse.GetValue(logLevel)!,
    RequestResponseLogging = parse.GetValue(payloadLogging),
    PersistentAntispam = parse.GetValue(persistentAntispam),
    AntispamMaxBatchSize = parse.GetValue(antispamBatch),
    AntispamPushbackThreshold = parse.GetValue(antispamPushback),
    AllowInsecureKeyPermissions = parse.GetValue(allowInsecureKey),
    Append = new AppendOptions
    {
        BatchMaxSize = parse.GetValue(batchMaxSize),
        BatchMaxAge = Duration(parse, batchMaxAge),
        CheckpointInterval = Duration(parse, checkpointInterval),
        MaxQueuedEntries = parse.GetValue(pushbackMax),
    },
    TilesAddress = parse.GetValue(tilesAddress),
    TilesPort = parse.GetValue(tilesPort),
    TilesWorkers = parse.GetValue(tilesWorkers),
    TilesMaxConnections = parse.GetValue(tilesMaxConnections),
    TilesIdleTimeout = Duration(parse, tilesIdleTimeout),
    TilesCacheBytes = parse.GetValue(tilesCacheSize),
}, cancel));
root.Subcommands.Add(serve);

// ---- add ---------------------------------------------------------------------------------
var add = new Command("add", "Append entries to a log directory without a server (each file is one entry, or one entry per stdin line), print each index once durable, and wait for a checkpoint that covers them.");
var addFiles = new Argument<string[]>("files") { Description = "Files whose bytes are each one entry.", Arity = ArgumentArity.ZeroOrMore };
var addStdin = new Option<bool>("--stdin-lines") { Description = "Read entries from standard input, one per line (without the newline)." };
var addStorage = new Option<string>("--storage-dir") { Description = "Log directory.", Required = true };
var addSigner = new Option<string>("--signer-filepath") { Description = "PEM private key that signs checkpoints.", Required = true };
var addHostname = new Option<string>("--hostname") { Description = "Checkpoint origin.", Required = true };
var addInterval = DurationOption("--checkpoint-interval", "Least time between checkpoint publications.", TimeSpan.FromMilliseconds(100));
var addBatchAge = DurationOption("--batch-max-age", "Longest an entry waits for its batch to fill.", TimeSpan.FromMilliseconds(20));
add.Arguments.Add(addFiles);
foreach (var option in new Option[] { addStdin, addStorage, addSigner, addHostname, signerPassword, addInterval, addBatchAge, batchMaxSize })
    add.Options.Add(option);
add.Options.Add(allowInsecureKey);
add.SetAction((parse, cancel) => RekorPosix.Log.Posix.OfflineAppend.RunAsync(
    parse.GetValue(addStorage)!, parse.GetValue(addSigner)!, parse.GetValue(signerPassword)!, parse.GetValue(addHostname)!,
    parse.GetValue(addFiles) ?? [], parse.GetValue(addStdin),
    new AppendOptions
    {
        CheckpointInterval = Duration(parse, addInterval),
        BatchMaxAge = Duration(parse, addBatchAge),
        BatchMaxSize = parse.GetValue(batchMaxSize),
    }, Console.Out, Console.Error, cancel, parse.GetValue(allowInsecureKey)));
root.Subcommands.Add(add);

// ---- keygen ------------------------------------------------------------------------------
var keygen = new Command("keygen", "Write a new Ed25519 signer key (PKCS#8 PEM, mode 0600) and print its public key, log ID and verifier key.");
var keyOut = new Option<string>("--output", "-o") { Description = "Where to write the private key; refuses to overwrite.", DefaultValueFactory = _ => "signer.pem" };
var keyHost = new Option<string>("--hostname") { Description = "Checkpoint origin the log ID and verifier key are computed for.", DefaultValueFactory = _ => ServeSettings.DefaultHostname() };
keygen.Options.Add(keyOut);
keygen.Options.Add(keyHost);
keygen.SetAction(parse => KeyGen.Run(parse.GetValue(keyOut)!, parse.GetValue(keyHost)!, Console.Out, Console.Error));
root.Subcommands.Add(keygen);

// ---- fsck --------------------------------------------------------------------------------
var fsck = new Command("fsck", "Audit a log directory offline: checkpoint signature, every entry bundle and tile recomputed from the leaves, the root, partials, treeState. Exit 0 only if all holds.");
var fsckStorage = new Option<string>("--storage-dir") { Description = "Log directory to audit.", Required = true };
var fsckVkey = new Option<string?>("--vkey") { Description = "Verifier key of the log (name+hash+base64), or a file holding it." };
var fsckPublicKey = new Option<string?>("--public-key") { Description = "PEM public key of the log (with --hostname)." };
var fsckHostname = new Option<string?>("--hostname") { Description = "Checkpoint origin, with --public-key." };
foreach (var option in new Option[] { fsckStorage, fsckVkey, fsckPublicKey, fsckHostname })
    fsck.Options.Add(option);
fsck.SetAction(parse => RekorPosix.Log.Posix.FsckCommand.Run(parse.GetValue(fsckStorage)!, parse.GetValue(fsckVkey), parse.GetValue(fsckPublicKey),
    parse.GetValue(fsckHostname), Console.Out, Console.Error));
root.Subcommands.Add(fsck);

// ---- freeze ------------------------------------------------------------------------------
var freeze = new Command("freeze", "End the log for good: publish its final checkpoint, for everything integrated, with the \"Log frozen — <date>\" line. Refuses while a writer holds the log's lock; freezing twice changes nothing.");
var freezeStorage = new Option<string>("--storage-dir") { Description = "Log directory.", Required = true };
var freezeSigner = new Option<string>("--signer-filepath") { Description = "The log's PEM private key (the one that signed its checkpoint).", Required = true };
var freezeHostname = new Option<string>("--hostname") { Description = "The log's checkpoint origin.", Required = true };
foreach (var option in new Option[] { freezeStorage, freezeSigner, freezeHostname, signerPassword, allowInsecureKey })
    freeze.Options.Add(option);
freeze.SetAction(parse => RekorPosix.Log.Posix.FreezeCommand.Run(parse.GetValue(freezeStorage)!, parse.GetValue(freezeSigner)!,
    parse.GetValue(signerPassword)!, parse.GetValue(freezeHostname)!, parse.GetValue(allowInsecureKey), Console.Out, Console.Error));
root.Subcommands.Add(freeze);

// ---- version -----------------------------------------------------------------------------
var version = new Command("version", "Print the version and build facts.");
version.SetAction(_ => { Console.Out.WriteLine(BuildInfo.Describe()); return 0; });
root.Subcommands.Add(version);

if (args.Length == 2 && args[0] == "serve" && args[1] is "--help" or "-h" or "-?")
{
    Console.Out.Write(GroupedHelp.Render(serve, "rekor-server-posix serve [options]", serveGroups));
    return 0;
}
if (args.Length > 0 && args[0] == "serve")
{
    try
    {
        args = FlagSources.Expand(args, serve.Options.Select(o => o.Name).Where(n => n != FlagSources.ConfigFlag).ToList(),
            Environment.GetEnvironmentVariable);
    }
    catch (FormatException e)
    {
        Console.Error.WriteLine($"serve: {e.Message}");
        return 2;
    }
}

// The server handles SIGTERM itself (graceful drain, final checkpoint): System.CommandLine must not cut it short.
return await root.Parse(args).InvokeAsync(new InvocationConfiguration { ProcessTerminationTimeout = null });

// Durations are kept as Go-syntax strings so that help shows "10s", not "00:00:10"; the
// validator refuses a bad one at parse time, with the flag's name.
static Option<string> DurationOption(string name, string description, TimeSpan defaultValue)
{
    var option = new Option<string>(name)
    {
        Description = $"{description} Go duration syntax, e.g. 250ms, 10s, 1m.",
        DefaultValueFactory = _ => GoDuration.Format(defaultValue),
    };
    option.Validators.Add(result =>
    {
        string text = result.Tokens.Count == 1 ? result.Tokens[0].Value : GoDuration.Format(defaultValue);
        if (!GoDuration.TryParse(text, out _, out string? error))
            result.AddError($"{name}: invalid duration \"{text}\": {error}");
    });
    return option;
}

static TimeSpan Duration(System.CommandLine.ParseResult parse, Option<string> option) => GoDuration.Parse(parse.GetValue(option)!);
