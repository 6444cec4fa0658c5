using System.Buffers.Binary;
using System.Text;

namespace RekorPosix.Signing;

/// <summary>C2SP signed-note v1.0.0: signing, parsing and verifying notes.</summary>
public static class SignedNote
{
    // Go's note.Open gives up beyond this many signature lines; C2SP asks verifiers to take at least 16.
    private const int MaxSignatures = 100;

    // U+2014 EM DASH followed by one space starts every signature line.
    private const string SignaturePrefix = "\u2014 ";

    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>
    /// Signs <paramref name="text"/> with every signer and returns the note: the text, one blank line,
    /// then one signature line per signer in the given order.
    /// </summary>
    /// <exception cref="ArgumentException">The text or a signer name is not allowed in a note, or two signers share a key.</exception>
    public static string Sign(string text, IReadOnlyList<INoteSigner> signers)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(signers);
        CheckTextForSigning(text);
        if (signers.Count == 0)
        {
            throw new ArgumentException("a note needs at least one signer", nameof(signers));
        }

        if (signers.Count > MaxSignatures)
        {
            throw new ArgumentException($"a note may carry at most {MaxSignatures} signatures", nameof(signers));
        }

        byte[] message = StrictUtf8.GetBytes(text);
        var note = new StringBuilder(text.Length + 1 + (signers.Count * 128));
        note.Append(text).Append('\n');
        var seen = new HashSet<(string, uint)>();
        foreach (INoteSigner signer in signers)
        {
            ArgumentNullException.ThrowIfNull(signer, nameof(signers));
            string name = signer.Name;
            uint keyId = signer.KeyId;
            NoteKeyName.ThrowIfInvalid(name, nameof(signers));
            if (!seen.Add((name, keyId)))
            {
                throw new ArgumentException($"key {name}+{keyId:x8} appears twice among the signers", nameof(signers));
            }

            AppendSignatureLine(note, signer, message);
        }

