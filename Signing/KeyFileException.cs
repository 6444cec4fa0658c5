namespace RekorPosix.Signing;

/// <summary>A private or public key file that cannot be used: unreadable, malformed, wrongly encrypted or of an unsupported type.</summary>
public sealed class KeyFileException : Exception
{
    public KeyFileException()
    {
    }

    public KeyFileException(string message)
        : base(message)
    {
    }

    public KeyFileException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
