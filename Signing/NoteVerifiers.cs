namespace RekorPosix.Signing;

/// <summary>Builds note verifiers from C2SP verifier keys or from a log's public key.</summary>
public static class NoteVerifiers
{
    /// <summary>
    /// Parses <c>&lt;name&gt;+&lt;hex key ID&gt;+&lt;base64(type ‖ key)&gt;</c> for types 0x01 (Ed25519),
    /// 0x02 (ECDSA, DER SubjectPublicKeyInfo) and 0xff "PKIX-RSA-PKCS#1v1.5" (RSA, DER SubjectPublicKeyInfo).
    /// </summary>
    /// <exception cref="FormatException">Malformed, unsupported type, or the key ID does not match the key.</exception>
    public static INoteVerifier FromVerifierKey(string vkey)
    {
        var (name, key) = ParseVerifierKey(vkey);
        return key.CreateNoteVerifier(name);
    }

    /// <summary>The name and log key of a verifier key, parsed and checked as <see cref="FromVerifierKey"/> does.</summary>
    /// <exception cref="FormatException">Malformed, unsupported type, or the key ID does not match the key.</exception>
    public static (string Name, LogPublicKey Key) ParseVerifierKey(string vkey)
    {
        var text = VerifierKeyText.Parse(vkey);
        (string name, uint keyId, byte[] material) = (text.Name, text.KeyId, text.Material);

        LogPublicKey key;
        try
        {
            key = ParseMaterial(material);
        }
        catch (KeyFileException e)
        {
            throw new FormatException($"malformed verifier key: {e.Message}", e);
        }

        // Material the log would encode differently (e.g. a compressed EC point) would get a different key ID.
        if (!key.VerifierKeyMaterial().AsSpan().SequenceEqual(material))
        {
            throw new FormatException("malformed verifier key: the key is not in canonical DER form");
        }

        uint expected = key.KeyId(name);
        if (expected != keyId)
        {
            throw new FormatException($"verifier key ID {keyId:x8} does not match the key (expected {expected:x8})");
        }

        return (name, key);
    }

    /// <summary>The verifier for notes a log signs under <paramref name="origin"/> with this "PUBLIC KEY" PEM.</summary>
    /// <exception cref="KeyFileException">The PEM holds no usable public key.</exception>
    public static INoteVerifier FromPublicKeyPem(string pem, string origin)
    {
        ArgumentNullException.ThrowIfNull(pem);
        NoteKeyName.ThrowIfInvalid(origin, nameof(origin));
        return LogPublicKey.FromPem(pem).CreateNoteVerifier(origin);
    }

    private static LogPublicKey ParseMaterial(byte[] material)
    {
        ReadOnlySpan<byte> key = material.AsSpan(1);
        switch (material[0])
        {
            case LogPublicKey.Ed25519Type:
                return LogPublicKey.FromEd25519(key);
            case LogPublicKey.EcdsaType:
                LogPublicKey ecdsa = LogPublicKey.FromSubjectPublicKeyInfo(key);
                return ecdsa.KeyType is LogKeyType.EcdsaP256 or LogKeyType.EcdsaP384 or LogKeyType.EcdsaP521
                    ? ecdsa
                    : throw new FormatException("malformed verifier key: type 0x02 must hold an ECDSA key");
            case LogPublicKey.PrivateType:
                byte[] prefix = System.Text.Encoding.ASCII.GetBytes(LogPublicKey.RsaTypeName);
                if (!key.StartsWith(prefix))
                {
                    throw new FormatException("unsupported verifier key: type 0xff is only known as PKIX-RSA-PKCS#1v1.5");
                }

                LogPublicKey rsa = LogPublicKey.FromSubjectPublicKeyInfo(key[prefix.Length..]);
                return rsa.KeyType == LogKeyType.Rsa
                    ? rsa
                    : throw new FormatException("malformed verifier key: PKIX-RSA-PKCS#1v1.5 must hold an RSA key");
            default:
                throw new FormatException($"unsupported verifier key type 0x{material[0]:x2}");
        }
    }
}
