using System.Net;
using System.Net.Http.Headers;
using System.Text;
using RekorPosix.Signing;
using RekorPosix.Signing.Witnessing;
using RekorPosix.Tiles;

namespace RekorPosix.Tests.Support;

/// <summary>
/// A witness answering add-checkpoint in memory, for client tests: it checks the log signature
/// and the consistency proof from its size as tlog-witness says, cosigns with a fresh key, and can
/// be told to fail in the ways a real one does (a status, slowness, a forged line).
/// </summary>
public sealed class FakeWitness
{
    private readonly Lock _gate = new();

    public FakeWitness(string name, INoteVerifier logKey)
    {
        Cosigner = LogSigningKey.GenerateEd25519().CreateCosigner(name, TimeProvider.System);
        LogKey = logKey;
    }

    public Cosigner Cosigner { get; }

    public INoteVerifier LogKey { get; }

    public string Vkey => Cosigner.VerifierKey;

    public long Size { get; set; }

    public byte[] Root { get; set; } = Rfc6962.EmptyRoot;

    /// <summary>The old sizes of the requests received, in order.</summary>
    public List<long> OldSizes { get; } = [];

    /// <summary>Answer every request with this status instead (0: behave).</summary>
    public HttpStatusCode FailWith { get; set; }

    public TimeSpan Delay { get; set; }

    /// <summary>Sign with another key under the same name: a line the client must drop.</summary>
    public bool ForgeCosignature { get; set; }

    public async Task<HttpResponseMessage> AnswerAsync(byte[] body, CancellationToken cancel)
    {
        if (Delay > TimeSpan.Zero)
            await Task.Delay(Delay, cancel);
        lock (_gate)
        {
            var request = AddCheckpointRequest.Parse(body);
            OldSizes.Add(request.OldSize);
            if (FailWith != 0)
                return Text(FailWith, "told to fail\n");
            string note = Encoding.UTF8.GetString(request.Checkpoint);
            string text = SignedNote.Open(note, [LogKey]);
            var checkpoint = Checkpoint.Parse(text);
            if (request.OldSize != Size)
            {
                var conflict = Text(HttpStatusCode.Conflict, $"{Size}\n");
                conflict.Content.Headers.ContentType = new MediaTypeHeaderValue(AddCheckpointRequest.SizeContentType);
                return conflict;
            }
            bool consistent = request.OldSize == 0
                ? request.Proof.Count == 0
                : MerkleProof.VerifyConsistency(request.OldSize, checkpoint.Size, Root, checkpoint.RootHash, request.Proof);
            if (!consistent)
                return Text(HttpStatusCode.UnprocessableEntity, "bad proof\n");
            (Size, Root) = (checkpoint.Size, checkpoint.RootHash);
            var signer = ForgeCosignature ? LogSigningKey.GenerateEd25519().CreateCosigner(Cosigner.Name, TimeProvider.System) : Cosigner;
            return Text(HttpStatusCode.OK, SignedNote.SignatureLine(signer, text));
        }
    }

    private static HttpResponseMessage Text(HttpStatusCode status, string body) =>
        new(status) { Content = new StringContent(body, Encoding.UTF8, "text/plain") };
}

/// <summary>Routes requests to fake witnesses by host, as the HTTP client's handler.</summary>
public sealed class FakeWitnessNetwork : HttpMessageHandler
{
    private readonly Dictionary<string, FakeWitness> _witnesses = [];

    public FakeWitness Add(string host, FakeWitness witness)
    {
        _witnesses[host] = witness;
        return witness;
    }

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        if (!_witnesses.TryGetValue(request.RequestUri!.Host, out var witness))
            throw new HttpRequestException($"connection refused: {request.RequestUri}");
        if (request.Method != HttpMethod.Post || !request.RequestUri.AbsolutePath.EndsWith("/add-checkpoint", StringComparison.Ordinal))
            return new HttpResponseMessage(HttpStatusCode.NotFound);
        byte[] body = await request.Content!.ReadAsByteArrayAsync(cancellationToken);
        return await witness.AnswerAsync(body, cancellationToken);
    }
}
