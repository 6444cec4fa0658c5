using System.CommandLine;

namespace RekorPosix.Log.Posix;

/// <summary><c>search</c>: the flags of the offline search; SearchCommand does the work.</summary>
internal sealed class SearchCommandLine
{
    private readonly Option<string> _storageDir = new("--storage-dir") { Description = "Log directory.", Required = true };
    private readonly Option<string[]> _digest = Repeatable("--digest", "Artifact digest ALGORITHM:HEX (sha256, sha384, sha512, sha3-256, sha3-384).");
    private readonly Option<string[]> _publicKey = Repeatable("--public-key", "File with a PEM (or DER) public key or certificate: entries signed with that key.");
    private readonly Option<string[]> _email = Repeatable("--email", "Email address in a signing certificate (compared case-insensitively).");
    private readonly Option<string[]> _uri = Repeatable("--uri", "URI in a signing certificate (a CI workflow identity, for instance).");
    private readonly Option<string[]> _oidcIssuer = Repeatable("--oidc-issuer", "OIDC issuer of a signing certificate (Fulcio's extension).");
    private readonly Option<string> _operator = new("--operator") { Description = "and: entries matching every criterion; or: any.", DefaultValueFactory = _ => "or" };

    public SearchCommandLine()
    {
        Command = new Command("search", "Find entries of a log directory by digest, key or certificate identity: brings .state/search.db up to date from the entry bundles (creating it if absent; safe beside a running server), then prints the matching indices, one per line, ascending.")
        {
            _storageDir, _digest, _publicKey, _email, _uri, _oidcIssuer, _operator,
        };
        Command.SetAction(RunAsync);
    }

    public Command Command { get; }

    private static Option<string[]> Repeatable(string name, string description) =>
        new(name) { Description = description + " May be repeated.", AllowMultipleArgumentsPerToken = false, Arity = ArgumentArity.ZeroOrMore };

    private Task<int> RunAsync(ParseResult parse, CancellationToken cancel) => SearchCommand.RunAsync(parse.GetValue(_storageDir)!,
        new SearchCriteriaFlags(parse.GetValue(_digest) ?? [], parse.GetValue(_publicKey) ?? [], parse.GetValue(_email) ?? [],
            parse.GetValue(_uri) ?? [], parse.GetValue(_oidcIssuer) ?? [], parse.GetValue(_operator)!),
        Console.Out, Console.Error, cancel);
}
