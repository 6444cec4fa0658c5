using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Google.Protobuf;
using RekorPosix.Log.Entries;
using RekorPosix.Protos.CommonV1;
using RekorPosix.Protos.RekorV2;
using RekorPosix.Signing.ClientSignatures;

namespace RekorPosix.Verification;

/// <summary>
/// Verifies a Sigstore bundle whose entry comes from a Rekor v2 log, in this order (the first failure
/// is the answer): the RFC 3161 timestamps (the only signing time a Rekor v2 entry has), the signing
/// certificate (chained to a trusted Fulcio CA at that time, its identity and issuer as required) or
/// the given key, the artifact (its digest, or for DSSE the in-toto subject), the signature, and
/// every log entry (<see cref="LoggedEntryCheck"/>). Witness cosignatures on checkpoints are not required.
/// https://docs.sigstore.dev/about/bundle/
/// </summary>
public static class BundleVerifier
{
    private static readonly HashedRekordValidator Signatures = new(AllowedAlgorithms.Default);

    /// <exception cref="BundleRejectedException">The bundle does not verify: the message says why.</exception>
    public static VerifiedBundle Verify(SigstoreBundle bundle, ArtifactInput artifact, TrustedRoot root, VerificationPolicy policy)
    {
        var signedAt = bundle.SignedTimestamps.Select(t => SignedTimestamp.Verify(t, bundle.Signature, root.TimestampAuthorities)).ToList();
        CertificateIdentity? signer = null;
        if (bundle.Certificate is { } certificate)
            signer = VerifyCertificate(certificate, bundle.ChainCertificates, root, policy, signedAt);
        else if (policy.PublicKey is null)
            throw new BundleRejectedException("the bundle is signed with a key, not a certificate: give the key with --key");
        if (bundle.LogEntries.Count == 0)
            throw new BundleRejectedException("the bundle has no transparency log entry");
        var digest = SignedDigest(bundle, artifact);
        var time = signedAt.Count > 0 ? signedAt.Min() : (DateTimeOffset?)null;
        var indices = new List<long>();
        foreach (var entry in bundle.LogEntries)
        {
            var body = RebuiltBody(bundle, policy, digest, LoggedEntryCheck.KeyDetailsOf(entry));
            indices.Add(LoggedEntryCheck.Verify(entry, body, root, time));
        }
        return new VerifiedBundle(indices, signedAt, signer);
    }

    private static CertificateIdentity VerifyCertificate(X509Certificate2 certificate, IReadOnlyList<X509Certificate2> extra, TrustedRoot root,
        VerificationPolicy policy, IReadOnlyList<DateTimeOffset> signedAt)
    {
        if (policy.PublicKey is not null)
            throw new BundleRejectedException("the bundle is signed with a certificate: verify it with --certificate-identity and --certificate-oidc-issuer, not --key");
        if (signedAt.Count == 0)
            throw new BundleRejectedException("the bundle has no RFC 3161 timestamp: a Rekor v2 entry records no time, so nothing shows the certificate was valid when it signed");
        foreach (var time in signedAt)
        {
            if (time < certificate.NotBefore.ToUniversalTime() || time > certificate.NotAfter.ToUniversalTime())
                throw new BundleRejectedException($"the timestamp {time:u} is outside the certificate's validity ({certificate.NotBefore.ToUniversalTime():u} to {certificate.NotAfter.ToUniversalTime():u})");
            if (ChainProblem(certificate, extra, root, time) is { } problem)
                throw new BundleRejectedException($"the certificate does not chain to a trusted Fulcio CA at {time:u}: {problem}");
        }
        var identity = IdentityOf(certificate);
        if (!identity.SubjectAlternativeNames.Contains(policy.Identity, StringComparer.Ordinal))
            throw new BundleRejectedException($"the certificate is for {Describe(identity.SubjectAlternativeNames)}, not {Quote.Bounded(policy.Identity ?? "")}");
        if (!string.Equals(identity.Issuer, policy.Issuer, StringComparison.Ordinal))
            throw new BundleRejectedException($"the certificate's OIDC issuer is {(identity.Issuer is { } issuer ? Quote.Bounded(issuer) : "missing")}, not {Quote.Bounded(policy.Issuer ?? "")}");
        return identity;
    }

