using Microsoft.AspNetCore.Http;

namespace RekorPosix.Http;

/// <summary>Reads a request body up to a limit, so an oversized upload costs at most the limit.</summary>
public static class RequestBody
{
    private const int InitialCapacityCap = 64 * 1024;

    /// <summary>The whole body, or null when it is longer than <paramref name="limit"/> bytes.</summary>
    public static async Task<byte[]?> ReadAsync(HttpRequest request, long limit, CancellationToken cancel)
    {
        if (request.ContentLength > limit)
            return null;
        // The announced length only sizes the first buffer up to a small cap: a client that
        // promises the limit and sends nothing must not cost the limit (thousands of them would
        // hold gigabytes). Beyond the cap the buffer grows with what really arrives.
        var buffer = new MemoryStream(request.ContentLength is { } length ? (int)Math.Min(length, InitialCapacityCap) : 4096);
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
