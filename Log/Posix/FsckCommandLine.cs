using System.CommandLine;
using RekorPosix.Log;

namespace RekorPosix.Log.Posix;

/// <summary><c>fsck</c>: the flags of the offline audit; FsckCommand does the work.</summary>
internal sealed class FsckCommandLine
{
    private readonly Option<string> _storageDir = new("--storage-dir") { Description = "Log directory to audit.", Required = true };
    private readonly Option<string?> _vkey = new("--vkey") { Description = "Verifier key of the log (name+hash+base64), or a file holding it." };
    private readonly Option<string?> _publicKey = new("--public-key") { Description = "PEM public key of the log (with --hostname)." };
    private readonly Option<string?> _hostname = new("--hostname") { Description = "Checkpoint origin, with --public-key." };

    public FsckCommandLine()
    {
        Command = new Command("fsck", "Audit a log directory offline: checkpoint signature, every entry bundle and tile recomputed from the leaves, the root, partials, treeState, the kept checkpoints of history. Exit 0 only if all holds.")
        {
            _storageDir, _vkey, _publicKey, _hostname,
        };
        Command.SetAction(Run);
    }

    public Command Command { get; }

    private int Run(ParseResult parse) => FsckCommand.Run(parse.GetValue(_storageDir)!, parse.GetValue(_vkey), parse.GetValue(_publicKey),
        parse.GetValue(_hostname), Console.Out, Console.Error);
}
