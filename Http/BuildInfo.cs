using System.Reflection;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace RekorPosix.Http;

/// <summary>Version and build facts for <c>version</c>, start-up logs and (later) metrics.</summary>
public static class BuildInfo
{
    public static string Version { get; } =
        typeof(BuildInfo).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "unknown";

#if BACKEND_POSIX
    public const string Backend = "posix";
#else
    public const string Backend = "unknown";
#endif

    public static string Describe() =>
        $"rekor-server-{Backend} {Version}\n" +
        $"runtime: {RuntimeInformation.FrameworkDescription} ({(RuntimeFeature.IsDynamicCodeSupported ? "JIT" : "native AOT")})\n" +
        $"platform: {RuntimeInformation.RuntimeIdentifier}";
}
