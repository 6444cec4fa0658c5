namespace RekorPosix.Signing.ClientSignatures;

/// <summary>The key families a client may sign with.</summary>
public enum ClientKeyKind
{
    Rsa,
    Ecdsa,
    Ed25519,
}
