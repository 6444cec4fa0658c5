using RekorPosix.Protos.CommonV1;

namespace RekorPosix.Log.Entries;

/// <summary>A digest algorithm an entry may name: its protojson name, the name watch rules use, its length.</summary>
internal sealed record EntryDigestAlgorithm(string ProtoName, string Name, int Size, HashAlgorithm Proto)
{
    public static readonly IReadOnlyList<EntryDigestAlgorithm> All =
    [
        new("SHA2_256", "sha256", 32, HashAlgorithm.Sha2256),
        new("SHA2_384", "sha384", 48, HashAlgorithm.Sha2384),
        new("SHA2_512", "sha512", 64, HashAlgorithm.Sha2512),
        new("SHA3_256", "sha3-256", 32, HashAlgorithm.Sha3256),
        new("SHA3_384", "sha3-384", 48, HashAlgorithm.Sha3384),
    ];

    public static EntryDigestAlgorithm? FromProtoName(string protoName) => All.FirstOrDefault(a => a.ProtoName == protoName);

    public static EntryDigestAlgorithm? FromName(string name) => All.FirstOrDefault(a => a.Name == name);
}
