namespace RekorPosix.Signing;

/// <summary>The <c>keygen</c> command: a new Ed25519 checkpoint key, written 0600, and what an
/// operator needs to publish about it (public key, log ID for the TrustedRoot, verifier key).</summary>
public static class KeyGen
{
    public static int Run(string output, string origin, TextWriter stdout, TextWriter stderr)
    {
        using var key = LogSigningKey.GenerateEd25519();
        try
        {
            LogSigningKey.WriteNewKeyFile(output, key);
        }
        catch (IOException e)
        {
            stderr.WriteLine($"keygen: cannot write {output}: {e.Message}");
            return 1;
        }
        catch (UnauthorizedAccessException e)
        {
            stderr.WriteLine($"keygen: cannot write {output}: {e.Message}");
            return 1;
        }
        stdout.WriteLine($"Wrote private key {output} (mode 0600)");
        Describe(key, origin, stdout);
        return 0;
    }

    /// <summary>Prints the public facts about a log key for an origin.</summary>
    public static void Describe(LogSigningKey key, string origin, TextWriter output)
    {
        output.Write(key.PublicKeyPem.TrimEnd('\n') + "\n");
        output.WriteLine($"Origin: {origin}");
        output.WriteLine($"Log ID: {Convert.ToBase64String(key.LogId(origin))}");
        output.WriteLine($"Log ID (hex): {Convert.ToHexString(key.LogId(origin)).ToLowerInvariant()}");
        output.WriteLine($"Verifier key: {key.VerifierKey(origin)}");
    }
}
