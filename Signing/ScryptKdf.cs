using Org.BouncyCastle.Crypto.Generators;

namespace RekorPosix.Signing;

/// <summary>scrypt (RFC 7914) with bounds, so a hostile key file cannot make us allocate gigabytes.</summary>
internal static class ScryptKdf
{
    // Memory is 128·N·r bytes: 1 GiB allows N = 2^20 with r = 8 (cosign uses 2^15..2^16, openssl 2^14).
    private const long MaxMemory = 1L << 30;

    internal static byte[] Derive(byte[] password, byte[] salt, long cost, long blockSize, long parallelism, int keyLength, string what)
    {
        if (cost < 2 || (cost & (cost - 1)) != 0 || blockSize < 1 || parallelism < 1 || parallelism > 16
            || 128L * cost * blockSize > MaxMemory)
        {
            throw new KeyFileException($"unsupported scrypt parameters N={cost} r={blockSize} p={parallelism} in the {what}");
        }

        return SCrypt.Generate(password, salt, (int)cost, (int)blockSize, (int)parallelism, keyLength);
    }
}
