namespace RekorPosix.Signing;

/// <summary>Checks that a .NET string has a UTF-8 encoding, i.e. holds no lone surrogate.</summary>
internal static class WellFormedText
{
    internal static bool IsWellFormed(ReadOnlySpan<char> s)
    {
        for (int i = 0; i < s.Length; i++)
        {
            if (!char.IsSurrogate(s[i]))
            {
                continue;
            }

            if (!char.IsHighSurrogate(s[i]) || i + 1 >= s.Length || !char.IsLowSurrogate(s[i + 1]))
            {
                return false;
            }

            i++;
        }

        return true;
    }
}
