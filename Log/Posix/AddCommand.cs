using System.CommandLine;
using RekorPosix.Commands;
using RekorPosix.Log;

namespace RekorPosix.Log.Posix;

/// <summary><c>add</c>: append entries to a log directory without a server (OfflineAppend).</summary>
internal sealed class AddCommand
{
    private readonly Argument<string[]> _files = new("files") { Description = "Files whose bytes are each one entry.", Arity = ArgumentArity.ZeroOrMore };
    private readonly Option<bool> _stdinLines = new("--stdin-lines") { Description = "Read entries from standard input, one per line (without the newline)." };
    private readonly Option<string> _storageDir = new("--storage-dir") { Description = "Log directory.", Required = true };
    private readonly Option<string> _signerFile = new("--signer-filepath") { Description = "PEM private key that signs checkpoints.", Required = true };
    private readonly Option<string> _hostname = new("--hostname") { Description = "Checkpoint origin.", Required = true };
    private readonly Option<string> _signerPassword = SharedOptions.SignerPassword();
    // Shorter than serve's: a one-off append should not wait long for its checkpoint.
    private readonly Option<string> _checkpointInterval = DurationOptions.Create("--checkpoint-interval", "Least time between checkpoint publications.", TimeSpan.FromMilliseconds(100));
    private readonly Option<string> _batchMaxAge = DurationOptions.Create("--batch-max-age", "Longest an entry waits for its batch to fill.", TimeSpan.FromMilliseconds(20));
    private readonly Option<int> _batchMaxSize = SharedOptions.BatchMaxSize();
    private readonly Option<bool> _allowInsecureKey = SharedOptions.AllowInsecureKeyPermissions();

    public AddCommand()
    {
        Command = new Command("add", "Append entries to a log directory without a server (each file is one entry, or one entry per stdin line), print each index once durable, and wait for a checkpoint that covers them.")
        {
            _files, _stdinLines, _storageDir, _signerFile, _hostname, _signerPassword, _checkpointInterval, _batchMaxAge, _batchMaxSize, _allowInsecureKey,
        };
        Command.SetAction(RunAsync);
    }

    public Command Command { get; }

    private Task<int> RunAsync(ParseResult parse, CancellationToken cancel) => OfflineAppend.RunAsync(
        parse.GetValue(_storageDir)!, parse.GetValue(_signerFile)!, parse.GetValue(_signerPassword)!, parse.GetValue(_hostname)!,
        parse.GetValue(_files) ?? [], parse.GetValue(_stdinLines),
        new AppendOptions
        {
            CheckpointInterval = DurationOptions.GetValue(parse, _checkpointInterval),
            BatchMaxAge = DurationOptions.GetValue(parse, _batchMaxAge),
            BatchMaxSize = parse.GetValue(_batchMaxSize),
        }, Console.Out, Console.Error, cancel, parse.GetValue(_allowInsecureKey));
}
