using System.Buffers;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using RekorPosix.Log.Entries;
using RekorPosix.Verification;

namespace RekorPosix.Monitoring;

/// <summary>
/// Findings as JSON lines on stdout, one object per line, written with Utf8JsonWriter (no
/// reflection). Every line has <c>event</c> (<c>match</c> or <c>malformed</c>), <c>index</c>,
/// and the <c>origin</c> and <c>treeSize</c> of the checkpoint that verified it. A match adds the
/// entry's <c>kind</c>, <c>digest</c>, the <c>rules</c> it matched and its <c>signers</c>
/// (<c>keySha256</c>, and for a certificate its <c>san</c> list and <c>issuer</c>); a malformed
/// entry adds the <c>problem</c>. Text from the entry is cut to bounded lengths.
/// </summary>
internal sealed class FindingReport(TextWriter output)
{
    private const int MaxText = 256;
    private const int MaxListed = 16;

    private static readonly JsonWriterOptions Options = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public void Write(EntryFinding finding, VerifiedCheckpoint checkpoint)
    {
        var buffer = new ArrayBufferWriter<byte>(512);
        using (var json = new Utf8JsonWriter(buffer, Options))
        {
            json.WriteStartObject();
            json.WriteString("event", finding.Entry is null ? "malformed" : "match");
            json.WriteNumber("index", finding.Index);
            json.WriteString("origin", checkpoint.Body.Origin);
            json.WriteNumber("treeSize", checkpoint.Size);
            if (finding.Entry is { } entry)
                WriteMatch(json, entry, finding.Rules);
            else
                json.WriteString("problem", BoundedText.Of(finding.Problem, MaxText));
            json.WriteEndObject();
        }
        output.WriteLine(Encoding.UTF8.GetString(buffer.WrittenSpan));
    }

    private static void WriteMatch(Utf8JsonWriter json, LoggedEntry entry, IReadOnlyList<WatchRule> rules)
    {
        json.WriteString("kind", entry.Kind);
        json.WriteString("digest", entry.Digest.Text);
        json.WriteStartArray("rules");
        foreach (var rule in rules)
            json.WriteStringValue(rule.Text);
        json.WriteEndArray();
        json.WriteStartArray("signers");
        foreach (var signer in entry.Signers.Take(MaxListed))
            WriteSigner(json, signer);
        json.WriteEndArray();
    }

    private static void WriteSigner(Utf8JsonWriter json, EntrySigner signer)
    {
        json.WriteStartObject();
        json.WriteString("keySha256", signer.KeySha256Hex);
        if (signer.Certificate is { } certificate)
        {
            json.WriteStartArray("san");
            foreach (string name in certificate.SubjectAlternativeNames.Take(MaxListed))
                json.WriteStringValue(BoundedText.Of(name, MaxText));
            json.WriteEndArray();
            if (certificate.Issuer is { } issuer)
                json.WriteString("issuer", BoundedText.Of(issuer, MaxText));
        }
        json.WriteEndObject();
    }
}
