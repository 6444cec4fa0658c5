using System.Text;
using Microsoft.Extensions.Logging;
using RekorPosix.Signing;

namespace RekorPosix.Log.Posix;

/// <summary>
/// The <c>add</c> command: appends entries to a log directory through the same appender the
/// server uses (tessera's posix-oneshot, in spirit). Each index is printed the moment the entry
/// is durable, which makes it the driver of the crash tests: whatever was printed must survive
/// a SIGKILL at any point.
/// </summary>
public static class OfflineAppend
{
    public static async Task<int> RunAsync(string storageDir, string signerFile, string password, string origin,
        IReadOnlyList<string> files, bool stdinLines, AppendOptions options, TextWriter stdout, TextWriter stderr, CancellationToken cancel,
        bool allowInsecureKeyPermissions = false)
    {
        if (files.Count > 0 && stdinLines)
        {
            stderr.WriteLine("add: give files or --stdin-lines, not both");
            return 2;
        }
        // stdout carries the "index<TAB>name" lines scripts read: log lines go to stderr.
        using var loggerFactory = LoggerFactory.Create(b => b
            .AddConsole(o => o.LogToStandardErrorThreshold = LogLevel.Trace)
            .AddSimpleConsole(o => o.SingleLine = true)
            .SetMinimumLevel(LogLevel.Warning));
        AppendLifecycle log;
        LogSigningKey key;
        try
        {
            // The key must outlive the log: its signer is used by every publication.
            key = SignerKeyFile.Load(signerFile, password, allowInsecureKeyPermissions, problem => stderr.WriteLine($"add: warning: {problem}"));
        }
        catch (Exception e) when (e is KeyFileException or IOException or UnauthorizedAccessException)
        {
            stderr.WriteLine($"add: {e.Message}");
            return 1;
        }
        using var keyLifetime = key;
        try
        {
            // A log that keeps checkpoint history keeps the checkpoints add publishes too.
            log = await Flavour.StartLogAsync(storageDir, CheckpointSigner.For(key, origin), options, loggerFactory.CreateLogger("add"),
                keepHistory: Flavour.KeepsHistory(storageDir)).ConfigureAwait(false);
        }
        catch (Exception e) when (e is KeyFileException or LogStateException or LogFrozenException or IOException or ArgumentException or UnauthorizedAccessException)
        {
            stderr.WriteLine($"add: {e.Message}");
            return 1;
        }
        await using (log)
        {
            var output = new object();
            var adds = new List<Task<long>>();
            foreach (var (name, entry) in Entries(files, stdinLines))
            {
                var added = AddOne(log, name, entry, stdout, output);
                adds.Add(added);
            }
            long last = -1;
            foreach (var added in adds)
            {
                try
                {
                    last = Math.Max(last, await added.ConfigureAwait(false));
                }
                catch (Exception e)
                {
                    stderr.WriteLine($"add: {e.Message}");
                    return 1;
                }
            }
            if (last >= 0)
            {
                var checkpoint = await log.AwaitPublicationAsync(last, cancel).ConfigureAwait(false);
                stderr.WriteLine($"add: published checkpoint at size {checkpoint.Size}");
            }
        }
        return 0;
    }

    private static async Task<long> AddOne(AppendLifecycle log, string name, byte[] entry, TextWriter stdout, object output)
    {
        long index;
        while (true)
        {
            try
            {
                index = await log.AddAsync(entry, CancellationToken.None).ConfigureAwait(false);
                break;
            }
            catch (PushbackException)
            {
                // Offline there is nobody to send a 503 to: wait for the queue to drain.
                await Task.Delay(5).ConfigureAwait(false);
            }
        }
        lock (output)
            stdout.WriteLine($"{index}\t{name}");
        return index;
    }

    private static IEnumerable<(string Name, byte[] Entry)> Entries(IReadOnlyList<string> files, bool stdinLines)
    {
        if (stdinLines)
        {
            while (Console.In.ReadLine() is { } line)
                yield return (line, Encoding.UTF8.GetBytes(line));
            yield break;
        }
        foreach (string file in files)
            yield return (file, File.ReadAllBytes(file));
    }
}
