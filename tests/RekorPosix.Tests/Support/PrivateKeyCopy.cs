using System.Collections.Concurrent;

namespace RekorPosix.Tests.Support;

/// <summary>Test-data private keys as the commands accept them: git checks files out 0644, and a
/// signer key that group or others can read is refused, so tests use a 0600 copy.</summary>
public static class PrivateKeyCopy
{
    private static readonly ConcurrentDictionary<string, Lazy<string>> Copies = new();

    /// <summary>The path of a 0600 copy of <c>tests/testdata/<paramref name="relative"/></c>.</summary>
    public static string Of(string relative) => Copies.GetOrAdd(relative, r => new Lazy<string>(() => Make(r))).Value;

    private static string Make(string relative)
    {
        string dir = Path.Combine(AppContext.BaseDirectory, "private-keys");
        Directory.CreateDirectory(dir);
        string copy = Path.Combine(dir, relative.Replace('/', '_'));
        File.Copy(TestData.PathOf(relative), copy, overwrite: true);
        File.SetUnixFileMode(copy, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        return copy;
    }
}
