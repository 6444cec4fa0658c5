using System.Net;
using System.Security.Authentication;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Grpc.Health.V1;
using Grpc.Net.Client;
using RekorPosix.Http;
using RekorPosix.Tests.Support;

namespace RekorPosix.Tests.Http;

public class TlsCertificatesTests
{
    private static (string Cert, string Key) WritePemPair(TempDir dir)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=127.0.0.1", key, HashAlgorithmName.SHA256);
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));
        File.WriteAllText(dir["cert.pem"], certificate.ExportCertificatePem());
        File.WriteAllText(dir["key.pem"], key.ExportPkcs8PrivateKeyPem());
        return (dir["cert.pem"], dir["key.pem"]);
    }

    [Fact]
    public async Task HttpAndGrpc_ServeTls13_AndRefuseTls12()
    {
        using var dir = new TempDir();
        var (cert, key) = WritePemPair(dir);
        await using var server = await RunningServer.StartAsync(dir["log"], s => s with
        {
            HttpTlsCertFile = cert, HttpTlsKeyFile = key, GrpcTlsCertFile = cert, GrpcTlsKeyFile = key,
        });
        Assert.Equal("{\"status\":\"SERVING\"}\n", await server.Http.GetStringAsync("/healthz"));

        using var tls12 = new HttpClient(new HttpClientHandler
        {
            SslProtocols = SslProtocols.Tls12,
            ServerCertificateCustomValidationCallback = (_, _, _, _) => true,
        });
        await Assert.ThrowsAsync<HttpRequestException>(() => tls12.GetAsync($"https://127.0.0.1:{server.Settings.HttpPort}/healthz"));

        using var channel = GrpcChannel.ForAddress(server.GrpcAddress, new GrpcChannelOptions
        {
            HttpHandler = new HttpClientHandler { ServerCertificateCustomValidationCallback = (_, _, _, _) => true },
        });
        var reply = await new Health.HealthClient(channel).CheckAsync(new HealthCheckRequest());
        Assert.Equal(HealthCheckResponse.Types.ServingStatus.Serving, reply.Status);
    }

    [Fact]
    public void HalfAPair_OrAMismatch_IsRefusedNamingTheFlags()
    {
        using var dir = new TempDir();
        var (cert, _) = WritePemPair(dir);
        Assert.Null(TlsCertificates.Load("--http-tls", "", ""));
        Assert.Contains("--http-tls-key-file", Assert.Throws<ArgumentException>(() => TlsCertificates.Load("--http-tls", cert, "")).Message);
        using var other = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        File.WriteAllText(dir["other.pem"], other.ExportPkcs8PrivateKeyPem());
        Assert.Contains("--grpc-tls-cert-file", Assert.Throws<ArgumentException>(() => TlsCertificates.Load("--grpc-tls", cert, dir["other.pem"])).Message);
    }
}
