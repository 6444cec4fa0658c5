using System.CommandLine;
using RekorPosix.Commands;

namespace RekorPosix.Log.Posix;

/// <summary><c>freeze</c>: the flags of ending a log for good; Log/Posix/FreezeCommand does the work.</summary>
internal sealed class FreezeCommandLine
{
    private readonly Option<string> _storageDir = new("--storage-dir") { Description = "Log directory.", Required = true };
    private readonly Option<string> _signerFile = new("--signer-filepath") { Description = "The log's PEM private key (the one that signed its checkpoint).", Required = true };
    private readonly Option<string> _hostname = new("--hostname") { Description = "The log's checkpoint origin.", Required = true };
    private readonly Option<string> _signerPassword = SharedOptions.SignerPassword();
    private readonly Option<bool> _allowInsecureKey = SharedOptions.AllowInsecureKeyPermissions();

    public FreezeCommandLine()
    {
        Command = new Command("freeze", "End the log for good: publish its final checkpoint, for everything integrated, with the \"Log frozen — <date>\" line. Refuses while a writer holds the log's lock; freezing twice changes nothing.")
        {
            _storageDir, _signerFile, _hostname, _signerPassword, _allowInsecureKey,
        };
        Command.SetAction(Run);
    }

    public Command Command { get; }

    private int Run(ParseResult parse) => FreezeCommand.Run(parse.GetValue(_storageDir)!, parse.GetValue(_signerFile)!,
        parse.GetValue(_signerPassword)!, parse.GetValue(_hostname)!, parse.GetValue(_allowInsecureKey), Console.Out, Console.Error);
}
