using System.CommandLine;
using System.Globalization;
using System.Security.Cryptography;
using RekorPosix.Signing.ClientSignatures;
using RekorPosix.Verification;

namespace RekorPosix.Commands;

/// <summary>
/// <c>verify-bundle</c>: verifies a Sigstore bundle whose entry comes from a Rekor v2 log
/// (Verification/BundleVerifier), with the flags and exit codes of the sigstore-conformance client
/// protocol, so that its test cases can drive it: exit 0 when the bundle verifies, 1 with one line
/// saying why when it does not, 2 when an input cannot be read.
/// https://github.com/sigstore/sigstore-conformance/blob/main/docs/cli_protocol.md
/// </summary>
internal sealed class VerifyBundleCommand
{
    // A bundle with a long certificate chain is ~20 kB; a trusted root with every shard ~50 kB.
    private const int MaxDocumentBytes = 16 << 20;

    private readonly Option<string> _bundle = new("--bundle") { Description = "The Sigstore bundle (JSON) to verify.", Required = true };
    private readonly Option<string?> _identity = new("--certificate-identity") { Description = "The signer's identity: a SAN of the certificate, exactly." };
    private readonly Option<string?> _issuer = new("--certificate-oidc-issuer") { Description = "The OIDC issuer the certificate must name, exactly." };
    private readonly Option<string?> _key = new("--key") { Description = "PEM public key, for bundles signed with a key instead of a certificate." };
    private readonly Option<string?> _trustedRoot = new("--trusted-root") { Description = "Sigstore trusted root (JSON): the logs, Fulcio CAs and timestamp authorities to trust." };
    private readonly Argument<string> _artifact = new("FILE_OR_DIGEST") { Description = "The artifact: a file, or sha256:<64 hex> when only its digest is known." };
    private readonly TextWriter _stdout;
    private readonly TextWriter _stderr;

    public VerifyBundleCommand(TextWriter? stdout = null, TextWriter? stderr = null)
    {
        _stdout = stdout ?? Console.Out;
        _stderr = stderr ?? Console.Error;
        Command = new Command("verify-bundle", "Verify a Sigstore bundle from a Rekor v2 log: certificate or key, timestamp, signature, artifact and log entry. Exit 0 only if all hold.")
        {
            _bundle, _identity, _issuer, _key, _trustedRoot, _artifact,
        };
        Command.SetAction(Run);
    }

    public Command Command { get; }

    private int Run(ParseResult parse)
    {
        SigstoreBundle bundle;
        TrustedRoot root;
        VerificationPolicy policy;
        ArtifactInput artifact;
        try
        {
            policy = Policy(parse.GetValue(_identity), parse.GetValue(_issuer), parse.GetValue(_key));
            var rootFile = parse.GetValue(_trustedRoot)
                ?? throw new CommandInputException("--trusted-root FILE is required: this verifier does not fetch Sigstore's TUF repository");
            root = TrustedRootFrom(rootFile);
            artifact = CommandInput.Read("artifact", () => ArtifactInput.Parse(parse.GetValue(_artifact)!));
            bundle = Parsed(parse.GetValue(_bundle)!, SigstoreBundle.Parse);
        }
        catch (CommandInputException e)
        {
            _stderr.WriteLine($"verify-bundle: {e.Message}");
            return 2;
        }
        catch (BundleRejectedException e)
        {
            _stderr.WriteLine($"verify-bundle: FAILED: {e.Message}");
            return 1;
        }
        return Verify(bundle, artifact, root, policy);
    }

    private int Verify(SigstoreBundle bundle, ArtifactInput artifact, TrustedRoot root, VerificationPolicy policy)
    {
        try
        {
            var verified = BundleVerifier.Verify(bundle, artifact, root, policy);
            var signer = verified.Signer is { } identity ? $"{string.Join(", ", identity.SubjectAlternativeNames)} ({identity.Issuer})" : "the given key";
            var indices = string.Join(", ", verified.LogIndices.Select(i => i.ToString(CultureInfo.InvariantCulture)));
            var times = verified.SignedAt.Count > 0 ? $", timestamped {string.Join(", ", verified.SignedAt.Select(t => t.ToString("u", CultureInfo.InvariantCulture)))}" : "";
            _stdout.WriteLine($"OK: {artifact.Description} signed by {signer}{times}, logged at index {indices}");
            return 0;
        }
        catch (BundleRejectedException e)
        {
            _stderr.WriteLine($"verify-bundle: FAILED: {e.Message}");
            return 1;
        }
    }

    private static VerificationPolicy Policy(string? identity, string? issuer, string? keyFile)
    {
        if (keyFile is not null)
        {
            if (identity is not null || issuer is not null)
                throw new CommandInputException("give either --key or --certificate-identity with --certificate-oidc-issuer, not both");
            return VerificationPolicy.ForKey(CommandInput.Read($"--key {keyFile}", () => PublicKeyDer(File.ReadAllText(keyFile))));
        }
        if (string.IsNullOrEmpty(identity) || string.IsNullOrEmpty(issuer))
            throw new CommandInputException("say who must have signed: --certificate-identity ID with --certificate-oidc-issuer URL, or --key PEM");
        return VerificationPolicy.ForCertificate(identity, issuer);
    }

    /// <summary>The DER SubjectPublicKeyInfo of a "PUBLIC KEY" PEM, checked to be a key Sigstore signs with.</summary>
    private static byte[] PublicKeyDer(string pem)
    {
        if (!PemEncoding.TryFind(pem, out var fields) || pem[fields.Label] != "PUBLIC KEY")
            throw new FormatException("not a PEM \"PUBLIC KEY\"");
        var der = Convert.FromBase64String(pem[fields.Base64Data].ToString());
        try
        {
            SubjectPublicKeyInfoParser.Parse(der).Dispose();
        }
        catch (ClientKeyFormatException e)
        {
            throw new FormatException(e.Message, e);
        }
        return der;
    }

    /// <summary>A trusted root that cannot be used is an input problem, not a bundle that fails.</summary>
    private static TrustedRoot TrustedRootFrom(string path)
    {
        try
        {
            return Parsed(path, TrustedRoot.Parse);
        }
        catch (BundleRejectedException e)
        {
            throw new CommandInputException($"--trusted-root {e.Message}", e);
        }
    }

    private static T Parsed<T>(string path, Func<ReadOnlyMemory<byte>, T> parse)
    {
        var bytes = CommandInput.Read(path, () =>
        {
            using var stream = File.OpenRead(path);
            if (stream.Length > MaxDocumentBytes)
                throw new IOException($"larger than {MaxDocumentBytes} bytes");
            var data = new byte[stream.Length];
            stream.ReadExactly(data);
            return data;
        });
        try
        {
            return parse(bytes);
        }
        catch (BundleRejectedException e)
        {
            throw new BundleRejectedException($"{path}: {e.Message}", e);
        }
    }
}
