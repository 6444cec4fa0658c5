using System.Text.Json.Serialization;

namespace RekorPosix.Log.Gcp.Storage;

/// <summary>Source-generated (AOT-safe) JSON for the GCS JSON API, whose fields are camelCase.</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(GcsObjectMetadata))]
[JsonSerializable(typeof(GcsObjectList))]
[JsonSerializable(typeof(GcsErrorResponse))]
internal sealed partial class GcsJsonContext : JsonSerializerContext;
