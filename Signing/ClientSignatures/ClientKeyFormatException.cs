namespace RekorPosix.Signing.ClientSignatures;

/// <summary>Key material (SubjectPublicKeyInfo or certificate) that cannot be used.</summary>
public sealed class ClientKeyFormatException : Exception
{
    public ClientKeyFormatException(string message) : base(message)
    {
    }

    public ClientKeyFormatException(string message, Exception inner) : base(message, inner)
    {
    }
}
