using System.Diagnostics;

namespace RekorPosix.Tests.Support;

/// <summary>Collects what a started child process prints until it exits.</summary>
public static class ChildProcess
{
    /// <summary>
    /// Reads stdout and stderr to the end (both at once, so a full pipe cannot block the child) and
    /// returns (exit code, stdout, stderr); a child still running after <paramref name="hangGuard"/>
    /// is killed with its children and the test fails with <paramref name="what"/>.
    /// </summary>
    public static (int Code, string Out, string Err) RunToEnd(Process process, string what, TimeSpan hangGuard)
    {
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(hangGuard))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"hang guard: {what} did not finish within {hangGuard}");
        }
        return (process.ExitCode, stdout.Result, stderr.Result);
    }
}
