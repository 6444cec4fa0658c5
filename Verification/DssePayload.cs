using System.Globalization;
using System.Text;

namespace RekorPosix.Verification;

/// <summary>
/// What a DSSE envelope's signature covers (its pre-authentication encoding) and, for an in-toto
/// statement, the artifact digests it names. https://github.com/secure-systems-lab/dsse/blob/master/protocol.md
/// https://github.com/in-toto/attestation/blob/main/spec/v1/statement.md
/// </summary>
public static class DssePayload
{
    private const string InTotoPayloadType = "application/vnd.in-toto+json";

    /// <summary>PAE(type, body) = "DSSEv1" SP LEN(type) SP type SP LEN(body) SP body, lengths in ASCII decimal bytes.</summary>
    public static byte[] PreAuthenticationEncoding(string payloadType, byte[] payload)
    {
        var type = Encoding.UTF8.GetBytes(payloadType);
        var header = Encoding.ASCII.GetBytes(string.Create(CultureInfo.InvariantCulture, $"DSSEv1 {type.Length} "));
        var middle = Encoding.ASCII.GetBytes(string.Create(CultureInfo.InvariantCulture, $" {payload.Length} "));
        return [.. header, .. type, .. middle, .. payload];
    }

    /// <summary>True when the in-toto statement in the envelope names <paramref name="sha256"/> among its subjects.</summary>
    /// <exception cref="BundleRejectedException">The payload is not an in-toto statement.</exception>
    public static bool NamesSubject(BundleDsseEnvelope envelope, byte[] sha256)
    {
        if (envelope.PayloadType != InTotoPayloadType)
            throw new BundleRejectedException($"dsse: payload type {Quote.Bounded(envelope.PayloadType)} is not an in-toto statement, so it names no artifact");
        var wanted = Convert.ToHexStringLower(sha256);
        using var statement = JsonFields.Document(envelope.Payload, "the dsse payload");
        foreach (var subject in JsonFields.Array(statement.RootElement, "subject", "dsse payload"))
        {
            if (JsonFields.OptionalObject(subject, "digest", "dsse payload subject") is { } digests
                && JsonFields.OptionalString(digests, "sha256", "dsse payload subject digest") is { } hex
                && string.Equals(hex, wanted, StringComparison.OrdinalIgnoreCase))
                return true;
        }
        return false;
    }
}
