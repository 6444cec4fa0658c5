using System.Security.Cryptography;
using System.Text.Json;

namespace RekorPosix.Tests.Support;

/// <summary>The throwaway service-account key of testdata/gcp and credential files made from it.</summary>
internal static class TestServiceAccount
{
    public const string ClientEmail = "rekor@example-project.iam.gserviceaccount.com";
    public const string KeyId = "0123456789abcdef";

    public static string PrivateKeyPem => File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "testdata", "gcp", "service-account-key.pem"));

    public static RSA PublicKey()
    {
        var key = RSA.Create();
        key.ImportFromPem(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "testdata", "gcp", "service-account-key.pub.pem")));
        return key;
    }

    /// <summary>A service_account JSON file as the Cloud console downloads it.</summary>
    public static string ServiceAccountFile(string directory, Uri tokenUri, string? privateKey = null, string? quotaProject = null) => Write(directory, "service-account.json", json =>
    {
        QuotaProject(json, quotaProject);
        json.WriteString("type", "service_account");
        json.WriteString("project_id", "example-project");
        json.WriteString("private_key_id", KeyId);
        json.WriteString("private_key", privateKey ?? PrivateKeyPem);
        json.WriteString("client_email", ClientEmail);
        json.WriteString("client_id", "1234567890");
        json.WriteString("token_uri", tokenUri.ToString());
    });

    /// <summary>An authorized_user JSON file as gcloud writes it, plus a token_uri pointing at a fake.</summary>
    public static string AuthorizedUserFile(string directory, Uri tokenUri, string name = "authorized-user.json", string? quotaProject = null) => Write(directory, name, json =>
    {
        QuotaProject(json, quotaProject);
        json.WriteString("type", "authorized_user");
        json.WriteString("client_id", "client-id-1");
        json.WriteString("client_secret", FakeTokenServer.ClientSecret);
        json.WriteString("refresh_token", FakeTokenServer.RefreshToken);
        json.WriteString("token_uri", tokenUri.ToString());
    });

    /// <summary>quota_project_id, as gcloud writes it when one is set, else nothing.</summary>
    private static void QuotaProject(Utf8JsonWriter json, string? quotaProject)
    {
        if (quotaProject is not null)
            json.WriteString("quota_project_id", quotaProject);
    }

    public static string Write(string directory, string name, Action<Utf8JsonWriter> fields)
    {
        string path = Path.Combine(directory, name);
        using (var stream = File.Create(path))
        using (var json = new Utf8JsonWriter(stream))
        {
            json.WriteStartObject();
            fields(json);
            json.WriteEndObject();
        }
        return path;
    }
}
