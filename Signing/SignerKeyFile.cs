namespace RekorPosix.Signing;

/// <summary>The signer key of the embedded default: loaded if present, generated on first start.</summary>
public static class SignerKeyFile
{
    public static LogSigningKey LoadOrGenerate(string path, string? password, out bool generated)
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
        return LogSigningKey.Load(path, password);
    }
}
