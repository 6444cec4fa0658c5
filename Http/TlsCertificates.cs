using System.Security.Authentication;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace RekorPosix.Http;

/// <summary>TLS for a listener from a PEM certificate and key, TLS 1.3 only (as rekor-tiles).</summary>
public static class TlsCertificates
{
    /// <summary>The certificate, null when both paths are empty; <see cref="ArgumentException"/>
    /// naming the flags when only one is given or the files do not hold a matching pair.</summary>
    public static X509Certificate2? Load(string flagPrefix, string certFile, string keyFile)
    {
        if (certFile.Length == 0 && keyFile.Length == 0)
            return null;
        if (certFile.Length == 0 || keyFile.Length == 0)
            throw new ArgumentException($"{flagPrefix}-cert-file and {flagPrefix}-key-file go together: give both or neither");
        try
        {
            using var pem = X509Certificate2.CreateFromPemFile(certFile, keyFile);
            // An ephemeral PEM key cannot be used by the TLS stack on every platform; a PKCS#12
            // round trip gives a certificate with a usable private key.
            return X509CertificateLoader.LoadPkcs12(pem.Export(X509ContentType.Pkcs12), null);
        }
        catch (Exception e) when (e is CryptographicException or IOException or UnauthorizedAccessException or ArgumentException)
        {
            throw new ArgumentException($"{flagPrefix}-cert-file {certFile} / {flagPrefix}-key-file {keyFile}: {e.Message}", e);
        }
    }

    /// <summary>Turns TLS 1.3 on for a listener when there is a certificate.</summary>
    public static void Use(ListenOptions listener, X509Certificate2? certificate)
    {
        if (certificate is null)
            return;
        listener.UseHttps(certificate, https => https.SslProtocols = SslProtocols.Tls13);
    }
}
