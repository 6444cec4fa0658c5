using System.CommandLine;
using Microsoft.Extensions.Logging;

namespace RekorPosix.Log.Cloud;

/// <summary>
/// <c>fsck</c> of a log in a bucket, for every bucket flavour: the same audit and exit codes as for
/// a directory (every bundle and tile recomputed, the root, the checkpoint's signature, the kept
/// checkpoints of history), reading the bucket as a client would; with the database too, its
/// integrated size is checked against the checkpoint. The flavour says how its storage opens.
/// </summary>
internal abstract class BucketFsckCommand
{
    private readonly Option<string?> _vkey = new("--vkey") { Description = "Verifier key of the log (name+hash+base64), or a file holding it." };
    private readonly Option<string?> _publicKey = new("--public-key") { Description = "PEM public key of the log (with --hostname)." };
    private readonly Option<string?> _hostname = new("--hostname") { Description = "Checkpoint origin, with --public-key." };

    /// <param name="database">What the flavour's database is called, for the help text.</param>
    /// <param name="storage">The flavour's storage options.</param>
    protected BucketFsckCommand(string database, IEnumerable<Option> storage)
    {
        Command = new Command("fsck", $"Audit a log in its bucket: checkpoint signature, every entry bundle and tile recomputed from the leaves, the root, and IntCoord when the {database} is given. Exit 0 only if all holds.");
        foreach (var option in storage.Concat([_vkey, _publicKey, _hostname]))
            Command.Options.Add(option);
        Command.SetAction(Run);
    }

    public Command Command { get; }

    /// <summary>The bucket, and the read of the database's integrated tree head when the database
    /// is given (else null); <paramref name="resources"/> are disposed after the audit, the last
    /// added first; their warnings go to <paramref name="logger"/> (stderr). Throws
    /// <see cref="ArgumentException"/> or <see cref="IOException"/> naming what is wrong (exit 2).</summary>
    protected abstract Task<(IBucket Bucket, Func<CancellationToken, Task<TreeHead>>? ReadIntegrated)> OpenAsync(ParseResult parse,
        ILogger logger, List<IAsyncDisposable> resources);

    private int Run(ParseResult parse)
    {
        if (FsckRun.Verifier(parse.GetValue(_vkey), parse.GetValue(_publicKey), parse.GetValue(_hostname), Console.Error) is not { } verifier)
            return 2;
        // Disposed after the resources: what they log while closing is written out.
        using var loggers = LoggerFactory.Create(b => b
            .AddConsole(o => o.LogToStandardErrorThreshold = LogLevel.Trace)
            .AddSimpleConsole(o => o.SingleLine = true)
            .SetMinimumLevel(LogLevel.Warning));
        var resources = new List<IAsyncDisposable>();
        try
        {
            IBucket bucket;
            Func<CancellationToken, Task<TreeHead>>? readIntegrated;
            try
            {
                (bucket, readIntegrated) = OpenAsync(parse, loggers.CreateLogger("fsck"), resources).GetAwaiter().GetResult();
            }
            catch (Exception e) when (e is ArgumentException or IOException)
            {
                Console.Error.WriteLine($"fsck: {e.Message}");
                return 2;
            }
            var reader = new BucketReader(bucket, readIntegrated);
            Func<TreeHead?>? integrated = readIntegrated is null ? null : () => readIntegrated(CancellationToken.None).GetAwaiter().GetResult();
            return FsckRun.Audit(reader, verifier, integrated, Console.Out, Console.Error, new BucketCheckpointHistory(bucket));
        }
        finally
        {
            for (int i = resources.Count - 1; i >= 0; i--)
                resources[i].DisposeAsync().AsTask().GetAwaiter().GetResult();
        }
    }
}
