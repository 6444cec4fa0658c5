namespace RekorPosix.Signing;

/// <summary>The fixed RFC 8410 DER encodings of Ed25519 keys (no parameters, no optional fields).</summary>
internal static class Ed25519Der
{
    internal const int KeySize = 32;

    internal const string Oid = "1.3.101.112";

    // SEQUENCE { SEQUENCE { OID 1.3.101.112 }, BIT STRING (0 unused bits) <32 bytes> }
    private static readonly byte[] SpkiPrefix = [0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x03, 0x21, 0x00];

    // SEQUENCE { INTEGER 0, SEQUENCE { OID 1.3.101.112 }, OCTET STRING { OCTET STRING <32-byte seed> } },
    // the form `openssl genpkey -algorithm ed25519` writes and Go's x509.MarshalPKCS8PrivateKey produces.
    private static readonly byte[] Pkcs8Prefix =
        [0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x04, 0x22, 0x04, 0x20];

    internal static byte[] SubjectPublicKeyInfo(ReadOnlySpan<byte> publicKey) => Concat(SpkiPrefix, publicKey);

    internal static byte[] Pkcs8(ReadOnlySpan<byte> seed) => Concat(Pkcs8Prefix, seed);

    private static byte[] Concat(byte[] prefix, ReadOnlySpan<byte> key)
    {
        if (key.Length != KeySize)
        {
            throw new ArgumentException($"an Ed25519 key is {KeySize} bytes, not {key.Length}", nameof(key));
        }

        var der = new byte[prefix.Length + KeySize];
        prefix.CopyTo(der, 0);
        key.CopyTo(der.AsSpan(prefix.Length));
        return der;
    }
}
