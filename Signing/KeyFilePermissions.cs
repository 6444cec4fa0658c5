using System.Globalization;

namespace RekorPosix.Signing;

/// <summary>OpenSSH's rule for private keys, applied to the log's signer key: the key is the log's
/// whole identity, so a file that group or others may access is a mistake worth stopping for.</summary>
public static class KeyFilePermissions
{
    private const UnixFileMode GroupOrOthers =
        UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.GroupExecute |
        UnixFileMode.OtherRead | UnixFileMode.OtherWrite | UnixFileMode.OtherExecute;

    /// <summary>What is wrong with the file's mode and how to fix it; null when only the owner has
    /// access, or when the file cannot be examined (loading it then says why).</summary>
    public static string? Problem(string path) => Problem(path, Environment.GetEnvironmentVariable("CREDENTIALS_DIRECTORY"));

    /// <summary>As <see cref="Problem(string)"/>. A systemd credential (LoadCredential=) is private by
    /// construction: mode 0400 plus an ACL entry for the service user, whose ACL mask shows in the
    /// group bits, so files under <paramref name="credentialsDirectory"/> are not judged by mode.</summary>
    public static string? Problem(string path, string? credentialsDirectory)
    {
        if (!string.IsNullOrEmpty(credentialsDirectory) &&
            Path.GetFullPath(path).StartsWith(Path.TrimEndingDirectorySeparator(Path.GetFullPath(credentialsDirectory)) + "/", StringComparison.Ordinal))
            return null;
        UnixFileMode mode;
        try
        {
            // Follows symlinks: the mode that matters is that of the key itself.
            mode = File.GetUnixFileMode(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
        if ((mode & GroupOrOthers) == 0)
            return null;
        string octal = Convert.ToString((int)mode & 0xFFF, 8).PadLeft(4, '0');
        return string.Create(CultureInfo.InvariantCulture,
            $"key file {path} has mode {octal}: group or others can access it; make it private to its owner with: chmod 600 {path}");
    }
}
