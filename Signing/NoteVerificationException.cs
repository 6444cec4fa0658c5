namespace RekorPosix.Signing;

/// <summary>A well-formed note whose signatures do not establish it: a known key's signature is bad, or no known key signed it.</summary>
public sealed class NoteVerificationException : Exception
{
    public NoteVerificationException()
    {
    }

    public NoteVerificationException(string message)
        : base(message)
    {
    }

    public NoteVerificationException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
