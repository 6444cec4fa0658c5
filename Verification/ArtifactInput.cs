using System.Security.Cryptography;

namespace RekorPosix.Verification;

/// <summary>
/// What a bundle is checked against, as the sigstore-conformance client protocol passes it: a file
/// on disk, or else <c>sha256:&lt;64 hex&gt;</c>, the digest of an artifact the verifier never sees.
/// https://github.com/sigstore/sigstore-conformance/blob/main/docs/cli_protocol.md
/// </summary>
public sealed record ArtifactInput(string Description, byte[] Sha256, string? FilePath)
{
    private const string DigestPrefix = "sha256:";

    /// <exception cref="ArgumentException">Neither an existing file nor a well-formed digest.</exception>
    public static ArtifactInput Parse(string fileOrDigest)
    {
        if (File.Exists(fileOrDigest))
        {
            using var stream = File.OpenRead(fileOrDigest);
            return new ArtifactInput(fileOrDigest, SHA256.HashData(stream), fileOrDigest);
        }
        if (fileOrDigest.StartsWith(DigestPrefix, StringComparison.Ordinal))
        {
            var hex = fileOrDigest[DigestPrefix.Length..];
            if (hex.Length == 64 && hex.All(Uri.IsHexDigit))
                return new ArtifactInput(fileOrDigest, Convert.FromHexString(hex), null);
            throw new ArgumentException($"{Quote.Bounded(fileOrDigest)}: a digest is sha256: and 64 hex digits");
        }
        throw new ArgumentException($"{Quote.Bounded(fileOrDigest)}: no such file, and not a sha256:<hex> digest");
    }

    /// <summary>The artifact's digest with <paramref name="algorithm"/> (a bundle's SHA2_256, SHA2_384
    /// or SHA2_512); null when that needs the file and only a digest was given.</summary>
    public byte[]? DigestWith(string algorithm)
    {
        if (algorithm == "SHA2_256")
            return Sha256;
        if (FilePath is null)
            return null;
        using var stream = File.OpenRead(FilePath);
        return algorithm switch
        {
            "SHA2_384" => SHA384.HashData(stream),
            "SHA2_512" => SHA512.HashData(stream),
            _ => throw new BundleRejectedException($"bundle: unsupported message digest algorithm {Quote.Bounded(algorithm)}"),
        };
    }
}
