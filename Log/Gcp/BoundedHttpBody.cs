namespace RekorPosix.Log.Gcp;

/// <summary>An HTTP answer's body read whole, up to a limit: a token answer, an API error or an
/// object is bounded in size, and an answer far larger is not what was asked for.</summary>
internal static class BoundedHttpBody
{
    /// <summary>The body, or null when it is longer than <paramref name="maxBytes"/>.</summary>
    public static async Task<byte[]?> ReadAsync(HttpContent content, int maxBytes, CancellationToken cancel)
    {
        long? length = content.Headers.ContentLength;
        if (length > maxBytes)
            return null;
        using var buffer = new MemoryStream((int)(length ?? 0));
        await using var stream = await content.ReadAsStreamAsync(cancel).ConfigureAwait(false);
        byte[] chunk = new byte[81920];
        for (int read; (read = await stream.ReadAsync(chunk, cancel).ConfigureAwait(false)) > 0;)
        {
            if (buffer.Length + read > maxBytes)
                return null;
            buffer.Write(chunk, 0, read);
        }
        return buffer.ToArray();
    }
}
