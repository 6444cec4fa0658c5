namespace RekorPosix.Commands;

/// <summary>Where a command that makes a document writes it: the <c>--output</c> file, else standard output.</summary>
internal static class CommandOutput
{
    public static void Write(byte[] document, string? path, Stream? stdout)
    {
        if (path is not null)
            File.WriteAllBytes(path, document);
        else
            (stdout ?? Console.OpenStandardOutput()).Write(document);
    }
}
