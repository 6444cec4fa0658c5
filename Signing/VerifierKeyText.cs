using System.Globalization;

namespace RekorPosix.Signing;

/// <summary>
/// The text form of a note verifier key, <c>&lt;name&gt;+&lt;hex key ID&gt;+&lt;base64(type ‖ key)&gt;</c>
/// (https://c2sp.org/signed-note), split and decoded but not interpreted: what the key material
/// means, and whether the key ID matches it, depends on the type byte the caller expects.
/// </summary>
public sealed record VerifierKeyText(string Name, uint KeyId, byte[] Material)
{
    public byte Type => Material[0];

    public ReadOnlySpan<byte> Key => Material.AsSpan(1);

    /// <exception cref="FormatException">Not three parts, an invalid name, a key ID that is not 8 hex
    /// digits, or key material that is not strict base64 of at least one byte.</exception>
    public static VerifierKeyText Parse(string vkey)
    {
        ArgumentNullException.ThrowIfNull(vkey);

        // The name cannot hold '+', base64 can: split at the first two only.
        string[] parts = vkey.Split('+', 3);
        if (parts.Length != 3)
            throw new FormatException("malformed verifier key: expected <name>+<key ID>+<key>");
        (string name, string hex, string encoded) = (parts[0], parts[1], parts[2]);
        if (!NoteKeyName.IsValid(name))
            throw new FormatException($"malformed verifier key: invalid key name \"{name}\"");
        if (hex.Length != 8 || !uint.TryParse(hex, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out uint keyId))
            throw new FormatException($"malformed verifier key: key ID \"{hex}\" is not 8 hex digits");
        return new VerifierKeyText(name, keyId, Decode(encoded));
    }

    // Convert alone would skip embedded whitespace, which a key copied into a config must not hold.
    private static byte[] Decode(string encoded)
    {
        byte[] material;
        try
        {
            material = Convert.FromBase64String(encoded);
        }
        catch (FormatException e)
        {
            throw new FormatException("malformed verifier key: the key is not valid base64", e);
        }
        if (material.Length == 0 || encoded.Any(char.IsWhiteSpace))
            throw new FormatException("malformed verifier key: the key is not valid base64");
        return material;
    }
}
