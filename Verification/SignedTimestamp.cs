using System.Formats.Asn1;
using System.Security.Cryptography;
using System.Security.Cryptography.Pkcs;
using System.Security.Cryptography.X509Certificates;

namespace RekorPosix.Verification;

/// <summary>
/// An RFC 3161 timestamp from a bundle, over the artifact signature: decoded from the TimeStampResp
/// Sigstore stores (a bare TimeStampToken is accepted too), and verified against the trusted root's
/// timestamp authorities. Its time is the signing time a Rekor v2 entry, which has none, relies on.
/// https://www.rfc-editor.org/rfc/rfc3161#section-2.4.2
/// </summary>
public static class SignedTimestamp
{
    private const int Granted = 0;
    private const int GrantedWithMods = 1;

    /// <summary>The verified time of <paramref name="response"/> over <paramref name="signature"/>.</summary>
    /// <exception cref="BundleRejectedException">Malformed, not over this signature, or from no trusted authority.</exception>
    public static DateTimeOffset Verify(byte[] response, byte[] signature, IReadOnlyList<TrustedAuthority> authorities)
    {
        var token = Decode(response);
        var time = token.TokenInfo.Timestamp;
        if (authorities.Count == 0)
            throw new BundleRejectedException("timestamp: the trusted root has no timestamp authority");
        var problems = new List<string>();
        foreach (var authority in authorities)
        {
            if (!authority.ValidFor.Contains(time))
            {
                problems.Add($"{authority.Uri}: valid {authority.ValidFor}, not at {time:u}");
                continue;
            }
            var candidates = new X509Certificate2Collection(authority.Chain.ToArray());
            if (!token.VerifySignatureForData(signature, out var signer, candidates) || signer is null)
            {
                problems.Add($"{authority.Uri}: the token is not over this signature, or not signed by this authority");
                continue;
            }
            if (Certificates.ChainProblem(signer, authority, [], time, Certificates.TimeStamping) is { } chainProblem)
            {
                problems.Add($"{authority.Uri}: {chainProblem}");
                continue;
            }
            return time;
        }
        throw new BundleRejectedException($"timestamp of {time:u} does not verify: {string.Join("; ", problems)}");
    }

    private static Rfc3161TimestampToken Decode(byte[] response)
    {
        try
        {
            var token = TokenBytes(response);
            if (Rfc3161TimestampToken.TryDecode(token, out var decoded, out int consumed) && consumed == token.Length)
                return decoded;
        }
        catch (Exception e) when (e is AsnContentException or CryptographicException)
        {
            throw new BundleRejectedException($"timestamp: malformed ({e.Message})", e);
        }
        throw new BundleRejectedException("timestamp: not an RFC 3161 timestamp token");
    }

    /// <summary>The TimeStampToken inside a TimeStampResp, or the input if it is a token already.</summary>
    private static ReadOnlyMemory<byte> TokenBytes(byte[] response)
    {
        var outer = new AsnReader(response, AsnEncodingRules.BER);
        var sequence = outer.ReadSequence();
        outer.ThrowIfNotEmpty();
        if (sequence.PeekTag() == Asn1Tag.ObjectIdentifier)
            return response; // a ContentInfo: the token itself
        var status = sequence.ReadSequence();
        if (!status.TryReadInt32(out int value) || value is not (Granted or GrantedWithMods))
            throw new BundleRejectedException("timestamp: the authority did not grant it");
        if (!sequence.HasData)
            throw new BundleRejectedException("timestamp: the response holds no token");
        var token = sequence.ReadEncodedValue();
        sequence.ThrowIfNotEmpty();
        return token;
    }
}
