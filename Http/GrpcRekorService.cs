using Google.Protobuf;
using Grpc.Core;
using RekorPosix.Protos.RekorV1;
using RekorPosix.Protos.RekorV2;

namespace RekorPosix.Http;

/// <summary>
/// <c>dev.sigstore.rekor.v2.Rekor</c> over gRPC: the same entry service as REST, the same answer
/// as a TransparencyLogEntry message, and rekor-tiles' response metadata (<c>x-http-code</c>,
/// <c>x-log-index</c> on duplicates, also on one answered OK with its entry under
/// <c>--duplicate-returns-entry</c>). The read RPCs stay unimplemented, as in rekor-tiles.
/// </summary>
public sealed class GrpcRekorService(EntryService entries) : Rekor.RekorBase
{
    public override async Task<TransparencyLogEntry> CreateEntry(CreateEntryRequest request, ServerCallContext context)
    {
        var http = context.GetHttpContext();
        TimeSpan? clientTimeout = GrpcTimeout.TryParse(http.Request.Headers[GrpcTimeout.Header], out var timeout) ? timeout : null;
        try
        {
            // The connection's own token, not context.CancellationToken: that one also fires at the
            // client's deadline, which is then a timeout (DEADLINE_EXCEEDED), not a client gone.
            var created = await entries.CreateAsync(request, http.RequestAborted, clientTimeout).ConfigureAwait(false);
            var headers = created.IsDuplicate
                ? new Metadata { { "x-http-code", "200" }, { "x-log-index", created.LogIndex.ToString(System.Globalization.CultureInfo.InvariantCulture) } }
                : new Metadata { { "x-http-code", "201" } };
            await TryWriteHeadersAsync(context, headers).ConfigureAwait(false);
            return ToProto(created);
        }
        catch (ApiException e)
        {
            var headers = new Metadata { { "x-http-code", e.HttpStatus.ToString(System.Globalization.CultureInfo.InvariantCulture) } };
            if (e.LogIndex is { } index)
                headers.Add("x-log-index", index.ToString(System.Globalization.CultureInfo.InvariantCulture));
            if (e.PlainTextBody is { } text)
                headers.Add("x-http-error-message", text.TrimEnd('\n'));
            if (!context.CancellationToken.IsCancellationRequested)
                await TryWriteHeadersAsync(context, headers).ConfigureAwait(false);
            throw new RpcException(new Status((StatusCode)(int)e.Code, e.Message));
        }
    }

    private static async Task TryWriteHeadersAsync(ServerCallContext context, Metadata headers)
    {
        try
        {
            await context.WriteResponseHeadersAsync(headers).ConfigureAwait(false);
        }
        catch (InvalidOperationException) when (context.CancellationToken.IsCancellationRequested)
        {
            // The client's deadline passed meanwhile and Grpc.AspNetCore has already answered
            // DEADLINE_EXCEEDED itself: there are no headers left to send.
        }
    }

    public static TransparencyLogEntry ToProto(CreatedEntry created)
    {
        var proof = new InclusionProof
        {
            LogIndex = created.LogIndex,
            RootHash = ByteString.CopyFrom(created.RootHash),
            TreeSize = created.TreeSize,
            Checkpoint = new Protos.RekorV1.Checkpoint { Envelope = created.CheckpointEnvelope },
        };
        foreach (byte[] hash in created.Hashes)
            proof.Hashes.Add(ByteString.CopyFrom(hash));
        return new TransparencyLogEntry
        {
            LogIndex = created.LogIndex,
            LogId = new Protos.CommonV1.LogId { KeyId = ByteString.CopyFrom(created.LogId) },
            KindVersion = new KindVersion { Kind = created.Kind, Version = created.Version },
            IntegratedTime = 0,
            InclusionProof = proof,
            CanonicalizedBody = ByteString.CopyFrom(created.CanonicalizedBody),
        };
    }
}
