using System.Security.Cryptography;

namespace RekorPosix.Signing;

/// <summary>Bounds on RSA log keys: below 2048 bits is too weak, above 16384 too slow to be a sane checkpoint key.</summary>
internal static class RsaKeySizes
{
    internal const int Min = 2048;
    internal const int Max = 16384;

    internal static void Check(RSA key)
    {
        if (key.KeySize < Min || key.KeySize > Max)
        {
            throw new KeyFileException($"unsupported RSA key size {key.KeySize} bits (must be {Min} to {Max})");
        }
    }
}