        return note.ToString();
    }

    /// <summary>
    /// One signature line (ending in a newline) by <paramref name="signer"/> over <paramref name="text"/>,
    /// for a cosigner that adds its line to a note signed by others.
    /// </summary>
    /// <exception cref="ArgumentException">The text or the signer's name is not allowed in a note.</exception>
    public static string SignatureLine(INoteSigner signer, string text)
    {
        ArgumentNullException.ThrowIfNull(signer);
        ArgumentNullException.ThrowIfNull(text);
        CheckTextForSigning(text);
        NoteKeyName.ThrowIfInvalid(signer.Name, nameof(signer));
        var line = new StringBuilder(128);
        AppendSignatureLine(line, signer, StrictUtf8.GetBytes(text));
        return line.ToString();
    }

    private static void AppendSignatureLine(StringBuilder note, INoteSigner signer, byte[] message)
    {
        string name = signer.Name;
        uint keyId = signer.KeyId;
        byte[] signature = signer.Sign(message);
        if (signature is null || signature.Length == 0)
        {
            throw new InvalidOperationException($"signer {name}+{keyId:x8} returned an empty signature");
        }

        var payload = new byte[4 + signature.Length];
        BinaryPrimitives.WriteUInt32BigEndian(payload, keyId);
        signature.CopyTo(payload, 4);
        note.Append(SignaturePrefix).Append(name).Append(' ').Append(Convert.ToBase64String(payload)).Append('\n');
    }

    /// <summary>Splits a note into text and signature lines without checking any signature.</summary>
    /// <exception cref="FormatException">The note is malformed.</exception>
    public static NoteEnvelope Parse(string note)
    {
        ArgumentNullException.ThrowIfNull(note);
        CheckNoteCharacters(note);

        // The text may itself hold blank lines; signatures never do, so the last one is the separator.
        int split = note.LastIndexOf("\n\n", StringComparison.Ordinal);
        if (split < 0)
        {
            throw new FormatException("malformed note: no blank line before the signatures");
        }

        string text = note[..(split + 1)];
        string block = note[(split + 2)..];
        if (block.Length == 0)
        {
            throw new FormatException("malformed note: no signatures");
        }

        if (block[^1] != '\n')
        {
            throw new FormatException("malformed note: the last signature line does not end with a newline");
        }

        var signatures = new List<NoteSignature>();
        int start = 0;
        while (start < block.Length)
        {
            int end = block.IndexOf('\n', start);
            if (signatures.Count == MaxSignatures)
            {
                throw new FormatException($"malformed note: more than {MaxSignatures} signatures");
            }

            signatures.Add(ParseSignatureLine(block[start..end]));
            start = end + 1;
        }

        return new NoteEnvelope(text, signatures);
    }

    /// <summary>Parses a note given as bytes, which must be valid UTF-8.</summary>
    /// <exception cref="FormatException">The note is not UTF-8 or is malformed.</exception>
    public static NoteEnvelope Parse(ReadOnlySpan<byte> note) => Parse(DecodeUtf8(note));

    /// <summary>
    /// Verifies a note and returns its text. Signatures from keys not in <paramref name="verifiers"/> are ignored;
    /// every signature from a known key must verify, and at least one must be present.
    /// </summary>
    /// <exception cref="FormatException">The note is malformed.</exception>
    /// <exception cref="NoteVerificationException">A known key's signature is invalid, or no known key signed the note.</exception>
    public static string Open(string note, IReadOnlyList<INoteVerifier> verifiers)
    {
        ArgumentNullException.ThrowIfNull(verifiers);
        NoteEnvelope envelope = Parse(note);
        byte[] message = Encoding.UTF8.GetBytes(envelope.Text);
        bool verified = false;
        foreach (NoteSignature signature in envelope.Signatures)
        {
            bool known = false;
            bool valid = false;
            foreach (INoteVerifier verifier in verifiers)
            {
                if (verifier.KeyId != signature.KeyId || !string.Equals(verifier.Name, signature.Name, StringComparison.Ordinal))
                {
                    continue;
                }

                known = true;
                if (verifier.Verify(message, signature.Signature))
                {
                    valid = true;
                    break;
                }
            }

            if (!known)
            {
                continue;
            }

            if (!valid)
            {
                throw new NoteVerificationException($"invalid signature for key {signature.Name}+{signature.KeyId:x8}");
            }

            verified = true;
        }

        if (!verified)
        {
            string seen = string.Join(", ", envelope.Signatures.Select(s => $"{s.Name}+{s.KeyId:x8}").Distinct());
            throw new NoteVerificationException($"note has no signature from a known key (signed by: {seen})");
        }

        return envelope.Text;
    }

    /// <summary>Verifies a note given as bytes, which must be valid UTF-8; see <see cref="Open(string, IReadOnlyList{INoteVerifier})"/>.</summary>
    public static string Open(ReadOnlySpan<byte> note, IReadOnlyList<INoteVerifier> verifiers) => Open(DecodeUtf8(note), verifiers);

    private static NoteSignature ParseSignatureLine(string line)
    {
        if (!line.StartsWith(SignaturePrefix, StringComparison.Ordinal))
        {
            throw new FormatException("malformed note: a signature line does not start with an em dash and a space");
        }

        string rest = line[SignaturePrefix.Length..];
        int space = rest.IndexOf(' ', StringComparison.Ordinal);
        if (space < 0)
        {
            throw new FormatException("malformed note: a signature line has no space between key name and signature");
        }

        string name = rest[..space];
        string encoded = rest[(space + 1)..];
        if (!NoteKeyName.IsValid(name))
        {
            throw new FormatException($"malformed note: invalid key name \"{name}\" in a signature line");
        }

        byte[] payload = DecodeBase64(encoded)
            ?? throw new FormatException($"malformed note: the signature of {name} is not valid base64");
        if (payload.Length < 5)
        {
            throw new FormatException($"malformed note: the signature of {name} is shorter than a key ID and one byte");
        }

        uint keyId = BinaryPrimitives.ReadUInt32BigEndian(payload);
        return new NoteSignature(name, keyId, payload[4..]);
    }

    // Standard padded base64 only: Convert alone would also skip embedded whitespace.
    private static byte[]? DecodeBase64(string encoded)
    {
        if (encoded.Length == 0 || encoded.Length % 4 != 0)
        {
            return null;
        }

        foreach (char c in encoded)
        {
            if (!char.IsAsciiLetterOrDigit(c) && c != '+' && c != '/' && c != '=')
            {
                return null;
            }
        }

        var buffer = new byte[encoded.Length / 4 * 3];
        return Convert.TryFromBase64String(encoded, buffer, out int written) ? buffer[..written] : null;
    }

    private static string DecodeUtf8(ReadOnlySpan<byte> note)
    {
        try
        {
            return StrictUtf8.GetString(note);
        }
        catch (DecoderFallbackException e)
        {
            throw new FormatException("malformed note: not valid UTF-8", e);
        }
    }

    // Verification follows Go's note.Open: ASCII control characters other than newline make a note malformed.
    private static void CheckNoteCharacters(string note)
    {
        foreach (char c in note)
        {
            if (c < 0x20 && c != '\n')
            {
                throw new FormatException($"malformed note: control character U+{(int)c:X4}");
            }
        }

        if (!WellFormedText.IsWellFormed(note))
        {
            throw new FormatException("malformed note: not valid Unicode (lone surrogate)");
        }
    }

    // What we sign is held to the stricter C2SP wording: no control characters at all except newline.
    private static void CheckTextForSigning(string text)
    {
        if (!text.EndsWith('\n'))
        {
            throw new ArgumentException("note text must end with a newline", nameof(text));
        }

        foreach (char c in text)
        {
            if (char.IsControl(c) && c != '\n')
            {
                throw new ArgumentException($"note text contains control character U+{(int)c:X4}", nameof(text));
            }
        }

        if (!WellFormedText.IsWellFormed(text))
        {
            throw new ArgumentException("note text is not valid Unicode (lone surrogate)", nameof(text));
        }
    }
}
