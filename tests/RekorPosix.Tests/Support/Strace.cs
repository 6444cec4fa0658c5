using System.Diagnostics;

namespace RekorPosix.Tests.Support;

/// <summary>Runs the server's executable under strace, for tests that make a syscall fail on purpose.</summary>
public static class Strace
{
    /// <summary>Starts <c>strace {options} -- rekor-server-posix {args}</c> with every stream redirected.</summary>
    public static Process Start(IEnumerable<string> options, params string[] args)
    {
        var inner = ServerBinary.StartInfo(args);
        var info = new ProcessStartInfo("strace") { RedirectStandardError = true, RedirectStandardInput = true, RedirectStandardOutput = true };
        foreach (string option in options)
            info.ArgumentList.Add(option);
        info.ArgumentList.Add("--");
        info.ArgumentList.Add(inner.FileName);
        foreach (string arg in inner.ArgumentList)
            info.ArgumentList.Add(arg);
        return Run(info);
    }

    /// <summary>
    /// Starts <c>rekor-server-posix {args}</c>, waits until its thread <paramref name="readyThread"/>
    /// runs (start-up is over, e.g. "log-sequencer"), then attaches <c>strace -f {options}</c> to
    /// every thread. strace counts injections per thread from the attach, so start-up calls do
    /// not count. Returns (the server, strace); strace ends with the server.
    /// </summary>
    public static (Process Server, Process Tracer) StartThenAttach(string readyThread, IEnumerable<string> options, params string[] args)
    {
        var server = Process.Start(ServerBinary.StartInfo(args))!;
        var watch = Stopwatch.StartNew();
        while (!Threads(server.Id).Any(t => t.Name == readyThread))
        {
            if (server.HasExited || watch.Elapsed > HangGuard.Timeout)
                throw new InvalidOperationException($"no thread {readyThread} in rekor-server-posix {string.Join(' ', args)}");
            Thread.Sleep(10);
        }
        var info = new ProcessStartInfo("strace") { RedirectStandardError = true };
        info.ArgumentList.Add("-f");
        foreach (string option in options)
            info.ArgumentList.Add(option);
        info.ArgumentList.Add("-p");
        info.ArgumentList.Add(server.Id.ToString(System.Globalization.CultureInfo.InvariantCulture));
        var tracer = Run(info);
        while (!Threads(server.Id).All(t => t.TracerPid == tracer.Id))
        {
            if (tracer.HasExited || watch.Elapsed > HangGuard.Timeout)
                throw new InvalidOperationException($"strace did not attach: {tracer.StandardError.ReadToEnd()}");
            Thread.Sleep(10);
        }
        return (server, tracer);
    }

    private static IEnumerable<(string Name, int TracerPid)> Threads(int pid)
    {
        var threads = new List<(string, int)>();
        try
        {
            foreach (string task in Directory.EnumerateDirectories($"/proc/{pid}/task"))
            {
                string name = File.ReadAllText(Path.Combine(task, "comm")).Trim();
                string tracer = File.ReadLines(Path.Combine(task, "status")).First(l => l.StartsWith("TracerPid:", StringComparison.Ordinal));
                threads.Add((name, int.Parse(tracer["TracerPid:".Length..].Trim(), System.Globalization.CultureInfo.InvariantCulture)));
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return [("", -1)]; // a thread ended while we looked: not ready, look again
        }
        return threads;
    }

    private static Process Run(ProcessStartInfo info)
    {
        info.UseShellExecute = false;
        try
        {
            return Process.Start(info)!;
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new InvalidOperationException("this test needs strace (apt-get install strace)", e);
        }
    }
}
