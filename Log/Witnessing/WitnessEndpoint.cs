using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using RekorPosix.Signing;
using RekorPosix.Signing.Witnessing;

namespace RekorPosix.Log.Witnessing;

/// <summary>
/// One witness submission URL (https://c2sp.org/tlog-witness) and what the log knows of it: the
/// keys it cosigns with and the size it last cosigned. Sends a checkpoint with the consistency
/// proof from that size; a 409 that tells the witness's size is retried from that size.
/// </summary>
internal sealed class WitnessEndpoint
{
    // tessera's client tries a stale size three times too; more would only mean a witness racing us.
    private const int MaxTries = 3;

    private readonly HttpClient _http;
    private readonly Uri _addCheckpoint;
    private readonly IReadOnlyList<(PolicyWitness Witness, INoteVerifier Verifier)> _verifiers;
    private long _oldSize;

    public WitnessEndpoint(Uri url, IReadOnlyList<PolicyWitness> witnesses, HttpClient http)
    {
        Url = url;
        Witnesses = witnesses;
        _http = http;
        string prefix = url.AbsoluteUri.EndsWith('/') ? url.AbsoluteUri : url.AbsoluteUri + "/";
        _addCheckpoint = new Uri(prefix + AddCheckpointRequest.Path);
        _verifiers = [.. witnesses.Select(w => (w, w.Key.CreateVerifier()))];
    }

    public Uri Url { get; }

    public IReadOnlyList<PolicyWitness> Witnesses { get; }

    /// <summary>The size this witness is believed to have cosigned last (0: unknown).</summary>
    public long OldSize
    {
        get => Interlocked.Read(ref _oldSize);
        set => Interlocked.Exchange(ref _oldSize, value);
    }

    /// <summary>Asks the witness to cosign <paramref name="note"/>; never throws for the witness's
    /// faults, only reports them in the answer. Cancelling means the publication's time is up.</summary>
    public async Task<WitnessAnswer> CosignAsync(byte[] note, string text, long size, TileConsistencyProofs proofs, CancellationToken cancel)
    {
        long started = Stopwatch.GetTimestamp();
        string outcome;
        IReadOnlyList<(string Line, PolicyWitness Witness)> lines = [];
        try
        {
            (outcome, lines) = await ExchangeAsync(note, text, size, proofs, cancel).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            outcome = "timeout";
        }
        catch (HttpRequestException)
        {
            outcome = "unreachable";
        }
        return new WitnessAnswer(Url, [.. lines.Select(l => l.Line)], [.. lines.Select(l => l.Witness)], outcome, Stopwatch.GetElapsedTime(started));
    }

    private async Task<(string Outcome, IReadOnlyList<(string Line, PolicyWitness Witness)> Lines)> ExchangeAsync(byte[] note, string text, long size,
        TileConsistencyProofs proofs, CancellationToken cancel)
    {
        for (int attempt = 1; ; attempt++)
        {
            long old = OldSize <= size ? OldSize : 0;
            var request = new AddCheckpointRequest(old, await proofs.FromAsync(old, cancel).ConfigureAwait(false), note);
            using var content = new ByteArrayContent(request.Format());
            using var response = await _http.PostAsync(_addCheckpoint, content, cancel).ConfigureAwait(false);
            byte[] body = await response.Content.ReadAsByteArrayAsync(cancel).ConfigureAwait(false);
            if (response.StatusCode == HttpStatusCode.OK)
            {
                // The witness has this size now, whatever its lines are worth.
                OldSize = size;
                var verified = VerifiedLines(text, body);
                return (verified.Count == 0 ? "bad_cosignature" : "ok", verified);
            }
            if (response.StatusCode != HttpStatusCode.Conflict || !IsSizeAnswer(response.Content.Headers.ContentType))
                return ($"http_{(int)response.StatusCode}", []);
            // The witness is at another size: ours was stale (a restart, another server on the log).
            long? known = AddCheckpointRequest.ParseSize(Encoding.ASCII.GetString(body));
            if (known is not { } witnessSize || witnessSize > size)
                return (known is null ? "bad_response" : "witness_ahead", []);
            OldSize = witnessSize;
            if (attempt == MaxTries)
                return ("conflict", []);
        }
    }

    private static bool IsSizeAnswer(MediaTypeHeaderValue? type) =>
        string.Equals(type?.MediaType, AddCheckpointRequest.SizeContentType, StringComparison.OrdinalIgnoreCase);

    /// <summary>
    /// The body's signature lines that are valid cosignatures of this witness on the checkpoint
    /// text; lines of other keys, malformed or bad ones are dropped (a witness cannot make the log
    /// publish a line no client could verify), and a key's second line too.
    /// </summary>
    private List<(string Line, PolicyWitness Witness)> VerifiedLines(string text, byte[] body)
    {
        var kept = new List<(string, PolicyWitness)>();
        byte[] message = Encoding.UTF8.GetBytes(text);
        string answer;
        try
        {
            answer = new UTF8Encoding(false, true).GetString(body);
        }
        catch (DecoderFallbackException)
        {
            return kept;
        }
        foreach (string line in answer.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            NoteSignature signature;
            try
            {
                signature = SignedNote.Parse(text + "\n" + line + "\n").Signatures[0];
            }
            catch (FormatException)
            {
                continue;
            }
            var (witness, verifier) = _verifiers.FirstOrDefault(v => v.Verifier.Name == signature.Name && v.Verifier.KeyId == signature.KeyId);
            if (verifier is not null && verifier.Verify(message, signature.Signature) && !kept.Any(k => k.Item2 == witness))
                kept.Add((line + "\n", witness));
        }
        return kept;
    }
}
