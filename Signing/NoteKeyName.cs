namespace RekorPosix.Signing;

/// <summary>The C2SP signed-note rules for key names (and so for log origins, which double as key names).</summary>
public static class NoteKeyName
{
    /// <summary>Non-empty, well-formed Unicode, no whitespace of any kind, no '+'.</summary>
    public static bool IsValid(string? name)
    {
        if (string.IsNullOrEmpty(name))
        {
            return false;
        }

        foreach (char c in name)
        {
            if (c == '+' || char.IsWhiteSpace(c) || char.IsControl(c))
            {
                return false;
            }
        }

        // A lone surrogate has no UTF-8 encoding, so the name could not appear in a note.
        return WellFormedText.IsWellFormed(name);
    }

    /// <summary>Throws <see cref="ArgumentException"/> unless <paramref name="name"/> is a valid key name.</summary>
    public static void ThrowIfInvalid(string? name, string paramName)
    {
        if (!IsValid(name))
        {
            throw new ArgumentException(
                $"invalid note key name \"{name}\": it must be non-empty and contain no whitespace, control characters or '+'",
                paramName);
        }
    }
}
