using System.Reflection;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace RekorPosix.Http;

/// <summary>Version and build facts for <c>version</c>, start-up logs and (later) metrics.</summary>
public static class BuildInfo
{
    /// <summary>The informational version: <c>0.1.0+&lt;commit&gt;</c> when built from git.</summary>
    public static string Version { get; } =
        typeof(BuildInfo).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "unknown";

    /// <summary>The git commit the binary was built from, or "unknown".</summary>
    public static string Revision => Version.Contains('+') ? Version[(Version.IndexOf('+') + 1)..] : "unknown";

    /// <summary>When the binary was built (UTC, ISO 8601), from the assembly metadata the build stamps.</summary>
    public static string BuildDate { get; } =
        typeof(BuildInfo).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().FirstOrDefault(a => a.Key == "BuildDate")?.Value ?? "unknown";

    // The flavour this binary was compiled for (-p:Backend): its name is the executable's.
    public const string Backend = Log.Flavour.Name;

    public static string Describe() =>
        $"rekor-server-{Backend} {Version}\n" +
        $"runtime: {RuntimeInformation.FrameworkDescription} ({(RuntimeFeature.IsDynamicCodeSupported ? "JIT" : "native AOT")})\n" +
        $"platform: {RuntimeInformation.RuntimeIdentifier}";
}
