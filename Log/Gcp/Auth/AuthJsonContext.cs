using System.Text.Json.Serialization;

namespace RekorPosix.Log.Gcp.Auth;

/// <summary>Source-generated (AOT-safe) JSON for credential files and token answers, whose field
/// names are all snake_case.</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower)]
[JsonSerializable(typeof(CredentialFile))]
[JsonSerializable(typeof(TokenResponse))]
[JsonSerializable(typeof(TokenErrorResponse))]
internal sealed partial class AuthJsonContext : JsonSerializerContext;
