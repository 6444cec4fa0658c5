namespace RekorPosix.Verification;

/// <summary>Quotes text taken from a bundle in a verifier's one-line answer: in double quotes, at
/// most 100 characters, control characters shown (<see cref="BoundedText"/>).</summary>
internal static class Quote
{
    private const int MaxLength = 100;

    public static string Bounded(string text) => $"\"{BoundedText.Of(text, MaxLength)}\"";
}
