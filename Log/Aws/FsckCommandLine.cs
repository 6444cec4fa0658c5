using System.CommandLine;
using MySqlConnector;
using RekorPosix.Log.Cloud;
using RekorPosix.Log.S3;

namespace RekorPosix.Log.Aws;

/// <summary>
/// <c>fsck</c> of a log in a bucket: the same audit and exit codes as for a directory (every bundle
/// and tile recomputed, the root, the checkpoint's signature, the kept checkpoints of history),
/// reading the bucket as a client would;
/// with the database too, IntCoord is checked against the checkpoint.
/// </summary>
internal sealed class FsckCommandLine
{
    private readonly StorageFlags _storage = new();
    private readonly Option<string?> _vkey = new("--vkey") { Description = "Verifier key of the log (name+hash+base64), or a file holding it." };
    private readonly Option<string?> _publicKey = new("--public-key") { Description = "PEM public key of the log (with --hostname)." };
    private readonly Option<string?> _hostname = new("--hostname") { Description = "Checkpoint origin, with --public-key." };

    public FsckCommandLine()
    {
        Command = new Command("fsck", "Audit a log in its bucket: checkpoint signature, every entry bundle and tile recomputed from the leaves, the root, and IntCoord when the database is given. Exit 0 only if all holds.");
        foreach (var option in _storage.Options)
            Command.Options.Add(option);
        foreach (var option in new Option[] { _vkey, _publicKey, _hostname })
            Command.Options.Add(option);
        Command.SetAction(Run);
    }

    public Command Command { get; }

    private int Run(ParseResult parse)
    {
        if (FsckRun.Verifier(parse.GetValue(_vkey), parse.GetValue(_publicKey), parse.GetValue(_hostname), Console.Error) is not { } verifier)
            return 2;
        var storage = _storage.Read(parse);
        if (storage.Bucket.Length == 0)
        {
            Console.Error.WriteLine($"fsck: {StorageFlags.BucketFlag} is required");
            return 2;
        }
        MySqlDataSource? database;
        try
        {
            database = storage.MySqlDsn.Length == 0 ? null : new MySqlDataSource(Flavour.ConnectionString(storage));
        }
        catch (ArgumentException e)
        {
            Console.Error.WriteLine($"fsck: {e.Message}");
            return 2;
        }
        using (database)
        {
            var coordinator = database is null ? null : new Coordinator(database);
            var bucket = new Bucket(Flavour.S3Client(), storage.Bucket);
            var reader = new BucketReader(bucket, coordinator is null ? null : coordinator.ReadIntegratedAsync);
            Func<TreeHead?>? integrated = coordinator is null ? null : () => coordinator.ReadIntegratedAsync(CancellationToken.None).GetAwaiter().GetResult();
            return FsckRun.Audit(reader, verifier, integrated, Console.Out, Console.Error, new BucketCheckpointHistory(bucket));
        }
    }
}
