using System.Text.Json;
using Google.Protobuf;
using RekorPosix.Protos.RekorV2;

namespace RekorPosix.Log.Entries;

/// <summary>
/// Turns a CreateEntry body into a <see cref="CreateEntryRequest"/>: protojson over HTTP as
/// grpc-gateway + Go protojson read it, binary protobuf over gRPC.
/// </summary>
public static class CreateEntryRequestDecoder
{
    /// <summary>
    /// Decodes an HTTP body. Like grpc-gateway's decoder (encoding/json reading one value, then
    /// protojson on that value): an empty or all-whitespace body is an empty request, and whatever
    /// follows the first JSON value is never looked at.
    /// </summary>
    /// <exception cref="RequestDecodeException">The body is not a valid request.</exception>
    public static CreateEntryRequest FromJson(ReadOnlySpan<byte> body)
    {
        var request = new CreateEntryRequest();
        var start = body.IndexOfAnyExcept(" \t\r\n"u8);
        if (start < 0)
            return request;
        var json = body[start..];
        ProtoJsonReader.Merge(json[..FirstValueLength(json)], request);
        return request;
    }

    /// <summary>Decodes a gRPC message.</summary>
    /// <exception cref="RequestDecodeException">The bytes are not a valid protobuf message.</exception>
    public static CreateEntryRequest FromProto(ReadOnlySpan<byte> message)
    {
        try
        {
            return CreateEntryRequest.Parser.ParseFrom(message);
        }
        catch (InvalidProtocolBufferException e)
        {
            throw new RequestDecodeException($"proto: cannot parse invalid wire-format data: {e.Message}", e);
        }
    }

    /// <summary>
    /// Length of the first JSON value, which must be complete and well-formed (Go checks the whole
    /// value before protojson sees any of it).
    /// </summary>
    private static int FirstValueLength(ReadOnlySpan<byte> json)
    {
        var options = new JsonReaderOptions { AllowMultipleValues = true, MaxDepth = ProtoJsonLimits.MaxDepth };
        var partial = new Utf8JsonReader(json, isFinalBlock: false, new JsonReaderState(options));
        try
        {
            if (partial.Read() && partial.TrySkip())
                return (int)partial.BytesConsumed;
        }
        catch (JsonException e)
        {
            throw new RequestDecodeException($"invalid JSON: {e.Message}", e);
        }

        // Incomplete as a prefix: only a bare top-level number or literal can still end here.
        var final = new Utf8JsonReader(json, new JsonReaderOptions { AllowMultipleValues = true, MaxDepth = ProtoJsonLimits.MaxDepth });
        try
        {
            final.Read();
            final.Skip();
            return (int)final.BytesConsumed;
        }
        catch (JsonException e)
        {
            throw new RequestDecodeException("unexpected EOF", e);
        }
    }
}
