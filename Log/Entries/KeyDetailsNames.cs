using Google.Protobuf.Reflection;
using RekorPosix.Protos.CommonV1;
using RekorPosix.Protos.RekorV2;

namespace RekorPosix.Log.Entries;

/// <summary>PublicKeyDetails values by their protojson names and back, from the generated descriptor.</summary>
internal static class KeyDetailsNames
{
    private static readonly EnumDescriptor Values = Verifier.Descriptor.FindFieldByNumber(Verifier.KeyDetailsFieldNumber).EnumType;

    /// <summary>The value's proto name, or its number when undefined, as Go's %s prints it.</summary>
    public static string Name(PublicKeyDetails details) =>
        Values.FindValueByNumber((int)details)?.Name ?? ((int)details).ToString(System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>The value named <paramref name="name"/> (e.g. PKIX_ECDSA_P256_SHA_256); null when there is none.</summary>
    public static PublicKeyDetails? Find(string? name) =>
        name is not null && Values.FindValueByName(name) is { } value ? (PublicKeyDetails)value.Number : null;
}