    private static CertificateIdentity IdentityOf(X509Certificate2 certificate)
    {
        try
        {
            return CertificateIdentity.Read(certificate.RawData);
        }
        catch (FormatException e)
        {
            throw new BundleRejectedException($"certificate: {e.Message}", e);
        }
    }

    private static string? ChainProblem(X509Certificate2 certificate, IReadOnlyList<X509Certificate2> extra, TrustedRoot root, DateTimeOffset time)
    {
        var problems = new List<string>();
        foreach (var authority in root.CertificateAuthorities.Where(ca => ca.ValidFor.Contains(time)))
        {
            if (Certificates.ChainProblem(certificate, authority, extra, time, Certificates.CodeSigning) is not { } problem)
                return null;
            problems.Add($"{authority.Uri}: {problem}");
        }
        return problems.Count > 0 ? string.Join("; ", problems) : "no CA of the trusted root is valid then";
    }

    /// <summary>The digest the signature covers, once the artifact is shown to be the one signed.</summary>
    private static byte[] SignedDigest(SigstoreBundle bundle, ArtifactInput artifact)
    {
        if (bundle.Dsse is { } envelope)
        {
            if (!DssePayload.NamesSubject(envelope, artifact.Sha256))
                throw new BundleRejectedException($"the in-toto statement does not name {artifact.Description} (sha256 {Convert.ToHexStringLower(artifact.Sha256)}) as a subject");
            return SHA256.HashData(DssePayload.PreAuthenticationEncoding(envelope.PayloadType, envelope.Payload));
        }
        var message = bundle.MessageSignature!;
        var algorithm = message.DigestAlgorithm ?? "SHA2_256";
        var digest = artifact.DigestWith(algorithm)
            ?? throw new BundleRejectedException($"the bundle signs a {algorithm} digest: give the artifact file, not its sha256");
        if (message.Digest is { } signed && !signed.AsSpan().SequenceEqual(digest))
            throw new BundleRejectedException($"{artifact.Description} is not the artifact the bundle signed (its {algorithm} digest differs)");
        return digest;
    }

    /// <summary>The canonical body a log would make of this signature: rebuilt, and the signature
    /// verified on the way, by the same code the server runs on a write.</summary>
    private static byte[] RebuiltBody(SigstoreBundle bundle, VerificationPolicy policy, byte[] digest, string keyDetails)
    {
        var details = KeyDetailsNames.Find(keyDetails)
            ?? throw new BundleRejectedException($"the logged entry names unknown keyDetails {Quote.Bounded(keyDetails)}");
        var verifier = new Verifier { KeyDetails = details };
        if (bundle.Certificate is { } certificate)
            verifier.X509Certificate = new Protos.CommonV1.X509Certificate { RawBytes = ByteString.CopyFrom(certificate.RawData) };
        else
            verifier.PublicKey = new Protos.RekorV2.PublicKey { RawBytes = ByteString.CopyFrom(policy.PublicKey) };
        var request = new CreateEntryRequest
        {
            HashedRekordRequestV002 = new HashedRekordRequestV002
            {
                Digest = ByteString.CopyFrom(digest),
                Signature = new Signature { Content = ByteString.CopyFrom(bundle.Signature), Verifier = verifier },
            },
        };
        try
        {
            return Signatures.Validate(request).CanonicalBody;
        }
        catch (InvalidEntryException e)
        {
            throw new BundleRejectedException($"signature: {e.Detail}", e);
        }
    }

    private static string Describe(IReadOnlyList<string> names) =>
        names.Count == 0 ? "no email or URI identity" : string.Join(", ", names.Take(4).Select(Quote.Bounded));
}
