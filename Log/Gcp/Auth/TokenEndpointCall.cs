using System.Net;
using System.Text.Json;
using RekorPosix.Verification;

namespace RekorPosix.Log.Gcp.Auth;

/// <summary>
/// One request for a token (a form POST to a token endpoint, or the metadata server's GET) and
/// its answer read as <see cref="TokenResponse"/>, within a timeout. Failures become a
/// <see cref="CredentialsException"/> naming the credential source and the URL; the request's
/// body (assertion, refresh token, client secret) never reaches a message.
/// </summary>
internal static class TokenEndpointCall
{
    /// <summary>A token answer is a few hundred bytes; anything far larger is not one.</summary>
    private const int MaxAnswerBytes = 64 << 10;

    public static async Task<AccessToken> SendAsync(HttpClient http, Func<HttpRequestMessage> request, string source, TimeSpan timeout, CancellationToken cancel)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancel);
        deadline.CancelAfter(timeout);
        using var message = request();
        string where = message.RequestUri!.GetLeftPart(UriPartial.Path);
        try
        {
            using var response = await http.SendAsync(message, HttpCompletionOption.ResponseHeadersRead, deadline.Token).ConfigureAwait(false);
            byte[] body = await BoundedHttpBody.ReadAsync(response.Content, MaxAnswerBytes, deadline.Token).ConfigureAwait(false) ?? [];
            if (!response.IsSuccessStatusCode)
                throw Refused(source, where, response.StatusCode, body);
            return Parse(source, where, body);
        }
        catch (OperationCanceledException e) when (!cancel.IsCancellationRequested)
        {
            throw new CredentialsException($"{source}: no answer from {where} within {timeout.TotalSeconds:0.###} s", isTransient: true, e);
        }
        catch (HttpRequestException e)
        {
            throw new CredentialsException($"{source}: cannot reach {where}: {BoundedText.Of(e.Message)}", isTransient: true, e);
        }
    }

    private static AccessToken Parse(string source, string where, byte[] body)
    {
        TokenResponse? answer = null;
        try
        {
            answer = JsonSerializer.Deserialize(body, AuthJsonContext.Default.TokenResponse);
        }
        catch (JsonException)
        {
            // Reported below without quoting the body: it may hold a token.
        }
        if (answer is not { AccessToken: { Length: > 0 } token, ExpiresIn: > 0 and var seconds })
            throw new CredentialsException($"{source}: {where} answered 200 without an access_token and a positive expires_in");
        if (answer.TokenType is { } type && !type.Equals("Bearer", StringComparison.OrdinalIgnoreCase))
            throw new CredentialsException($"{source}: {where} gave a token of type '{BoundedText.Of(type, 40)}', not Bearer");
        return new AccessToken(token, TimeSpan.FromSeconds(seconds));
    }

    /// <summary>The endpoint's OAuth error code and description (they name the problem, e.g.
    /// invalid_grant: account not found), bounded; transient for 408, 429 and 5xx.</summary>
    private static CredentialsException Refused(string source, string where, HttpStatusCode status, byte[] body)
    {
        string reason = "";
        try
        {
            if (body.Length > 0 && JsonSerializer.Deserialize(body, AuthJsonContext.Default.TokenErrorResponse) is { Error: { Length: > 0 } error } refusal)
                reason = $": {BoundedText.Of(error, 60)}" + (refusal.ErrorDescription is { Length: > 0 } description ? $": {BoundedText.Of(description)}" : "");
        }
        catch (JsonException)
        {
            // Not an OAuth error body (a proxy's page, the metadata server's text): the status says enough.
        }
        int code = (int)status;
        bool transient = code is 408 or 429 or >= 500;
        return new CredentialsException($"{source}: {where} refused the token request (HTTP {code}){reason}", transient);
    }
}
