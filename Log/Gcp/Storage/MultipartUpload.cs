using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace RekorPosix.Log.Gcp.Storage;

/// <summary>
/// The body of a one-request upload with metadata, <c>uploadType=multipart</c>
/// (https://cloud.google.com/storage/docs/uploading-objects, spec gcp-spanner-flavour.md §5.2):
/// <c>multipart/related</c> with the object resource as JSON, then the bytes. Built once and sent
/// as often as the call is tried.
/// </summary>
internal sealed class MultipartUpload
{
    private readonly byte[] _body;
    private readonly string _boundary;

    public MultipartUpload(GcsObjectMetadata metadata, ReadOnlySpan<byte> data)
    {
        _boundary = Boundary(data);
        var body = new MemoryStream(data.Length + 512);
        Write(body, $"--{_boundary}\r\nContent-Type: application/json; charset=UTF-8\r\n\r\n");
        body.Write(JsonSerializer.SerializeToUtf8Bytes(metadata, GcsJsonContext.Default.GcsObjectMetadata));
        Write(body, $"\r\n--{_boundary}\r\nContent-Type: {metadata.ContentType}\r\n\r\n");
        body.Write(data);
        Write(body, $"\r\n--{_boundary}--\r\n");
        _body = body.ToArray();
    }

    public HttpContent Content()
    {
        var content = new ByteArrayContent(_body);
        content.Headers.ContentType = new MediaTypeHeaderValue("multipart/related") { Parameters = { new NameValueHeaderValue("boundary", _boundary) } };
        return content;
    }

    /// <summary>Random, and (checked, however unlikely) absent from the data, which is binary.</summary>
    private static string Boundary(ReadOnlySpan<byte> data)
    {
        while (true)
        {
            string boundary = "rekor" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
            if (data.IndexOf(Encoding.ASCII.GetBytes(boundary)) < 0)
                return boundary;
        }
    }

    private static void Write(MemoryStream body, string text) => body.Write(Encoding.UTF8.GetBytes(text));
}
