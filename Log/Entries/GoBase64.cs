namespace RekorPosix.Log.Entries;

/// <summary>
/// Decodes protojson <c>bytes</c> exactly as Go's protojson does: the URL-safe alphabet if the text
/// holds '-' or '_', else the standard one; padding required when the length is a multiple of 4 and
/// forbidden otherwise; '\r' and '\n' ignored anywhere (Go's base64 does that); non-zero trailing
/// bits tolerated. .NET's decoders differ on every one of these points.
/// </summary>
internal static class GoBase64
{
    private const string StandardAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    private const string UrlAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

    // Each ASCII character's value in the alphabet, -1 when it is not in it: a lookup per
    // character instead of a search (a search per character was 2% of the write path's CPU).
    private static readonly sbyte[] s_standardValues = ValuesOf(StandardAlphabet);
    private static readonly sbyte[] s_urlValues = ValuesOf(UrlAlphabet);

    public static bool TryDecode(string text, out byte[] bytes)
    {
        bytes = [];
        var values = text.AsSpan().IndexOfAny('-', '_') >= 0 ? s_urlValues : s_standardValues;
        // Go measures the UTF-8 length; any non-ASCII character fails decoding below anyway.
        var padded = text.Length % 4 == 0;
        var output = new byte[text.Length / 4 * 3 + 3];
        var written = 0;
        var at = 0;
        Span<int> quantum = stackalloc int[4];
        while (at < text.Length)
        {
            quantum.Clear();
            var count = 0;
            var finished = false;
            while (count < 4)
            {
                if (at == text.Length)
                {
                    if (count == 0)
                        break;
                    if (count == 1 || padded)
                        return false;
                    finished = true;
                    break;
                }
                var c = text[at++];
                var value = c < 128 ? values[c] : -1;
                if (value >= 0)
                {
                    quantum[count++] = value;
                    continue;
                }
                if (c is '\n' or '\r')
                    continue;
                if (!padded || c != '=' || count < 2)
                    return false;
                if (count == 2)
                {
                    // "==" expected; newlines may sit between the two.
                    at = SkipNewlines(text, at);
                    if (at == text.Length || text[at] != '=')
                        return false;
                    at++;
                }
                // Only newlines may follow the padding.
                if (SkipNewlines(text, at) != text.Length)
                    return false;
                at = text.Length;
                finished = true;
                break;
            }
            if (count == 0)
                break; // only newlines were left

            var bits = (quantum[0] << 18) | (quantum[1] << 12) | (quantum[2] << 6) | quantum[3];
            output[written++] = (byte)(bits >> 16);
            if (count > 2)
                output[written++] = (byte)(bits >> 8);
            if (count > 3)
                output[written++] = (byte)bits;
            if (finished)
                break;
        }
        bytes = output.AsSpan(0, written).ToArray();
        return true;
    }

    private static sbyte[] ValuesOf(string alphabet)
    {
        var values = new sbyte[128];
        Array.Fill(values, (sbyte)-1);
        for (int i = 0; i < alphabet.Length; i++)
            values[alphabet[i]] = (sbyte)i;
        return values;
    }

    private static int SkipNewlines(string text, int at)
    {
        while (at < text.Length && text[at] is '\n' or '\r')
            at++;
        return at;
    }
}
