using System.Diagnostics;

namespace RekorPosix.Tests.Support;

/// <summary>Runs the server's executable under strace, for tests that make a syscall fail on purpose.</summary>
public static class Strace
{
    /// <summary>Starts <c>strace {options} -- rekor-server-posix {args}</c> with every stream redirected.</summary>
    public static Process Start(IEnumerable<string> options, params string[] args)
    {
        var inner = ServerBinary.StartInfo(args);
        var info = new ProcessStartInfo("strace")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (string option in options)
            info.ArgumentList.Add(option);
        info.ArgumentList.Add("--");
        info.ArgumentList.Add(inner.FileName);
        foreach (string arg in inner.ArgumentList)
            info.ArgumentList.Add(arg);
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
