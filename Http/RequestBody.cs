using Microsoft.AspNetCore.Http;

namespace RekorPosix.Http;

/// <summary>Reads a request body up to a limit, so an oversized upload costs at most the limit.</summary>
public static class RequestBody
{
    /// <summary>The whole body, or null when it is longer than <paramref name="limit"/> bytes.</summary>
    public static async Task<byte[]?> ReadAsync(HttpRequest request, long limit, CancellationToken cancel)
    {
        if (request.ContentLength > limit)
            return null;
        var buffer = new MemoryStream(request.ContentLength is { } length ? (int)length : 4096);
        byte[] chunk = new byte[16 * 1024];
        while (true)
        {
            int read = await request.Body.ReadAsync(chunk, cancel).ConfigureAwait(false);
            if (read == 0)
                return buffer.ToArray();
            if (buffer.Length + read > limit)
                return null;
            buffer.Write(chunk, 0, read);
        }
    }
}
