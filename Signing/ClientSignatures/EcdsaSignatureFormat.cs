namespace RekorPosix.Signing.ClientSignatures;

/// <summary>
/// Turns a client's ECDSA signature into fixed-width r ‖ s. Like sigstore's ECDSA verifier: if the
/// bytes look like an ASN.1 SEQUENCE of two INTEGERs (Go encoding/asn1, which tolerates extra bytes)
/// they must be a strict DER signature; otherwise they are IEEE P1363 r ‖ s (non-empty, even length,
/// at most 132 bytes).
/// </summary>
internal static class EcdsaSignatureFormat
{
    private const int MaxP1363Length = 132;

    /// <summary>False when the signature cannot be valid on a curve with this field size.</summary>
    public static bool TryToFixedWidth(ReadOnlySpan<byte> signature, int fieldSize, Span<byte> rs, out string problem)
    {
        if (LooksLikeAsn1(signature))
        {
            if (!TryReadStrictDer(signature, out var r, out var s))
            {
                problem = "invalid ASN.1 encoded signature";
                return false;
            }
            return TryPlace(r, s, fieldSize, rs, out problem);
        }

        if (signature.IsEmpty || signature.Length % 2 != 0 || signature.Length > MaxP1363Length)
        {
            problem = "invalid signature: neither ASN.1 nor IEEE P1363";
            return false;
        }
        var half = signature.Length / 2;
        return TryPlace(signature[..half], signature[half..], fieldSize, rs, out problem);
    }

    /// <summary>Go's encoding/asn1 view: SEQUENCE { INTEGER, INTEGER, ... } followed by anything.</summary>
    private static bool LooksLikeAsn1(ReadOnlySpan<byte> signature)
    {
        if (!DerElement.TryRead(signature, out var tag, out var contents, out _) || tag != DerElement.SequenceTag)
            return false;
        return DerElement.TryRead(contents, out tag, out var first, out var rest) && tag == DerElement.IntegerTag
            && DerElement.IsMinimalInteger(first)
            && DerElement.TryRead(rest, out tag, out var second, out _) && tag == DerElement.IntegerTag
            && DerElement.IsMinimalInteger(second);
    }

    /// <summary>Go's crypto/ecdsa view: exactly SEQUENCE { INTEGER r, INTEGER s }, both non-negative.</summary>
    private static bool TryReadStrictDer(ReadOnlySpan<byte> signature, out ReadOnlySpan<byte> r, out ReadOnlySpan<byte> s)
    {
        r = s = default;
        if (!DerElement.TryRead(signature, out var tag, out var contents, out var after) || tag != DerElement.SequenceTag
            || !after.IsEmpty)
            return false;
        if (!DerElement.TryRead(contents, out tag, out r, out var rest) || tag != DerElement.IntegerTag
            || !DerElement.TryRead(rest, out var tag2, out s, out rest) || tag2 != DerElement.IntegerTag
            || !rest.IsEmpty)
            return false;
        return DerElement.IsMinimalInteger(r) && DerElement.IsMinimalInteger(s) && (r[0] & 0x80) == 0 && (s[0] & 0x80) == 0;
    }

    /// <summary>Left-pads unsigned big-endian r and s into their halves; too wide means ≥ the group order.</summary>
    private static bool TryPlace(ReadOnlySpan<byte> r, ReadOnlySpan<byte> s, int fieldSize, Span<byte> rs, out string problem)
    {
        r = r.TrimStart((byte)0);
        s = s.TrimStart((byte)0);
        if (r.Length > fieldSize || s.Length > fieldSize)
        {
            problem = "signature value out of range";
            return false;
        }
        rs.Clear();
        r.CopyTo(rs[(fieldSize - r.Length)..fieldSize]);
        s.CopyTo(rs[(2 * fieldSize - s.Length)..]);
        problem = "";
        return true;
    }
}
