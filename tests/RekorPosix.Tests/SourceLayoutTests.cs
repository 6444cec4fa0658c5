using System.Text.RegularExpressions;

namespace RekorPosix.Tests;

/// <summary>
/// The seams the build relies on, checked on the source itself: each binary compiles one driver
/// folder (-p:Backend), so nothing outside a driver's folder may name what is in it, and the libc
/// interop is in one place. A violation compiles fine for posix and breaks every other flavour.
/// </summary>
public class SourceLayoutTests
{
    private static readonly string Root = FindRoot();

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "RekorPosix.csproj")))
                return dir.FullName;
        }
        throw new InvalidOperationException($"no RekorPosix.csproj above {AppContext.BaseDirectory}");
    }

    /// <summary>The product's and the bench's sources, relative to the repository, without build output or tests.</summary>
    private static IEnumerable<string> ProductSources() =>
        Directory.EnumerateFiles(Root, "*.cs", SearchOption.AllDirectories)
            .Select(f => Path.GetRelativePath(Root, f))
            .Where(f => !f.StartsWith("tests/", StringComparison.Ordinal) && !f.Contains("/obj/", StringComparison.Ordinal)
                && !f.Contains("/bin/", StringComparison.Ordinal) && !f.StartsWith("obj/", StringComparison.Ordinal)
                && !f.StartsWith("bin/", StringComparison.Ordinal) && !f.StartsWith("out/", StringComparison.Ordinal));

    [Fact]
    public void NothingOutsideTheDriverFolder_NamesThePosixDriver()
    {
        var names = new Regex(@"\bRekorPosix\.Log\.Posix\b|\b(PosixStorage|PosixReader|StatePaths|TreeState)\b");
        var sources = ProductSources().ToList();
        Assert.Contains("Log/Posix/PosixStorage.cs", sources);
        var offenders = sources
            .Where(f => !f.StartsWith("Log/Posix/", StringComparison.Ordinal))
            .Where(f => names.IsMatch(File.ReadAllText(Path.Combine(Root, f))))
            .ToList();
        Assert.True(offenders.Count == 0, "outside Log/Posix/, these name the POSIX driver: " + string.Join(", ", offenders));
    }

    [Fact]
    public void LibcIsImportedOnlyInInterop_EachFunctionOnce()
    {
        var import = new Regex(@"\[(?:LibraryImport|DllImport)\(""libc"",\s*EntryPoint\s*=\s*""(\w+)""");
        var imports = ProductSources()
            .SelectMany(f => import.Matches(File.ReadAllText(Path.Combine(Root, f))).Select(m => (File: f, Function: m.Groups[1].Value)))
            .ToList();
        Assert.Contains(imports, i => i.Function == "fsync");
        Assert.All(imports, i => Assert.StartsWith("Interop/", i.File));
        var twice = imports.GroupBy(i => i.Function).Where(g => g.Count() > 1).Select(g => g.Key).ToList();
        Assert.True(twice.Count == 0, "imported more than once: " + string.Join(", ", twice));
    }
}
