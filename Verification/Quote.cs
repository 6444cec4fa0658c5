namespace RekorPosix.Verification;

/// <summary>Quotes text taken from a bundle in a message: at most 100 characters, control characters
/// escaped, so that a crafted bundle cannot flood or forge the one line a verifier prints.</summary>
internal static class Quote
{
    private const int MaxLength = 100;

    public static string Bounded(string text)
    {
        var clipped = text.Length <= MaxLength ? text : text[..MaxLength] + "…";
        var builder = new System.Text.StringBuilder(clipped.Length + 2).Append('"');
        foreach (char c in clipped)
        {
            if (char.IsControl(c))
                builder.Append($"\\u{(int)c:x4}");
            else
                builder.Append(c);
        }
        return builder.Append('"').ToString();
    }
}
