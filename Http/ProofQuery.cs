using Microsoft.AspNetCore.Http;
using RekorPosix.Verification;

namespace RekorPosix.Http;

/// <summary>
/// The query of a proof route, checked strictly: only the route's own parameters, each at most
/// once, sizes and indices as plain non-negative decimals. Every complaint names the parameter and
/// quotes at most a few characters of what was sent.
/// </summary>
internal sealed class ProofQuery
{
    /// <summary>Longer than any valid query of these routes (a 64-digit hash and two 19-digit numbers).</summary>
    public const int MaxLength = 256;

    private const int QuotedChars = 24;
    private readonly IQueryCollection _query;

    private ProofQuery(IQueryCollection query) => _query = query;

    /// <summary>The request's query, refused (400) when too long or when it holds a parameter
    /// not in <paramref name="allowed"/>, or one twice.</summary>
    public static ProofQuery Of(HttpRequest request, params string[] allowed)
    {
        if (request.QueryString.Value is { Length: > MaxLength })
            throw ApiErrors.Invalid($"the query is longer than {MaxLength} characters");
        foreach (var (name, values) in request.Query)
        {
            if (!allowed.Contains(name, StringComparer.Ordinal))
                throw ApiErrors.Invalid($"unknown parameter \"{Quote(name)}\" (allowed: {string.Join(", ", allowed)})");
            if (values.Count > 1)
                throw ApiErrors.Invalid($"{name} is given more than once");
        }
        return new ProofQuery(request.Query);
    }

    public bool Has(string name) => _query.ContainsKey(name);

    /// <summary>A required non-negative number.</summary>
    public long Number(string name) => OptionalNumber(name) ?? throw ApiErrors.Invalid($"{name} is missing");

    /// <summary>A non-negative number, or null when the parameter is absent.</summary>
    public long? OptionalNumber(string name)
    {
        if (!_query.TryGetValue(name, out var values))
            return null;
        string text = values.ToString();
        if (text.Length == 0)
            throw ApiErrors.Invalid($"{name} is empty");
        if (text[0] == '-' && text.Length > 1 && text.AsSpan(1).ContainsAnyExceptInRange('0', '9') is false)
            throw ApiErrors.Invalid($"{name} must not be negative");
        if (text.AsSpan().ContainsAnyExceptInRange('0', '9') || !long.TryParse(text, System.Globalization.NumberStyles.None,
                System.Globalization.CultureInfo.InvariantCulture, out long value))
            throw ApiErrors.Invalid($"{name} is not a number: \"{Quote(text)}\"");
        return value;
    }

    /// <summary>A SHA-256 hash given as 64 hex digits, or null when the parameter is absent.</summary>
    public byte[]? OptionalHash(string name)
    {
        if (!_query.TryGetValue(name, out var values))
            return null;
        string text = values.ToString();
        if (text.Length != 64 || text.AsSpan().ContainsAnyExcept("0123456789abcdefABCDEF"))
            throw ApiErrors.Invalid($"{name} must be 64 hex digits (a SHA-256 leaf hash), not \"{Quote(text)}\"");
        return Convert.FromHexString(text);
    }

    private static string Quote(string text) => BoundedText.Of(text, QuotedChars);
}
