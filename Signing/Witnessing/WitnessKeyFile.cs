namespace RekorPosix.Signing.Witnessing;

/// <summary>
/// A witness's key file: Ed25519 PKCS#8 PEM like a log's key, created with mode 0600 when missing and
/// refused when group or others can access it, as <see cref="SignerKeyFile"/> does for the log key.
/// </summary>
public static class WitnessKeyFile
{
    /// <summary>The cosigner named <paramref name="name"/> with the key at <paramref name="path"/>.</summary>
    /// <exception cref="KeyFileException">The key is unusable, not Ed25519, or others may access it (not allowed).</exception>
    /// <exception cref="IOException">The new key could not be written.</exception>
    public static Cosigner LoadOrCreate(string path, string name, bool allowInsecurePermissions, Action<string> warn,
        TimeProvider clock, out bool created)
    {
        var key = SignerKeyFile.LoadOrGenerate(path, password: null, allowInsecurePermissions, warn, out created);
        try
        {
            return key.CreateCosigner(name, clock);
        }
        catch (KeyFileException e)
        {
            key.Dispose();
            throw new KeyFileException($"key file {path}: {e.Message}", e);
        }
        // An Ed25519 key holds nothing to dispose: the cosigner keeps using it.
    }
}
