namespace RekorPosix.Signing;

/// <summary>
/// The error for a key that does not decrypt. The Go server passes an empty password by default, so an
/// empty password is tried like any other; when it fails, the message says a password is needed.
/// </summary>
internal static class DecryptionFailure
{
    internal static KeyFileException WrongPassword(string what, string password, Exception inner) =>
        password.Length == 0
            ? new KeyFileException($"the {what} is encrypted: a password is needed to decrypt it (the empty password does not fit)", inner)
            : new KeyFileException($"cannot decrypt the {what}: wrong password or corrupt data", inner);
}
