using System.CommandLine;
using RekorPosix.Http;

namespace RekorPosix.Commands;

/// <summary><c>version</c>: print the version and build facts (Http/BuildInfo).</summary>
internal sealed class VersionCommand
{
    public VersionCommand()
    {
        Command = new Command("version", "Print the version and build facts.");
        Command.SetAction(Run);
    }

    public Command Command { get; }

    private static int Run(ParseResult parse)
    {
        Console.Out.WriteLine(BuildInfo.Describe());
        return 0;
    }
}
