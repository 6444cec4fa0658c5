namespace RekorPosix.Log.Gcp.Auth;

/// <summary>
/// A Google credentials JSON file, as <c>GOOGLE_APPLICATION_CREDENTIALS</c> names it or gcloud
/// writes it: the fields of the two types this program understands (spec gcp-spanner-flavour.md
/// §7.2, §7.3). Field names are snake_case in the file (<see cref="AuthJsonContext"/>).
/// </summary>
internal sealed class CredentialFile
{
    public const string ServiceAccountType = "service_account";
    public const string AuthorizedUserType = "authorized_user";

    public string? Type { get; set; }

    // Either type: the project API calls bill quota to (x-goog-user-project).
    public string? QuotaProjectId { get; set; }

    // service_account
    public string? ClientEmail { get; set; }
    public string? PrivateKey { get; set; }
    public string? PrivateKeyId { get; set; }
    public string? TokenUri { get; set; }

    // authorized_user
    public string? ClientId { get; set; }
    public string? ClientSecret { get; set; }
    public string? RefreshToken { get; set; }
}
