using RekorPosix.Tests.Support;

namespace RekorPosix.Tests.Fuzz;

/// <summary>
/// The kept inputs of one target: <c>tests/testdata/fuzz/TARGET/*</c> (interesting inputs and the
/// crashers found, each a regression test), with any <c>.txt</c> note beside a file left out.
/// </summary>
public static class FuzzCorpus
{
    public static IReadOnlyList<byte[]> Load(string target)
    {
        string dir = TestData.PathOf(Path.Combine("fuzz", target));
        if (!Directory.Exists(dir))
            return [];
        return [.. Directory.EnumerateFiles(dir)
            .Where(f => !f.EndsWith(".txt", StringComparison.Ordinal) && !f.EndsWith(".md", StringComparison.Ordinal))
            .Order(StringComparer.Ordinal)
            .Select(File.ReadAllBytes)];
    }

    public static IEnumerable<object[]> Names(string target)
    {
        string dir = TestData.PathOf(Path.Combine("fuzz", target));
        if (!Directory.Exists(dir))
            return [];
        return Directory.EnumerateFiles(dir)
            .Where(f => !f.EndsWith(".txt", StringComparison.Ordinal) && !f.EndsWith(".md", StringComparison.Ordinal))
            .Order(StringComparer.Ordinal)
            .Select(f => new object[] { Path.GetFileName(f) });
    }

    public static byte[] Read(string target, string name) =>
        File.ReadAllBytes(TestData.PathOf(Path.Combine("fuzz", target, name)));
}
