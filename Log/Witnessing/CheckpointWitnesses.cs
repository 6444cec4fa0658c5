using System.Text;
using Microsoft.Extensions.Logging;
using RekorPosix.Signing;
using RekorPosix.Signing.Witnessing;

namespace RekorPosix.Log.Witnessing;

/// <summary>
/// Cosigning of each checkpoint by the witnesses of a policy, as tessera's witness gatherer does
/// (https://c2sp.org/tlog-witness): one request per witness URL, all in parallel, within a time
/// limit per publication; the cosignatures that verify are appended after the log's signature in
/// the order they arrive. Witnessing wraps the <see cref="CheckpointMaker"/>, so it runs once per
/// publication, never per entry, and outside every lock integration takes.
/// </summary>
public sealed class CheckpointWitnesses : IDisposable
{
    private readonly WitnessPolicy _policy;
    private readonly IReadOnlyList<WitnessEndpoint> _endpoints;
    private readonly HttpClient _http;
    private readonly WitnessingOptions _options;
    private readonly ILogger _logger;
    // What the size store holds, so that a publication that taught nothing writes nothing.
    private Dictionary<string, long> _saved = [];

    public CheckpointWitnesses(WitnessPolicy policy, WitnessingOptions options, ILogger logger, HttpMessageHandler? handler = null)
    {
        _policy = policy;
        _options = options;
        _logger = logger;
        _http = new HttpClient(handler ?? new SocketsHttpHandler { PooledConnectionIdleTimeout = TimeSpan.FromMinutes(2) })
        {
            Timeout = Timeout.InfiniteTimeSpan,
            // A witness answers a few signature lines: anything longer is not one.
            MaxResponseContentBufferSize = 64 * 1024,
        };
        _endpoints = [.. policy.Witnesses.GroupBy(w => w.Url).Select(g => new WitnessEndpoint(g.Key, [.. g], _http))];
    }

    /// <summary>Each witness request as it ends (for metrics).</summary>
    public event Action<WitnessAnswer>? Answered;

    /// <summary>Each checkpoint made: the cosignatures it carries, and whether it was published
    /// without a quorum (fail-open).</summary>
    public event Action<int, bool>? Gathered;

    /// <summary>The witness URLs asked for every checkpoint.</summary>
    public IReadOnlyList<Uri> Urls => [.. _endpoints.Select(e => e.Url)];

    /// <summary>
    /// The maker that has <paramref name="sign"/> sign the checkpoint and then gathers cosignatures;
    /// proofs come from <paramref name="reader"/>'s tiles, the witnesses' sizes are kept in
    /// <paramref name="sizes"/>.
    /// </summary>
    public CheckpointMaker Around(CheckpointMaker sign, ILogReader reader, IWitnessSizes sizes)
    {
        if (_endpoints.Count == 0)
            return sign;
        var loaded = new Lazy<Task>(() => LoadSizesAsync(sizes));
        return async (head, current, cancel) =>
        {
            byte[] note = await sign(head, current, cancel).ConfigureAwait(false);
            await loaded.Value.ConfigureAwait(false);
            byte[] cosigned = await CosignAsync(note, head, new TileConsistencyProofs(reader, head.Size), cancel).ConfigureAwait(false);
            await SaveSizesAsync(sizes, cancel).ConfigureAwait(false);
            return cosigned;
        };
    }

    private async Task<byte[]> CosignAsync(byte[] note, TreeHead head, TileConsistencyProofs proofs, CancellationToken cancel)
    {
        string text = SignedNote.Parse(note).Text;
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancel);
        deadline.CancelAfter(_options.Timeout);
        var pending = _endpoints.Select(e => e.CosignAsync(note, text, head.Size, proofs, deadline.Token)).ToList();
        var lines = new StringBuilder();
        var cosigned = new HashSet<PolicyWitness>();
        while (pending.Count > 0)
        {
            var done = await Task.WhenAny(pending).ConfigureAwait(false);
            pending.Remove(done);
            var answer = await done.ConfigureAwait(false);
            Report(answer);
            foreach (string line in answer.Lines)
                lines.Append(line);
            cosigned.UnionWith(answer.Cosigned);
        }
        cancel.ThrowIfCancellationRequested();
        return Merge(note, lines.ToString(), head, cosigned);
    }

    private byte[] Merge(byte[] note, string lines, TreeHead head, HashSet<PolicyWitness> cosigned)
    {
        bool quorum = _policy.IsSatisfiedBy(cosigned.Contains);
        if (!quorum && _options.FailClosed)
            throw new WitnessQuorumException(
                $"the witnesses' cosignatures for size {head.Size} do not meet the policy's quorum ({cosigned.Count} of {_policy.Witnesses.Count} witnesses cosigned); not publishing (--witness-fail-closed)");
        if (!quorum)
            WitnessEvents.FailedOpen(_logger, head.Size, cosigned.Count, _policy.Witnesses.Count);
        Gathered?.Invoke(cosigned.Count, !quorum);
        return [.. note, .. Encoding.UTF8.GetBytes(lines)];
    }

    private void Report(WitnessAnswer answer)
    {
        if (!answer.Succeeded)
            WitnessEvents.RequestFailed(_logger, answer.Url.AbsoluteUri, answer.Outcome, answer.Took.TotalMilliseconds);
        Answered?.Invoke(answer);
    }

    private async Task LoadSizesAsync(IWitnessSizes sizes)
    {
        try
        {
            var stored = await sizes.LoadAsync(CancellationToken.None).ConfigureAwait(false);
            _saved = new Dictionary<string, long>(stored);
            foreach (var endpoint in _endpoints)
            {
                if (stored.TryGetValue(endpoint.Url.AbsoluteUri, out long size))
                    endpoint.OldSize = size;
            }
        }
        catch (Exception e) when (e is IOException or FormatException or InvalidOperationException)
        {
            WitnessEvents.SizesUnreadable(_logger, e);
        }
    }

    private async Task SaveSizesAsync(IWitnessSizes sizes, CancellationToken cancel)
    {
        var now = _endpoints.ToDictionary(e => e.Url.AbsoluteUri, e => e.OldSize);
        if (now.All(kv => _saved.GetValueOrDefault(kv.Key) == kv.Value))
            return;
        try
        {
            await sizes.SaveAsync(now, cancel).ConfigureAwait(false);
            _saved = now;
        }
        catch (Exception e) when (e is IOException or InvalidOperationException or UnauthorizedAccessException)
        {
            WitnessEvents.SizesNotSaved(_logger, e);
        }
    }

    public void Dispose() => _http.Dispose();
}
