using System.Net;
using RekorPosix.Http;
using RekorPosix.Verification;

namespace RekorPosix.Monitoring;

/// <summary>
/// A log read over HTTP (<c>--url</c>): <c>GET &lt;url&gt;/&lt;path&gt;</c> as https://c2sp.org/tlog-tiles
/// serves it, from this program's server, a static file server, a CDN or a public Rekor v2 shard.
/// Every request has <see cref="RequestTimeout"/> for its whole answer, body included; a network
/// error, a timeout, a 5xx or a 429 is retried twice, a second and then two apart, before the
/// read is given up (exit 2). 404 is "the log does not have it"; any other status is an input error.
/// </summary>
internal sealed class HttpLogSource : ILogSource
{
    public static readonly TimeSpan RequestTimeout = TimeSpan.FromSeconds(30);

    private const int Attempts = 3;
    private static readonly TimeSpan RetryPause = TimeSpan.FromSeconds(1);

    private readonly HttpClient _client;
    private readonly Uri _base;

    public HttpLogSource(string url, HttpMessageHandler? handler = null)
    {
        // A trailing slash makes relative paths resolve under the prefix instead of beside it.
        if (!Uri.TryCreate(url.TrimEnd('/') + "/", UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https")
            || uri.Query.Length > 0 || uri.Fragment.Length > 0)
            throw new MonitorInputException($"--url {BoundedText.Of(url)}: not an http(s) URL prefix");
        _base = uri;
        // Some servers compress tiles when asked; the checks apply to the decompressed bytes.
        _client = new HttpClient(handler ?? new SocketsHttpHandler { AutomaticDecompression = DecompressionMethods.All })
        {
            Timeout = Timeout.InfiniteTimeSpan, // RequestTimeout is applied per request, body included
        };
        _client.DefaultRequestHeaders.TryAddWithoutValidation("User-Agent", $"rekor-server-{BuildInfo.Backend}-monitor/{BuildInfo.Version}");
    }

    public string Location => _base.ToString().TrimEnd('/');

    public async Task<byte[]?> TryReadAsync(string path, int maxBytes, CancellationToken cancel)
    {
        var uri = new Uri(_base, path);
        for (int attempt = 1; ; attempt++)
        {
            try
            {
                return await GetAsync(uri, path, maxBytes, cancel).ConfigureAwait(false);
            }
            catch (TransientFailure e)
            {
                if (attempt == Attempts)
                    throw new MonitorInputException($"{uri}: {e.Message} ({Attempts} attempts)", e.InnerException);
                await Task.Delay(RetryPause * attempt, cancel).ConfigureAwait(false);
            }
        }
    }

    private async Task<byte[]?> GetAsync(Uri uri, string path, int maxBytes, CancellationToken cancel)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancel);
        deadline.CancelAfter(RequestTimeout);
        try
        {
            using var response = await _client.GetAsync(uri, HttpCompletionOption.ResponseHeadersRead, deadline.Token).ConfigureAwait(false);
            if (response.StatusCode == HttpStatusCode.NotFound)
                return null;
            string status = $"HTTP {(int)response.StatusCode} {BoundedText.Of(response.ReasonPhrase, 60)}";
            if ((int)response.StatusCode >= 500 || response.StatusCode == HttpStatusCode.TooManyRequests)
                throw new TransientFailure(status);
            if (!response.IsSuccessStatusCode)
                throw new MonitorInputException($"{uri}: {status}");
            if (response.Content.Headers.ContentLength > maxBytes)
                throw TooLarge(path, response.Content.Headers.ContentLength.Value, maxBytes);
            await using var body = await response.Content.ReadAsStreamAsync(deadline.Token).ConfigureAwait(false);
            if (response.Content.Headers.ContentLength is { } length)
            {
                // The usual case: read straight into an array of the right size (bundles are hundreds of KiB).
                var data = new byte[length];
                await body.ReadExactlyAsync(data, deadline.Token).ConfigureAwait(false);
                return data;
            }
            return await ReadCappedAsync(body, path, maxBytes, deadline.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (e is HttpRequestException or IOException)
        {
            throw new TransientFailure(BoundedText.Of(e.Message), e);
        }
        catch (OperationCanceledException e) when (!cancel.IsCancellationRequested)
        {
            throw new TransientFailure($"no complete answer within {RequestTimeout.TotalSeconds:F0} s", e);
        }
    }

    private static async Task<byte[]> ReadCappedAsync(Stream body, string path, int maxBytes, CancellationToken cancel)
    {
        var buffer = new MemoryStream();
        var chunk = new byte[64 * 1024];
        int read;
        while ((read = await body.ReadAsync(chunk, cancel).ConfigureAwait(false)) > 0)
        {
            if (buffer.Length + read > maxBytes)
                throw TooLarge(path, buffer.Length + read, maxBytes);
            buffer.Write(chunk, 0, read);
        }
        return buffer.ToArray();
    }

    private static LogVerificationException TooLarge(string path, long length, int maxBytes) =>
        new($"{path} is at least {length} bytes, more than any such file may hold ({maxBytes})");

    public void Dispose() => _client.Dispose();

    /// <summary>A failure worth another attempt: the network, a timeout, an overloaded server.</summary>
    private sealed class TransientFailure(string message, Exception? inner = null) : Exception(message, inner);
}
