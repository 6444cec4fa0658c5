using Org.BouncyCastle.Crypto.Parameters;
using Org.BouncyCastle.Math.EC.Rfc8032;

namespace RekorPosix.Signing;

/// <summary>Pure Ed25519 (RFC 8032) over the note text; deterministic, 64-byte signatures.</summary>
internal sealed class Ed25519NoteSigner(string name, uint keyId, Ed25519PrivateKeyParameters key) : INoteSigner
{
    public string Name { get; } = name;

    public uint KeyId { get; } = keyId;

    public byte[] Sign(ReadOnlySpan<byte> message)
    {
        var signature = new byte[Ed25519.SignatureSize];
        key.Sign(Ed25519.Algorithm.Ed25519, null, message, signature);
        return signature;
    }
}
