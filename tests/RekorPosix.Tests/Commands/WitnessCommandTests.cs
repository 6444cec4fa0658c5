using System.Net;
using System.Security.Cryptography;
using RekorPosix.Commands;
using RekorPosix.Log.Witnessing;
using RekorPosix.Signing.Witnessing;
using RekorPosix.Tests.Support;

namespace RekorPosix.Tests.Commands;

/// <summary>The <c>witness</c> command: its key, --print-vkey, start-up refusals, and a real run.</summary>
public class WitnessCommandTests
{
    private const string Name = "witness.example/w1";

    private static async Task<(int Code, string Out, string Err)> RunAsync(CancellationToken cancel, params string[] args)
    {
        var command = new WitnessCommand();
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        int code = await command.RunAsync(command.Command.Parse(args), stdout, stderr, cancel);
        return (code, stdout.ToString(), stderr.ToString());
    }

    private static Task<(int Code, string Out, string Err)> RunAsync(params string[] args) => RunAsync(CancellationToken.None, args);

    private static string LastLine(string output) => output.TrimEnd('\n').Split('\n')[^1];

    [Fact]
    public async Task PrintVkey_CreatesTheKey0600_AndPrintsItsCosignatureKeyLast()
    {
        using var dir = new TempDir();
        string key = dir["witness.pem"];

        var (code, stdout, stderr) = await RunAsync("--key", key, "--name", Name, "--print-vkey");

        Assert.True(code == 0, stderr);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(key));
        Assert.Contains($"Wrote new witness key {key} (mode 0600)", stdout);
        var vkey = WitnessKey.Parse(LastLine(stdout));
        Assert.Equal(Name, vkey.Name);
        Assert.Equal(0x04, Convert.FromBase64String(LastLine(stdout).Split('+', 3)[2])[0]);
        Assert.Equal(WitnessKey.IdOf(Name, WitnessKey.CosignatureType, vkey.PublicKey), vkey.KeyId);
        Assert.Equal(vkey.KeyId.ToString("x8"), LastLine(stdout).Split('+')[1]);

        var again = await RunAsync("--key", key, "--name", Name, "--print-vkey");
        Assert.Equal((0, LastLine(stdout) + "\n"), (again.Code, again.Out));
    }

    [Fact]
    public async Task PrintVkey_OfANonEd25519Key_Exits2()
    {
        using var dir = new TempDir();
        string key = dir["ecdsa.pem"];
        using (var ecdsa = ECDsa.Create(ECCurve.NamedCurves.nistP256))
            File.WriteAllText(key, ecdsa.ExportPkcs8PrivateKeyPem());
        File.SetUnixFileMode(key, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        var (code, _, stderr) = await RunAsync("--key", key, "--name", Name, "--print-vkey");
        Assert.Equal(2, code);
        Assert.Contains("witness: --key: ", stderr);
        Assert.Contains("must be Ed25519", stderr);
    }

    [Theory]
    [InlineData("")]
    [InlineData("a+b")]
    [InlineData("two words")]
    public async Task ANameThatCannotNameAKey_Exits2(string name)
    {
        using var dir = new TempDir();
        var (code, _, stderr) = await RunAsync("--key", dir["k.pem"], "--name", name, "--print-vkey");
        Assert.Equal(2, code);
        Assert.Contains("--name", stderr);
        Assert.False(File.Exists(dir["k.pem"]));
    }

    [Fact]
    public async Task ALogsFileLineThatIsNoKey_Exits2_NamingFileAndLine_BeforeAnyKeyIsMade()
    {
        using var dir = new TempDir();
        string logs = dir["logs"];
        File.WriteAllText(logs, $"# witnessed\n{TestData.TesseraVkey}\nexample.org/log+00000000+AAAA\n");
        var (code, _, stderr) = await RunAsync("--key", dir["k.pem"], "--name", Name, "--logs", logs, "--listen", "127.0.0.1:8100", "--state-dir", dir["state"]);
        Assert.Equal(2, code);
        Assert.StartsWith($"witness: {logs} line 3: ", stderr);
        Assert.False(File.Exists(dir["k.pem"]));
        Assert.False(Directory.Exists(dir["state"]));
    }

    [Theory]
    [InlineData("--listen")]
    [InlineData("--logs")]
    [InlineData("--state-dir")]
    public async Task ServingWithoutAFlagItNeeds_Exits2(string missing)
    {
        using var dir = new TempDir();
        File.WriteAllText(dir["logs"], WitnessedTestLog.LogsFile);
        string[] flags = ["--listen", "127.0.0.1:8100", "--logs", dir["logs"], "--state-dir", dir["state"]];
        int at = Array.IndexOf(flags, missing);
        string[] args = ["--key", dir["k.pem"], "--name", Name, .. flags[..at], .. flags[(at + 2)..]];
        var (code, _, stderr) = await RunAsync(args);
        Assert.Equal(2, code);
        Assert.Contains("--listen, --logs and --state-dir are required", stderr);
    }

    [Fact]
    public async Task ABadListenAddress_Exits2()
    {
        using var dir = new TempDir();
        File.WriteAllText(dir["logs"], WitnessedTestLog.LogsFile);
        var (code, _, stderr) = await RunAsync("--key", dir["k.pem"], "--name", Name, "--logs", dir["logs"], "--listen", "8100", "--state-dir", dir["state"]);
        Assert.Equal(2, code);
        Assert.StartsWith("witness: --listen: ", stderr);
    }

    [Fact]
    public async Task Serving_CosignsWithTheKeyItCreated_UntilCancelled()
    {
        using var dir = new TempDir();
        File.WriteAllText(dir["logs"], WitnessedTestLog.LogsFile);
        int port = FreePorts.Take(1)[0];
        using var stop = new CancellationTokenSource();
        var run = RunAsync(stop.Token, "--key", dir["k.pem"], "--name", Name, "--logs", dir["logs"], "--listen", $"127.0.0.1:{port}",
            "--state-dir", dir["state"], "--log-level", "warn");
        var log = new WitnessedTestLog();
        using var client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
        var waited = System.Diagnostics.Stopwatch.StartNew();
        HttpResponseMessage response;
        while (true)
        {
            try
            {
                response = await client.PostAsync("/add-checkpoint", new ByteArrayContent(log.Request(0, 4)));
                break;
            }
            catch (HttpRequestException) when (!run.IsCompleted && waited.Elapsed < HangGuard.Timeout)
            {
                await Task.Delay(20); // not listening yet
            }
        }
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        string vkey = LastLine((await RunAsync("--key", dir["k.pem"], "--name", Name, "--print-vkey")).Out);
        var verifier = WitnessKey.Parse(vkey).CreateVerifier();
        Assert.Equal(log.Text(4), RekorPosix.Signing.SignedNote.Open(log.Note(4) + await response.Content.ReadAsStringAsync(), [verifier]));
        Assert.True(File.Exists(Path.Combine(dir["state"], WitnessStateStore.KeyOf(WitnessedTestLog.Origin), WitnessStateStore.CheckpointFile)));

        stop.Cancel();
        var (code, _, stderr) = await run.WaitAsync(HangGuard.Timeout);
        Assert.True(code == 0, stderr);
    }

    [Fact]
    public void TheBinary_HasTheCommand()
    {
        using var dir = new TempDir();
        var (code, stdout, stderr) = ServerBinary.Run("witness", "--key", dir["k.pem"], "--name", Name, "--print-vkey");
        Assert.True(code == 0, stderr);
        Assert.Equal(Name, WitnessKey.Parse(LastLine(stdout)).Name);
    }
}
