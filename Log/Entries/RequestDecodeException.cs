namespace RekorPosix.Log.Entries;

/// <summary>
/// A CreateEntry body that does not decode. The message is the decoder's explanation and is what
/// the client sees (HTTP 400 / gRPC InvalidArgument), as with grpc-gateway.
/// </summary>
public sealed class RequestDecodeException : Exception
{
    public RequestDecodeException(string message) : base(message)
    {
    }

    public RequestDecodeException(string message, Exception inner) : base(message, inner)
    {
    }
}
