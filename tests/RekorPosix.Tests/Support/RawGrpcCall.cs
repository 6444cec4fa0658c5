using System.Buffers.Binary;
using System.Net;
using System.Net.Http.Headers;

namespace RekorPosix.Tests.Support;

/// <summary>The status a gRPC server answered: grpc-status and grpc-message, from the trailers or a
/// trailers-only response, and the response body (its message frames).</summary>
public sealed record GrpcAnswer(int HttpStatus, string? Status, string? Message, byte[] Body);

/// <summary>
/// A gRPC call made by hand over h2c (HTTP/2 with prior knowledge), for bodies that no gRPC
/// client would send: bad length prefixes, truncated frames, garbage protobuf, broken gzip.
/// </summary>
public static class RawGrpcCall
{
    public const string CreateEntryPath = "/dev.sigstore.rekor.v2.Rekor/CreateEntry";

    /// <summary>One gRPC message frame: compressed flag, big-endian length, payload.</summary>
    public static byte[] Frame(byte[] payload, bool compressed = false, uint? length = null)
    {
        var frame = new byte[5 + payload.Length];
        frame[0] = compressed ? (byte)1 : (byte)0;
        BinaryPrimitives.WriteUInt32BigEndian(frame.AsSpan(1), length ?? (uint)payload.Length);
        payload.CopyTo(frame, 5);
        return frame;
    }

    public static HttpClient NewClient() => new(new SocketsHttpHandler()) { Timeout = TimeSpan.FromSeconds(60) };

    public static async Task<GrpcAnswer> SendAsync(HttpClient client, Uri server, string path, byte[] body,
        params (string Name, string Value)[] headers)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(server, path))
        {
            Version = HttpVersion.Version20,
            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
            Content = new ByteArrayContent(body),
        };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/grpc");
        request.Headers.TE.Add(new TransferCodingWithQualityHeaderValue("trailers"));
        foreach (var (name, value) in headers)
            request.Headers.TryAddWithoutValidation(name, value);
        using var response = await client.SendAsync(request);
        byte[] responseBody = await response.Content.ReadAsByteArrayAsync();
        return new GrpcAnswer((int)response.StatusCode, Header(response, "grpc-status"), Header(response, "grpc-message"), responseBody);
    }

    private static string? Header(HttpResponseMessage response, string name) =>
        response.TrailingHeaders.TryGetValues(name, out var values) || response.Headers.TryGetValues(name, out values)
            ? values.First()
            : null;
}
