using System.Diagnostics;

namespace RekorPosix.Tests.Support;

/// <summary>Starts the server's own executable as a child process: the published native binary
/// when REKOR_SERVER_BINARY names one, else the build beside the tests run through dotnet.</summary>
public static class ServerBinary
{
    public static ProcessStartInfo StartInfo(params string[] args)
    {
        string? native = Environment.GetEnvironmentVariable("REKOR_SERVER_BINARY");
        ProcessStartInfo info;
        if (!string.IsNullOrEmpty(native))
        {
            info = new ProcessStartInfo(native);
        }
        else
        {
            string dotnet = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet";
            info = new ProcessStartInfo(dotnet);
            info.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "rekor-server-posix.dll"));
        }
        foreach (string arg in args)
            info.ArgumentList.Add(arg);
        info.RedirectStandardInput = true;
        info.RedirectStandardOutput = true;
        info.RedirectStandardError = true;
        info.UseShellExecute = false;
        return info;
    }

    /// <summary>Runs to completion and returns (exit code, stdout, stderr).</summary>
    public static (int Code, string Out, string Err) Run(params string[] args)
    {
        using var process = Process.Start(StartInfo(args))!;
        process.StandardInput.Close();
        // Twice the usual hang guard: fsck of a large log under a loaded machine is slow, not hung.
        return ChildProcess.RunToEnd(process, $"rekor-server-posix {string.Join(' ', args)}", 2 * HangGuard.Timeout);
    }
}
