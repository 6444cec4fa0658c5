using System.Net;
using System.Text.Json;

namespace RekorPosix.Log.Gcp.Storage;

/// <summary>
/// The four GCS JSON API calls the gcp flavour makes on one bucket (spec gcp-spanner-flavour.md
/// §5.2; https://cloud.google.com/storage/docs/json_api/v1/objects): media download, multipart
/// upload (create-only with <c>ifGenerationMatch=0</c>, or overwriting), list by prefix, delete.
/// Object names go into paths percent-encoded as one segment (<c>/</c> → <c>%2F</c>, pitfall 21).
/// Written by hand: the .NET GCS library fails under native AOT (§5.8).
/// </summary>
internal sealed class GcsClient
{
    /// <summary>GCS's 404 message for a bucket, where an object's is "No such object: b/name"; both
    /// have reason notFound. Were Google to change it, a missing bucket would read as missing
    /// objects, as in Go's client, and the first write would fail.</summary>
    private const string MissingBucketMessage = "The specified bucket does not exist";

    private readonly GcsRequestSender _sender;
    private readonly GcsSettings _settings;
    private readonly string _objects;
    private readonly string _uploads;

    public GcsClient(HttpClient http, GcsEndpoint endpoint, string bucket, GcsSettings settings)
    {
        if (string.IsNullOrEmpty(bucket) || bucket.Contains('/'))
            throw new ArgumentException($"'{Verification.BoundedText.Of(bucket)}' is not a GCS bucket name", nameof(bucket));
        Bucket = bucket;
        _sender = new GcsRequestSender(http, endpoint, settings);
        _settings = settings;
        string root = endpoint.Root.AbsoluteUri;
        _objects = $"{root}storage/v1/b/{Uri.EscapeDataString(bucket)}/o";
        _uploads = $"{root}upload/storage/v1/b/{Uri.EscapeDataString(bucket)}/o";
    }

    public string Bucket { get; }

    public GcsEndpoint Endpoint => _sender.Endpoint;

    /// <summary>The object's bytes, or null when there is no such object (404). A missing bucket
    /// is an error instead: it is also a 404, but the log's storage is missing, not an object.</summary>
    public Task<byte[]?> DownloadAsync(string name, CancellationToken cancel)
    {
        var call = Call("read", name, idempotent: true, () => new HttpRequestMessage(HttpMethod.Get, ObjectUri(name) + "?alt=media"));
        return _sender.SendAsync<byte[]?>(call, async (response, timeout) =>
        {
            if (response.StatusCode == HttpStatusCode.OK)
                return await BoundedHttpBody.ReadAsync(response.Content, _settings.MaxObjectBytes, timeout).ConfigureAwait(false)
                    ?? throw new GcsException($"{call}: larger than {_settings.MaxObjectBytes} bytes, more than any object of a log");
            var failure = await _sender.UnexpectedAsync(call, response, timeout).ConfigureAwait(false);
            return response.StatusCode == HttpStatusCode.NotFound && !failure.Message.Contains(MissingBucketMessage, StringComparison.Ordinal)
                ? null
                : throw failure;
        }, cancel);
    }

    /// <summary>
    /// Uploads the object with its metadata in one request. <paramref name="createOnly"/> adds
    /// <c>ifGenerationMatch=0</c>: the upload then succeeds only if no such object exists, and the
    /// answer is false when one does (412). Only a create-only upload is tried again after a
    /// transient failure: repeating it cannot replace anything, while an overwrite repeated late
    /// could land after a newer one (§5.4, §5.5).
    /// </summary>
    public Task<bool> UploadAsync(string name, ReadOnlyMemory<byte> data, string contentType, string cacheControl, bool createOnly, CancellationToken cancel)
    {
        var upload = new MultipartUpload(new GcsObjectMetadata { Name = name, ContentType = contentType, CacheControl = cacheControl }, data.Span);
        string uri = _uploads + "?uploadType=multipart" + (createOnly ? "&ifGenerationMatch=0" : "");
        var call = Call(createOnly ? "create-only write" : "write", name, idempotent: createOnly,
            () => new HttpRequestMessage(HttpMethod.Post, uri) { Content = upload.Content() });
        return _sender.SendAsync(call, async (response, timeout) => response.StatusCode switch
        {
            HttpStatusCode.OK or HttpStatusCode.Created => true,
            HttpStatusCode.PreconditionFailed when createOnly => false,
            _ => throw await _sender.UnexpectedAsync(call, response, timeout).ConfigureAwait(false),
        }, cancel);
    }

    /// <summary>One page of the names under <paramref name="prefix"/>, in name order; pass the
    /// page's <see cref="GcsObjectList.NextPageToken"/> for the next one.</summary>
    public Task<GcsObjectList> ListAsync(string prefix, string? pageToken, CancellationToken cancel)
    {
        string uri = $"{_objects}?prefix={Uri.EscapeDataString(prefix)}&maxResults={_settings.ListPageSize}&fields={Uri.EscapeDataString("items(name),nextPageToken")}"
            + (pageToken is null ? "" : "&pageToken=" + Uri.EscapeDataString(pageToken));
        var call = Call("list", prefix + "*", idempotent: true, () => new HttpRequestMessage(HttpMethod.Get, uri));
        return _sender.SendAsync(call, async (response, timeout) =>
        {
            if (response.StatusCode != HttpStatusCode.OK)
                throw await _sender.UnexpectedAsync(call, response, timeout).ConfigureAwait(false);
            byte[] body = await BoundedHttpBody.ReadAsync(response.Content, _settings.MaxObjectBytes, timeout).ConfigureAwait(false)
                ?? throw new GcsException($"{call}: a list page larger than {_settings.MaxObjectBytes} bytes");
            try
            {
                return JsonSerializer.Deserialize(body, GcsJsonContext.Default.GcsObjectList) ?? new GcsObjectList();
            }
            catch (JsonException e)
            {
                throw new GcsException($"{call}: the answer is not an object list (line {e.LineNumber + 1}, byte {e.BytePositionInLine + 1})", inner: e);
            }
        }, cancel);
    }

    /// <summary>Deletes the object; false when there was none (404). Repeating a delete is
    /// harmless here (nothing in a log is written again after it is deleted), so it is tried again
    /// like a read.</summary>
    public Task<bool> DeleteAsync(string name, CancellationToken cancel)
    {
        var call = Call("delete", name, idempotent: true, () => new HttpRequestMessage(HttpMethod.Delete, ObjectUri(name)));
        return _sender.SendAsync(call, async (response, timeout) => response.StatusCode switch
        {
            HttpStatusCode.NoContent or HttpStatusCode.OK => true,
            HttpStatusCode.NotFound => false,
            _ => throw await _sender.UnexpectedAsync(call, response, timeout).ConfigureAwait(false),
        }, cancel);
    }

    /// <summary>Every character but the unreserved ones escaped, '/' included: the name is one segment.</summary>
    private string ObjectUri(string name) => _objects + "/" + Uri.EscapeDataString(name);

    private GcsCall Call(string operation, string name, bool idempotent, Func<HttpRequestMessage> request) =>
        new(operation, $"{Verification.BoundedText.Of(name, 120)} in bucket {Bucket}", idempotent, request);
}
