using System.Text;
using RekorPosix.Signing;
using RekorPosix.Signing.Witnessing;
using RekorPosix.Tests.Tiles;
using RekorPosix.Tiles;

namespace RekorPosix.Tests.Support;

/// <summary>
/// A log for witness tests: 64 synthetic leaves, checkpoints of any size signed by the tessera test
/// key for its origin, and real RFC 6962 consistency proofs (NaiveMerkle, independent of Tiles/).
/// </summary>
internal sealed class WitnessedTestLog
{
    public const string Origin = TestData.TesseraOrigin;

    private readonly NaiveMerkle _tree;
    private readonly INoteSigner _signer;

    /// <param name="salt">Another salt gives another tree: a fork of the same log.</param>
    public WitnessedTestLog(string salt = "")
    {
        _tree = new NaiveMerkle(Enumerable.Range(0, 64).Select(i => NaiveMerkle.Leaf(Encoding.ASCII.GetBytes($"{salt}leaf {i}"))).ToArray());
        _signer = TestLogKey.Load().CreateNoteSigner(Origin);
    }

    /// <summary>The --logs file's content for this log.</summary>
    public static string LogsFile => $"# the tessera test log\n{TestData.TesseraVkey}\n";

    public static WitnessedLogs Logs => WitnessedLogs.Parse(LogsFile, "logs");

    public byte[] Root(int size) => _tree.Root(size);

    public string Text(int size, byte[]? root = null) => new Checkpoint(Origin, size, root ?? Root(size)).Format();

    /// <summary>The checkpoint signed by the log (or by <paramref name="signer"/> instead).</summary>
    public string Note(int size, byte[]? root = null, INoteSigner? signer = null) => SignedNote.Sign(Text(size, root), [signer ?? _signer]);

    public IReadOnlyList<byte[]> Proof(int oldSize, int size) => _tree.Consistency(oldSize, size);

    /// <summary>An add-checkpoint body from <paramref name="oldSize"/> with the right proof, unless one is given.</summary>
    public byte[] Request(int oldSize, int size, IReadOnlyList<byte[]>? proof = null, string? note = null) =>
        new AddCheckpointRequest(oldSize, proof ?? Proof(oldSize, size), Encoding.UTF8.GetBytes(note ?? Note(size))).Format();

    /// <summary>A fresh witness cosigner.</summary>
    public static Cosigner NewCosigner(string name = "witness.example/w1") =>
        LogSigningKey.GenerateEd25519().CreateCosigner(name, TimeProvider.System);
}
