using System.CommandLine;
using RekorPosix.Commands;
using RekorPosix.Http;
using RekorPosix.Log;

// The command tree only: each command's class (Commands/) declares its flags and calls into the
// folder that owns the work.
var serve = new ServeCommand();
var root = new RootCommand($"RekorPosix: a Rekor v2 transparency log, {Flavour.Description}.") { serve.Command };
// Commands only this binary's storage flavour has (offline work on a log directory for posix).
foreach (var command in Flavour.Commands())
    root.Subcommands.Add(command);
root.Subcommands.Add(new KeygenCommand().Command);
// Every flavour's binary can run a witness: its state is local files, whatever the log's storage.
root.Subcommands.Add(new WitnessCommand().Command);
root.Subcommands.Add(new VerifyCheckpointCommand().Command);
root.Subcommands.Add(new VerifyBundleCommand().Command);
root.Subcommands.Add(new BundleCommand().Command);
root.Subcommands.Add(new TrustedRootCommand().Command);
// Every flavour's binary can monitor a log: it reads tlog-tiles files, by URL or in a directory.
var monitor = new MonitorCommand();
root.Subcommands.Add(monitor.Command);
root.Subcommands.Add(new VersionCommand().Command);

// System.CommandLine prints serve's thirty-odd flags as one list; ours groups them.
if (args is ["serve", "--help" or "-h" or "-?"])
{
    Console.Out.Write(GroupedHelp.Render(serve.Command, $"rekor-server-{Flavour.Name} serve [options]", serve.HelpGroups));
    return 0;
}
// serve's flags may also come from REKOR_<NAME> and a config file: added as ordinary tokens.
if (args is ["serve", ..])
{
    try
    {
        args = FlagSources.Expand(args, serve.SettableFlagNames, Environment.GetEnvironmentVariable);
    }
    catch (FormatException e)
    {
        Console.Error.WriteLine($"serve: {e.Message}");
        return 2;
    }
}

var parsed = root.Parse(args);
if (monitor.RefusesParseErrors(parsed, Console.Error))
    return 2;
// The server handles SIGTERM itself (graceful drain, final checkpoint): System.CommandLine must not cut it short.
return await parsed.InvokeAsync(new InvocationConfiguration { ProcessTerminationTimeout = null });
