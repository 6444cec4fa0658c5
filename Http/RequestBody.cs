using System.Buffers;
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
        if (request.ContentLength is { } announced && announced <= InitialCapacityCap)
            return await ReadAnnouncedAsync(request, (int)announced, cancel).ConfigureAwait(false);
        // The announced length only sizes the first buffer up to a small cap: a client that
        // promises the limit and sends nothing must not cost the limit (thousands of them would
        // hold gigabytes). Beyond the cap the buffer grows with what really arrives.
        var buffer = new MemoryStream(request.ContentLength is { } length ? (int)Math.Min(length, InitialCapacityCap) : 4096);
        byte[] chunk = ArrayPool<byte>.Shared.Rent(16 * 1024);
        try
        {
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
        finally
        {
            ArrayPool<byte>.Shared.Return(chunk);
        }
    }

    /// <summary>
    /// The usual case, a small body of announced length: read straight into one array of that size
    /// (one allocation per request instead of a stream, a chunk and a copy). Kestrel never hands
    /// out more than Content-Length bytes and fails the read if the client sends fewer.
    /// </summary>
    private static async Task<byte[]> ReadAnnouncedAsync(HttpRequest request, int length, CancellationToken cancel)
    {
        byte[] body = new byte[length];
        int filled = 0;
        while (filled < length)
        {
            int read = await request.Body.ReadAsync(body.AsMemory(filled), cancel).ConfigureAwait(false);
            if (read == 0)
                return body[..filled];
            filled += read;
        }
        return body;
    }
}
