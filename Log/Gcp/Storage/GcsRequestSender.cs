using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using RekorPosix.Log.Gcp.Auth;
using RekorPosix.Verification;

namespace RekorPosix.Log.Gcp.Storage;

/// <summary>
/// Sends <see cref="GcsCall"/>s: a bearer token on each (none for the emulator), the headers
/// Google's clients send (<see cref="GoogleClientHeaders"/>), a timeout on
/// each try, the body included; an idempotent call tried again with jittered exponential backoff
/// on 408, 429, 5xx, a timeout, a network error or a transient token failure (spec
/// gcp-spanner-flavour.md §5.5). A 401 gets one fresh token and one more try whatever the call:
/// GCS did nothing with the refused request.
/// </summary>
internal sealed class GcsRequestSender(HttpClient http, GcsEndpoint endpoint, GcsSettings settings)
{
    private const int MaxErrorBodyBytes = 16 << 10;

    public GcsEndpoint Endpoint => endpoint;

    /// <summary>The answer to <paramref name="call"/> handed to <paramref name="read"/>, which maps
    /// its status and reads its body within the try's timeout.</summary>
    public async Task<T> SendAsync<T>(GcsCall call, Func<HttpResponseMessage, CancellationToken, Task<T>> read, CancellationToken cancel)
    {
        bool refreshed = false;
        for (int attempt = 1; ; attempt++)
        {
            bool last = !call.Idempotent || attempt >= settings.Attempts;
            using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancel);
            deadline.CancelAfter(settings.CallTimeout);
            try
            {
                using var request = call.Request();
                string? token = endpoint.Tokens is { } tokens ? await tokens.GetAccessTokenAsync(deadline.Token).ConfigureAwait(false) : null;
                if (token is not null)
                    request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
                GoogleClientHeaders.AddTo(request.Headers, endpoint.QuotaProject);
                using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, deadline.Token).ConfigureAwait(false);
                if (response.StatusCode == HttpStatusCode.Unauthorized && token is not null && !refreshed)
                {
                    refreshed = true;
                    await endpoint.Tokens!.GetFreshAccessTokenAsync(token, deadline.Token).ConfigureAwait(false);
                    attempt--;
                    continue;
                }
                if (last || !IsRetryable(response.StatusCode))
                    return await read(response, deadline.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException e) when (!cancel.IsCancellationRequested)
            {
                if (last)
                    throw new GcsException($"{call}: no answer from {endpoint} within {settings.CallTimeout.TotalSeconds:0.###} s{Tries(attempt)}", inner: e);
            }
            catch (HttpRequestException e)
            {
                if (last)
                    throw new GcsException($"{call}: cannot reach {endpoint}: {BoundedText.Of(e.Message)}{Tries(attempt)}", inner: e);
            }
            catch (CredentialsException e) when (e.IsTransient && !last)
            {
                // Tried again below, like a network error.
            }
            catch (IOException e) when (e is not GcsException and not CredentialsException)
            {
                // The connection broke while the body was read (the answer ended early).
                if (last)
                    throw new GcsException($"{call}: the answer from {endpoint} broke off: {BoundedText.Of(e.Message)}{Tries(attempt)}", inner: e);
            }
            await Task.Delay(Backoff(attempt), cancel).ConfigureAwait(false);
        }
    }

    /// <summary>The failure for an answer the operation does not expect, with the API's message.</summary>
    public async Task<GcsException> UnexpectedAsync(GcsCall call, HttpResponseMessage response, CancellationToken cancel)
    {
        string message = "";
        try
        {
            byte[]? body = await BoundedHttpBody.ReadAsync(response.Content, MaxErrorBodyBytes, cancel).ConfigureAwait(false);
            if (body is { Length: > 0 } && JsonSerializer.Deserialize(body, GcsJsonContext.Default.GcsErrorResponse)?.Error?.Message is { Length: > 0 } text)
                message = ": " + BoundedText.Of(text);
        }
        catch (JsonException)
        {
            // A proxy's page, not the API's error JSON: the status says enough.
        }
        int status = (int)response.StatusCode;
        string tried = call.Idempotent && IsRetryable(response.StatusCode) ? Tries(settings.Attempts) : "";
        return new GcsException($"{call}: {endpoint} answered HTTP {status}{message}{tried}", response.StatusCode);
    }

    private static bool IsRetryable(HttpStatusCode status) => (int)status is 408 or 429 or >= 500;

    private static string Tries(int attempts) => attempts > 1 ? $" ({attempts} tries)" : "";

    private TimeSpan Backoff(int attempt)
    {
        double factor = Math.Pow(2, Math.Min(attempt - 1, 16));
        var ceiling = TimeSpan.FromTicks((long)Math.Min(settings.InitialBackoff.Ticks * factor, settings.MaxBackoff.Ticks));
        return ceiling / 2 + ceiling / 2 * Random.Shared.NextDouble();
    }
}
