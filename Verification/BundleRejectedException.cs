namespace RekorPosix.Verification;

/// <summary>
/// A bundle that does not verify, or cannot be read: the message is the one line a verifier prints
/// to say why. Input the bundle's author controls is quoted only in bounded form.
/// </summary>
public sealed class BundleRejectedException(string message, Exception? inner = null) : Exception(message, inner);
