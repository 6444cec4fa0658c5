namespace RekorPosix.Signing;

/// <summary>Checkpoint key algorithms a log can sign with (rekor-v2-api.md §5.2).</summary>
public enum LogKeyType
{
    Ed25519,
    EcdsaP256,
    EcdsaP384,
    EcdsaP521,
    Rsa,
}
