using System.Collections.Concurrent;
using System.Globalization;
using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using RekorPosix.Log;
using RekorPosix.Log.Witnessing;
using RekorPosix.Signing.Witnessing;

namespace RekorPosix.Http.Witness;

/// <summary>
/// The witness's HTTP face (https://c2sp.org/tlog-witness): <c>POST /add-checkpoint</c>, answered
/// with the cosignature line or the spec's status for the refusal, and the monitoring read
/// <c>GET /&lt;lowercase hex SHA-256(origin)&gt;/checkpoint</c>, the latest cosigned checkpoint.
/// Other methods on those paths get 405, other paths 404.
/// </summary>
internal sealed class WitnessApi(CosigningWitness witness, ILogger logger)
{
    /// <summary>A request is a checkpoint and at most 63 hashes: a few KiB. 1 MiB leaves room for many signatures.</summary>
    public const int MaxBodySize = 1024 * 1024;

    public const string AddCheckpointPath = "/" + AddCheckpointRequest.Path;

    private const string CheckpointSuffix = "/checkpoint";
    private const string PlainText = "text/plain; charset=utf-8";

    // One throttle per kind of refusal, so a flood of one kind hides none of the others.
    private readonly ConcurrentDictionary<(int Status, bool Sized), LogThrottle> _refusals = new();
    private readonly LogThrottle _stateFailures = new();

    public async Task HandleAsync(HttpContext context)
    {
        string path = context.Request.Path.Value ?? "";
        string method = context.Request.Method;
        try
        {
            if (path == AddCheckpointPath)
                await (HttpMethods.IsPost(method) ? AddCheckpointAsync(context) : MethodNotAllowedAsync(context, "POST")).ConfigureAwait(false);
            else if (MonitoringKey(path) is { } key)
                await (HttpMethods.IsGet(method) || HttpMethods.IsHead(method) ? LatestAsync(context, key) : MethodNotAllowedAsync(context, "GET, HEAD")).ConfigureAwait(false);
            else
                await WriteAsync(context, 404, PlainText, "not found\n").ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or OperationCanceledException && context.RequestAborted.IsCancellationRequested)
        {
            // The client is gone: there is nobody left to answer.
        }
    }

    private async Task AddCheckpointAsync(HttpContext context)
    {
        byte[]? body;
        try
        {
            body = await RequestBody.ReadAsync(context.Request, MaxBodySize, context.RequestAborted).ConfigureAwait(false);
        }
        catch (Exception e) when (e is BadHttpRequestException or IOException)
        {
            // Kestrel could not decode the body (a bad chunk, say), or the client left mid-body.
            if (context.RequestAborted.IsCancellationRequested)
                return;
            await RefuseAsync(context, null, new WitnessVerdict(400, $"malformed request body: {e.Message}")).ConfigureAwait(false);
            return;
        }
        if (body is null)
        {
            await RefuseAsync(context, null, new WitnessVerdict(413, $"the request body is larger than {MaxBodySize} bytes")).ConfigureAwait(false);
            return;
        }
        AddCheckpointResult answer;
        try
        {
            answer = await witness.AddCheckpointAsync(body, context.RequestAborted).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or InvalidDataException or UnauthorizedAccessException)
        {
            if (_stateFailures.TryPass(out int heldBack))
                WitnessServerEvents.StateFailed(logger, e.Message, heldBack);
            await WriteAsync(context, 500, PlainText, "the witness cannot keep its state; nothing was cosigned\n").ConfigureAwait(false);
            return;
        }
        if (answer.Cosignature is { } line)
        {
            WitnessServerEvents.Cosigned(logger, answer.Checkpoint!.Origin, answer.Checkpoint.Size);
            await WriteAsync(context, 200, PlainText, line).ConfigureAwait(false);
            return;
        }
        await RefuseAsync(context, answer.Checkpoint?.Origin, answer.Verdict).ConfigureAwait(false);
    }

    private async Task LatestAsync(HttpContext context, string key)
    {
        CosignedCheckpoint? latest;
        try
        {
            latest = witness.Latest(key);
        }
        catch (Exception e) when (e is IOException or InvalidDataException or UnauthorizedAccessException)
        {
            if (_stateFailures.TryPass(out int heldBack))
                WitnessServerEvents.StateFailed(logger, e.Message, heldBack);
            await WriteAsync(context, 500, PlainText, "the witness cannot read its state\n").ConfigureAwait(false);
            return;
        }
        if (latest is null)
            await WriteAsync(context, 404, PlainText, "this witness has cosigned no checkpoint of that log\n").ConfigureAwait(false);
        else
            await WriteAsync(context, 200, PlainText, latest.Note).ConfigureAwait(false);
    }

    private Task RefuseAsync(HttpContext context, string? origin, WitnessVerdict verdict)
    {
        LogRefusal(origin, verdict);
        // The one answer with a body a client parses: "<size>\n", typed so (a fork's 409 is not).
        return verdict.WitnessSize is { } size
            ? WriteAsync(context, verdict.Status, AddCheckpointRequest.SizeContentType, size.ToString(CultureInfo.InvariantCulture) + "\n")
            : WriteAsync(context, verdict.Status, PlainText, verdict.Reason + "\n");
    }

    private void LogRefusal(string? origin, WitnessVerdict verdict)
    {
        var throttle = _refusals.GetOrAdd((verdict.Status, verdict.WitnessSize is not null), _ => new LogThrottle());
        if (!throttle.TryPass(out int heldBack))
            return;
        // Both may quote what the client sent: keep a line a line.
        string who = Clip(origin ?? "(unparsed)");
        string why = Clip(verdict.Reason);
        if (verdict.Status is 403 or 422 || (verdict.Status == 409 && verdict.WitnessSize is null))
            WitnessServerEvents.RefusedSuspicious(logger, who, verdict.Status, why, heldBack);
        else
            WitnessServerEvents.Refused(logger, who, verdict.Status, why, heldBack);
    }

    private static string Clip(string text)
    {
        string line = text.ReplaceLineEndings(" ");
        return line.Length <= 200 ? line : line[..200];
    }

    /// <summary>The state key in "/&lt;64 lowercase hex&gt;/checkpoint", or null.</summary>
    private static string? MonitoringKey(string path)
    {
        if (!path.StartsWith('/') || !path.EndsWith(CheckpointSuffix, StringComparison.Ordinal))
            return null;
        string key = path[1..^CheckpointSuffix.Length];
        return WitnessStateStore.IsKey(key) ? key : null;
    }

    private static Task MethodNotAllowedAsync(HttpContext context, string allow)
    {
        context.Response.Headers.Allow = allow;
        return WriteAsync(context, 405, PlainText, "method not allowed\n");
    }

    private static Task WriteAsync(HttpContext context, int status, string contentType, string body) =>
        ResponseBody.WriteAsync(context, status, contentType, Encoding.UTF8.GetBytes(body));
}
