namespace RekorPosix.Tests.Support;

/// <summary>The known-answer data copied beside the test assembly (tests/testdata).</summary>
public static class TestData
{
    public static string Dir { get; } = Path.Combine(AppContext.BaseDirectory, "testdata");

    public static string PathOf(string relative) => Path.Combine(Dir, relative);

    public const string TesseraVkey = "example.com/log/testdata+33d7b496+AeHTu4Q3hEIMHNqc6fASMsq3rKNx280NI+oO5xCFkkSx";
    public const string TesseraOrigin = "example.com/log/testdata";

    /// <summary>Copies a test-data directory (dot-files included) to a writable place.</summary>
    public static void CopyDirectory(string from, string to)
    {
        Directory.CreateDirectory(to);
        foreach (string dir in Directory.EnumerateDirectories(from, "*", SearchOption.AllDirectories))
            Directory.CreateDirectory(Path.Combine(to, Path.GetRelativePath(from, dir)));
        foreach (string file in Directory.EnumerateFiles(from, "*", SearchOption.AllDirectories))
        {
            string target = Path.Combine(to, Path.GetRelativePath(from, file));
            File.Copy(file, target);
            File.SetUnixFileMode(target, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
        }
    }
}
