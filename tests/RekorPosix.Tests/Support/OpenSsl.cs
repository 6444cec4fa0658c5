using System.ComponentModel;
using System.Diagnostics;

namespace RekorPosix.Tests.Support;

/// <summary>The <c>openssl</c> command line, as an implementation independent of .NET's and
/// BouncyCastle's. Its absence fails the calling test: a skipped interop check would look green.</summary>
public static class OpenSsl
{
    /// <summary>Runs <c>openssl {args}</c> to completion and returns (exit code, stdout, stderr).</summary>
    public static (int Code, string Out, string Err) Run(params string[] args)
    {
        var info = new ProcessStartInfo("openssl")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (string arg in args)
            info.ArgumentList.Add(arg);
        Process process;
        try
        {
            process = Process.Start(info)!;
        }
        catch (Win32Exception e)
        {
            throw new InvalidOperationException(
                "this test needs the openssl command line, which was not found on PATH (tests/run.sh installs the Debian package openssl): "
                + e.Message, e);
        }
        using (process)
            return ChildProcess.RunToEnd(process, $"openssl {string.Join(' ', args)}", HangGuard.Timeout);
    }

    /// <summary>Runs openssl and fails the test, with openssl's own words, unless it exits 0.</summary>
    public static string Check(params string[] args)
    {
        var (code, output, error) = Run(args);
        Assert.True(code == 0, $"openssl {string.Join(' ', args)} exited {code}: {error}");
        return output;
    }
}
