using System.CommandLine;
using RekorPosix.Commands;
using RekorPosix.Signing;
using RekorPosix.Signing.Witnessing;
using RekorPosix.Tests.Support;

namespace RekorPosix.Tests.Commands;

/// <summary><c>verify-checkpoint</c> end to end: its flags, report and exit codes.</summary>
public class VerifyCheckpointCommandTests : IDisposable
{
    private const long Now = 1767225600; // 2026-01-01 00:00:00 UTC

    private static readonly Cosigner A = TestWitness.Ed25519("a.example", FixedClock.At(Now));
    private static readonly MlDsaCosigner B = TestWitness.MlDsa44("b.example", FixedClock.At(Now + 1));
    private static readonly Cosigner C = TestWitness.Ed25519("c.example", FixedClock.At(Now + 2));

    private readonly TempDir _dir = new();

    public VerifyCheckpointCommandTests()
    {
        File.WriteAllText(_dir["policy"],
            $"witness a {A.VerifierKey} https://a.example/\n" +
            $"witness b {B.VerifierKey} https://b.example/\n" +
            $"witness c {C.VerifierKey} https://c.example/\n" +
            "group two 2 a b c\nquorum two\n");
    }

    public void Dispose() => _dir.Dispose();

    private static async Task<(int Code, string Out, string Err)> RunAsync(params string[] args)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        int code = await new VerifyCheckpointCommand(stdout, stderr).Command.Parse(args).InvokeAsync();
        return (code, stdout.ToString(), stderr.ToString());
    }

    /// <summary>The tessera log's checkpoint with these cosigners' lines, in a file; its path.</summary>
    private string Checkpoint(params INoteSigner[] cosigners)
    {
        File.WriteAllText(_dir["checkpoint"], TestWitness.AddLines(File.ReadAllText(TestData.PathOf("tessera-log/checkpoint")), cosigners));
        return _dir["checkpoint"];
    }

    private Task<(int Code, string Out, string Err)> VerifyFileAsync(string checkpoint) =>
        RunAsync("--checkpoint", checkpoint, "--vkey", TestData.TesseraVkey, "--witness-policy", _dir["policy"]);

    [Fact]
    public async Task TwoOfThree_Exits0_AndSaysWhichWitnessesSignedAndWhen()
    {
        var (code, output, error) = await VerifyFileAsync(Checkpoint(A, B));

        Assert.True(code == 0, error);
        Assert.Equal("", error);
        Assert.Equal(
            $"""
            checkpoint: {_dir["checkpoint"]}
            origin: example.com/log/testdata
            size: 15
            root: rKbDipCvhuX1GZ7g5BBe8sA6BbJ7ja/1nk427v383cs=
            log signature: verified (example.com/log/testdata+33d7b496)
            witness a (a.example+{A.KeyId:x8}, Ed25519): signed at 2026-01-01 00:00:00 UTC
            witness b (b.example+{B.KeyId:x8}, ML-DSA-44): signed at 2026-01-01 00:00:01 UTC
            witness c (c.example+{C.KeyId:x8}, Ed25519): missing
            quorum two: satisfied

            """, output);
    }

    [Fact]
    public async Task OneOfThree_Exits1()
    {
        var (code, output, _) = await VerifyFileAsync(Checkpoint(C));

        Assert.Equal(1, code);
        Assert.Contains("witness c (", output);
        Assert.Contains("quorum two: NOT satisfied", output);
    }

    [Fact]
    public async Task ABadCosignature_IsReported_AndNotCounted()
    {
        string path = Checkpoint(A);
        string otherText = new RekorPosix.Tiles.Checkpoint(TestData.TesseraOrigin, 15, new byte[32]).Format();
        File.AppendAllText(path, SignedNote.SignatureLine(B, otherText));

        var (code, output, _) = await VerifyFileAsync(path);

        Assert.Equal(1, code);
        Assert.Contains($"witness b (b.example+{B.KeyId:x8}, ML-DSA-44): BAD SIGNATURE (not counted)", output);
        Assert.Contains("quorum two: NOT satisfied", output);
    }

    [Fact]
    public async Task AForgedLogSignature_Exits1_WithOneLine()
    {
        string path = Checkpoint(A, B, C);
        string note = File.ReadAllText(path);
        int at = note.IndexOf("\n\n— ", StringComparison.Ordinal) + 4 + TestData.TesseraOrigin.Length + 1 + 10;
        File.WriteAllText(path, note[..at] + (note[at] == 'A' ? 'B' : 'A') + note[(at + 1)..]);

        var (code, output, error) = await VerifyFileAsync(path);

        Assert.Equal(1, code);
        Assert.Equal("", output);
        Assert.StartsWith($"verify-checkpoint: FAILED: {path}: invalid signature for key example.com/log/testdata+33d7b496", error);
        Assert.Single(error.TrimEnd('\n').Split('\n'));
    }

    [Fact]
    public async Task WithoutAPolicy_TheLogSignatureDecides_AndCosignaturesAreListed()
    {
        var (code, output, _) = await RunAsync("--checkpoint", Checkpoint(A), "--vkey", TestData.TesseraVkey);

        Assert.Equal(0, code);
        Assert.Contains($"other signature: a.example+{A.KeyId:x8} (no policy given, not checked)", output);
        Assert.Contains("quorum: no --witness-policy", output);
    }

    [Fact]
    public async Task ALogDirectory_AndAPemKeyWithItsOrigin()
    {
        TestWitness.WriteCosignedTesseraLog(_dir["log"], A, B);

        var (code, output, error) = await RunAsync("--storage-dir", _dir["log"], "--public-key", TestData.PathOf("tessera-log-key.pub.pem"),
            "--origin", TestData.TesseraOrigin, "--witness-policy", _dir["policy"]);

        Assert.True(code == 0, error);
        Assert.Contains($"checkpoint: {_dir["log/checkpoint"]}", output);
    }

    [Fact]
    public async Task AVkeyFile_IsReadLikeFscksFlag()
    {
        File.WriteAllText(_dir["vkey"], TestData.TesseraVkey + "\n");

        Assert.Equal(0, (await RunAsync("--checkpoint", Checkpoint(A, C), "--vkey", _dir["vkey"], "--witness-policy", _dir["policy"])).Code);
    }

    [Theory]
    [InlineData("give exactly one of --checkpoint FILE, --url URL or --storage-dir DIR", "--vkey", TestData.TesseraVkey)]
    [InlineData("give exactly one of", "--checkpoint", "{checkpoint}", "--storage-dir", "{dir}", "--vkey", TestData.TesseraVkey)]
    [InlineData("the log's key is needed", "--checkpoint", "{checkpoint}")]
    [InlineData("give either --vkey or --public-key with --origin, not both", "--checkpoint", "{checkpoint}", "--vkey", TestData.TesseraVkey, "--public-key", "{dir}/pub.pem")]
    [InlineData("--public-key needs --origin", "--checkpoint", "{checkpoint}", "--public-key", "{dir}/pub.pem")]
    [InlineData("--vkey: malformed verifier key", "--checkpoint", "{checkpoint}", "--vkey", "example.com+nothex+AQ==")]
    [InlineData("--public-key {dir}/missing.pem: ", "--checkpoint", "{checkpoint}", "--public-key", "{dir}/missing.pem", "--origin", "o")]
    [InlineData("--witness-policy {dir}/missing: ", "--checkpoint", "{checkpoint}", "--vkey", TestData.TesseraVkey, "--witness-policy", "{dir}/missing")]
    [InlineData("--witness-policy {dir}/bad-policy: line 2: nobody is not defined", "--checkpoint", "{checkpoint}", "--vkey", TestData.TesseraVkey, "--witness-policy", "{dir}/bad-policy")]
    [InlineData("{dir}/missing: ", "--checkpoint", "{dir}/missing", "--vkey", TestData.TesseraVkey)]
    [InlineData("{dir}/nowhere/checkpoint: ", "--storage-dir", "{dir}/nowhere", "--vkey", TestData.TesseraVkey)]
    [InlineData("--url ftp://example.com: not an http(s) URL", "--url", "ftp://example.com", "--vkey", TestData.TesseraVkey)]
    public async Task UsageAndInputProblems_Exit2_WithOneLineNamingThem(string expected, params string[] args)
    {
        string checkpoint = Checkpoint(A);
        File.Copy(TestData.PathOf("tessera-log-key.pub.pem"), _dir["pub.pem"]);
        File.WriteAllText(_dir["bad-policy"], "# a comment\nquorum nobody\n");
        string Fill(string s) => s.Replace("{checkpoint}", checkpoint).Replace("{dir}", _dir.Path);

        var (code, output, error) = await RunAsync([.. args.Select(Fill)]);

        Assert.Equal(2, code);
        Assert.Equal("", output);
        Assert.StartsWith("verify-checkpoint: " + Fill(expected), error);
        Assert.Single(error.TrimEnd('\n').Split('\n'));
    }

    [Fact]
    public async Task AUrl_IsFetched_FromTheTilePortOrTheApiPrefix_OfAReadOnlyServer()
    {
        TestWitness.WriteCosignedTesseraLog(_dir["log"], A, B);
        await using var server = await RunningServer.StartAsync(_dir["log"], s => s with { ReadOnly = true });
        string api = new Uri(server.Http.BaseAddress!, "/api/v2").ToString();

        foreach (string url in new[] { server.TilesAddress.ToString(), api })
        {
            var (code, output, error) = await RunAsync("--url", url, "--vkey", TestData.TesseraVkey, "--witness-policy", _dir["policy"]);
            Assert.True(code == 0, $"{url}: {error}");
            Assert.Contains($"checkpoint: {url.TrimEnd('/')}/checkpoint", output);
            Assert.Contains("witness b (", output);
            Assert.Contains("quorum two: satisfied", output);
        }

        var missing = await RunAsync("--url", api + "/nothing-here", "--vkey", TestData.TesseraVkey);
        Assert.Equal(2, missing.Code);
        Assert.Contains("HTTP 404", missing.Err);
    }
}
