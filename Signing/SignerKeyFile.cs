namespace RekorPosix.Signing;

/// <summary>Loading the log's signer key as the commands do: a file that group or others may
/// access is refused unless the operator allowed it, and the embedded default generates one.</summary>
public static class SignerKeyFile
{
    /// <summary>The flag that turns the permission refusal into a warning.</summary>
    public const string AllowInsecureFlag = "--allow-insecure-key-permissions";

    /// <exception cref="KeyFileException">Unusable key, or a key file others may access (not allowed).</exception>
    public static LogSigningKey Load(string path, string? password, bool allowInsecurePermissions, Action<string> warn)
    {
        ArgumentNullException.ThrowIfNull(warn);
        if (KeyFilePermissions.Problem(path) is { } problem)
        {
            if (!allowInsecurePermissions)
                throw new KeyFileException($"{problem} (or pass {AllowInsecureFlag} to only warn)");
            warn(problem);
        }
        return LogSigningKey.Load(path, password);
    }

    public static LogSigningKey LoadOrGenerate(string path, string? password, bool allowInsecurePermissions, Action<string> warn, out bool generated)
    {
        generated = false;
        if (!File.Exists(path))
        {
            Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
            using var fresh = LogSigningKey.GenerateEd25519();
            try
            {
                LogSigningKey.WriteNewKeyFile(path, fresh);
                generated = true;
            }
            catch (IOException) when (File.Exists(path))
            {
                // Another process generated it at the same moment: use theirs.
            }
        }
        return Load(path, password, allowInsecurePermissions, warn);
    }
}
