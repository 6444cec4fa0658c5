using System.Globalization;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using RekorPosix.Log.Search;
using RekorPosix.Verification;

namespace RekorPosix.Http.Search;

/// <summary>
/// A search as <c>/api/v2/index/retrieve</c> takes it: Rekor v1's <c>index/retrieve</c> fields
/// (<c>hash</c>, <c>publicKey</c> {format x509, content}, <c>email</c>, <c>operator</c> and|or,
/// default or as rekor-cli's) plus <c>uri</c>, <c>oidcIssuer</c>, <c>pageSize</c> and
/// <c>pageToken</c>, from a JSON body (POST) or query parameters (GET). Anything wrong is an
/// <see cref="ApiException"/> 400 naming the field.
/// </summary>
internal sealed record IndexRetrieveRequest(SearchQuery Query, int PageSize, long After)
{
    public const int DefaultPageSize = 100;
    public const int MaxPageSize = 1000;

    private static readonly JsonReaderOptions Json = new() { MaxDepth = 4 };

    /// <summary>The criteria and paging fields, as read: text values, the key's content as bytes.</summary>
    private sealed class Fields
    {
        public readonly Dictionary<string, string> Text = [];
        public byte[]? PublicKey;
    }

    public static IndexRetrieveRequest FromJson(ReadOnlySpan<byte> body)
    {
        var fields = new Fields();
        try
        {
            var reader = new Utf8JsonReader(body, Json);
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
                throw ApiErrors.Invalid("the body is not a JSON object");
            ReadObject(ref reader, fields);
            if (reader.Read())
                throw ApiErrors.Invalid("the body holds more than one JSON value");
        }
        catch (JsonException e)
        {
            throw ApiErrors.Invalid($"the body is not JSON: {BoundedText.Of(e.Message, 100)}");
        }
        return From(fields);
    }

    public static IndexRetrieveRequest FromQuery(IQueryCollection query)
    {
        var fields = new Fields();
        foreach (var (name, values) in query)
        {
            if (values.Count != 1)
                throw ApiErrors.Invalid($"{Quoted(name)} is given {values.Count} times");
            string value = values[0] ?? "";
            if (name == "publicKey")
                fields.PublicKey = Base64(value, "publicKey");
            else if (name is "publicKeyFormat")
                CheckFormat(value);
            else
                Remember(fields, name, value);
        }
        return From(fields);
    }

    private static void ReadObject(ref Utf8JsonReader reader, Fields fields)
    {
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            string name = reader.GetString()!;
            reader.Read();
            if (reader.TokenType == JsonTokenType.Null)
                continue;
            if (name == "publicKey")
            {
                if (fields.PublicKey is not null)
                    throw ApiErrors.Invalid("publicKey is given twice");
                fields.PublicKey = ReadPublicKey(ref reader);
            }
            else if (name == "pageSize" && reader.TokenType == JsonTokenType.Number)
            {
                Remember(fields, name, Encoding.UTF8.GetString(reader.ValueSpan));
            }
            else if (reader.TokenType == JsonTokenType.String)
            {
                Remember(fields, name, reader.GetString()!);
            }
            else
            {
                Known(name);
                throw ApiErrors.Invalid($"{name} is not a string");
            }
        }
    }

    /// <summary>{"format":"x509","content":"BASE64"}.</summary>
    private static byte[] ReadPublicKey(ref Utf8JsonReader reader)
    {
        if (reader.TokenType != JsonTokenType.StartObject)
            throw ApiErrors.Invalid("publicKey is not an object");
        byte[]? content = null;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            string name = reader.GetString()!;
            reader.Read();
            if (reader.TokenType != JsonTokenType.String)
                throw ApiErrors.Invalid($"publicKey.{Quoted(name)} is not a string");
            switch (name)
            {
                case "format":
                    CheckFormat(reader.GetString()!);
                    break;
                case "content":
                    content = Base64(reader.GetString()!, "publicKey.content");
                    break;
                default:
                    throw ApiErrors.Invalid($"publicKey has an unknown field {Quote.Bounded(name)} (format, content)");
            }
        }
        return content ?? throw ApiErrors.Invalid("publicKey.content is missing");
    }

    private static IndexRetrieveRequest From(Fields fields)
    {
        var keys = new List<byte[]>();
        foreach (var (name, value) in fields.Text)
        {
            if (Criterion(name, value) is { } key)
                keys.Add(key);
        }
        if (fields.PublicKey is { } content)
            keys.Add(Checked("publicKey.content", () => SearchCriteria.PublicKey(content)));
        if (keys.Count == 0)
            throw ApiErrors.Invalid("no search criteria: give at least one of hash, publicKey, email, uri, oidcIssuer");
        bool matchAll = fields.Text.GetValueOrDefault("operator", "or") switch
        {
            "and" => true,
            "or" => false,
            var other => throw ApiErrors.Invalid($"operator {Quote.Bounded(other)} is neither \"and\" nor \"or\""),
        };
        return new IndexRetrieveRequest(new SearchQuery(keys, matchAll), ReadPageSize(fields.Text.GetValueOrDefault("pageSize")),
            ReadAfter(fields.Text.GetValueOrDefault("pageToken")));
    }

    private static byte[]? Criterion(string name, string value) => name switch
    {
        "hash" => Checked(name, () => SearchCriteria.Digest(value)),
        "email" => Checked(name, () => SearchCriteria.Email(value)),
        "uri" => Checked(name, () => SearchCriteria.Uri(value)),
        "oidcIssuer" => Checked(name, () => SearchCriteria.OidcIssuer(value)),
        _ => null,
    };

    private static void Remember(Fields fields, string name, string value)
    {
        Known(name);
        if (!fields.Text.TryAdd(name, value))
            throw ApiErrors.Invalid($"{name} is given twice");
    }

    private static void Known(string name)
    {
        if (name is not ("hash" or "email" or "uri" or "oidcIssuer" or "operator" or "pageSize" or "pageToken"))
            throw ApiErrors.Invalid($"unknown field {Quoted(name)} (hash, publicKey, email, uri, oidcIssuer, operator, pageSize, pageToken)");
    }

    private static int ReadPageSize(string? text)
    {
        if (text is null)
            return DefaultPageSize;
        if (!int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out int size) || size is < 1 or > MaxPageSize)
            throw ApiErrors.Invalid($"pageSize {Quote.Bounded(text)} is not a whole number from 1 to {MaxPageSize}");
        return size;
    }

    /// <summary>The page token is the last index of the page before: the next page starts after it.</summary>
    private static long ReadAfter(string? token)
    {
        if (token is null)
            return -1;
        if (!long.TryParse(token, NumberStyles.None, CultureInfo.InvariantCulture, out long after))
            throw ApiErrors.Invalid($"pageToken {Quote.Bounded(token)} is not a token this server gave");
        return after;
    }

    private static void CheckFormat(string format)
    {
        if (format != "x509")
            throw ApiErrors.Invalid($"publicKey.format {Quote.Bounded(format)} is not supported (only \"x509\": a PEM or DER public key or certificate)");
    }

    private static byte[] Base64(string text, string field)
    {
        try
        {
            return Convert.FromBase64String(text);
        }
        catch (FormatException)
        {
            throw ApiErrors.Invalid($"{field} is not base64");
        }
    }

    private static byte[] Checked(string field, Func<byte[]> key)
    {
        try
        {
            return key();
        }
        catch (FormatException e)
        {
            throw ApiErrors.Invalid($"{field}: {e.Message}");
        }
    }

    private static string Quoted(string name) => Quote.Bounded(name);
}
