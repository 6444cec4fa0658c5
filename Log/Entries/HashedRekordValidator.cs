using Google.Protobuf;
using RekorPosix.Protos.CommonV1;
using RekorPosix.Protos.RekorV2;
using RekorPosix.Signing.ClientSignatures;

namespace RekorPosix.Log.Entries;

/// <summary>
/// Turns a decoded CreateEntry request into a log entry, following rekor-tiles' hashedrekord
/// checks in their order (the first failure wins). Only the key's real type and the hash named by
/// keyDetails matter; keyDetails itself is stored as sent even when it does not describe the key.
/// Thread-safe.
/// </summary>
public sealed class HashedRekordValidator
{
    private readonly AllowedAlgorithms _allowed;

    public HashedRekordValidator(AllowedAlgorithms allowed)
    {
        _allowed = allowed;
    }

    /// <exception cref="InvalidEntryException">The request cannot be logged.</exception>
    public ValidatedEntry Validate(CreateEntryRequest request)
    {
        switch (request.SpecCase)
        {
            case CreateEntryRequest.SpecOneofCase.HashedRekordRequestV002:
                return Validate(request.HashedRekordRequestV002);
            case CreateEntryRequest.SpecOneofCase.DsseRequestV002:
                throw InvalidEntryException.InvalidType("dsse entries are no longer accepted");
            default:
                throw InvalidEntryException.InvalidType("the request holds no entry");
        }
    }

    private ValidatedEntry Validate(HashedRekordRequestV002 request)
    {
        // Steps 1-4: required parts.
        var signature = request.Signature;
        if (signature is null || signature.Content.IsEmpty)
            throw Invalid("missing signature");
        var verifier = signature.Verifier ?? throw Invalid("missing verifier");
        if (request.Digest.IsEmpty)
            throw Invalid("missing digest");
        var keyMaterial = KeyMaterialOf(verifier);

        // Step 5: the key, from a bare key or a certificate (DER only, no certificate checks).
        using var key = ParseKey(verifier, keyMaterial);

        // Step 6: keyDetails only selects the hash.
        var algorithm = SignatureAlgorithmRegistry.Find(verifier.KeyDetails)
            ?? throw Invalid("getting key algorithm details: could not find algorithm details for known signature algorithm: "
                             + KeyDetailsNames.Name(verifier.KeyDetails));
        var digestAlgorithm = algorithm.Digest;

        // Step 7: the real key with that hash must be allowed.
        if (!_allowed.Permits(key, digestAlgorithm))
            throw Invalid(AllowedAlgorithms.DescribeRefusal(key, digestAlgorithm));

        // Step 8: pure Ed25519 has no digest to sign over.
        if (digestAlgorithm == DigestAlgorithm.None)
            throw Invalid($"unsupported signing algorithm {KeyDetailsNames.Name(verifier.KeyDetails)} for hashedrekord: "
                          + "no associated digest algorithm");

        // Step 9.
        var digest = request.Digest.Span;
        if (digest.Length != digestAlgorithm.Size())
            throw Invalid($"digest length ({digest.Length}) does not match expected size ({digestAlgorithm.Size()}) "
                          + $"for algorithm {digestAlgorithm.GoName()}");

        // Step 10: the supplied digest is verified as is.
        if (!ClientSignatureVerifier.Verify(key, digestAlgorithm, digest, signature.Content.Span, out var problem))
            throw Invalid($"verifying signature: {problem}");

        // Step 11.
        var data = new HashOutput { Algorithm = digestAlgorithm.ToProto(), Digest = request.Digest };
        return ValidatedEntry.FromCanonicalBody(CanonicalBody.Build(data, signature));
    }

    private static ByteString KeyMaterialOf(Verifier verifier)
    {
        switch (verifier.VerifierCase)
        {
            case Verifier.VerifierOneofCase.PublicKey:
                return verifier.PublicKey.RawBytes.IsEmpty
                    ? throw Invalid("invalid verifier: missing public key raw bytes")
                    : verifier.PublicKey.RawBytes;
            case Verifier.VerifierOneofCase.X509Certificate:
                return verifier.X509Certificate.RawBytes.IsEmpty
                    ? throw Invalid("invalid verifier: missing X.509 certificate raw bytes")
                    : verifier.X509Certificate.RawBytes;
            default:
                throw Invalid("invalid verifier: missing signature public key or X.509 certificate");
        }
    }

    private static ClientPublicKey ParseKey(Verifier verifier, ByteString keyMaterial)
    {
        try
        {
            return verifier.VerifierCase == Verifier.VerifierOneofCase.PublicKey
                ? SubjectPublicKeyInfoParser.Parse(keyMaterial.Memory)
                : CertificateKeyReader.ReadPublicKey(keyMaterial.Memory);
        }
        catch (ClientKeyFormatException e)
        {
            var what = verifier.VerifierCase == Verifier.VerifierOneofCase.PublicKey ? "public key" : "certificate";
            throw Invalid($"parsing {what}: {e.Message}");
        }
    }

    private static InvalidEntryException Invalid(string detail) => InvalidEntryException.InvalidHashedRekord(detail);
}
