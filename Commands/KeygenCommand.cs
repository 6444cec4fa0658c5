using System.CommandLine;
using RekorPosix.Http;
using RekorPosix.Signing;

namespace RekorPosix.Commands;

/// <summary><c>keygen</c>: write a new signer key (Signing/KeyGen).</summary>
internal sealed class KeygenCommand
{
    private readonly Option<string> _output = new("--output", "-o") { Description = "Where to write the private key; refuses to overwrite.", DefaultValueFactory = _ => "signer.pem" };
    // The same origin serve defaults to, so the printed log ID and verifier key match it.
    private readonly Option<string> _hostname = new("--hostname") { Description = "Checkpoint origin the log ID and verifier key are computed for.", DefaultValueFactory = _ => ServeSettings.DefaultHostname() };

    public KeygenCommand()
    {
        Command = new Command("keygen", "Write a new Ed25519 signer key (PKCS#8 PEM, mode 0600) and print its public key, log ID and verifier key.")
        {
            _output, _hostname,
        };
        Command.SetAction(Run);
    }

    public Command Command { get; }

    private int Run(ParseResult parse) => KeyGen.Run(parse.GetValue(_output)!, parse.GetValue(_hostname)!, Console.Out, Console.Error);
}
