using System.Text;

namespace RekorPosix.Tests.Fuzz;

/// <summary>
/// A seeded mutation generator: from a corpus of valid inputs it makes hostile variants by bit
/// flips, truncation, duplication, splicing with another seed, interesting bytes and numbers,
/// huge repeated runs, deep nesting, unicode and base64 junk. Same seed, same inputs.
/// <paramref name="targetTokens"/>, when given, are inserted as often as the generic tokens.
/// </summary>
public sealed class Mutator(int seed, IReadOnlyList<byte[]>? targetTokens = null)
{
    private static readonly byte[][] Tokens =
    [
        "{"u8.ToArray(), "}"u8.ToArray(), "["u8.ToArray(), "]"u8.ToArray(), "\""u8.ToArray(), ":"u8.ToArray(), ","u8.ToArray(),
        "null"u8.ToArray(), "true"u8.ToArray(), "-0"u8.ToArray(), "1e999"u8.ToArray(), "18446744073709551616"u8.ToArray(),
        "\\u0000"u8.ToArray(), "\\ud800"u8.ToArray(), "\\u00e9"u8.ToArray(), "é"u8.ToArray(), "\U0001F600"u8.ToArray(),
        [0xC0, 0x80], [0xED, 0xA0, 0x80], [0xFF], [0x00], "\r\n"u8.ToArray(), "\n"u8.ToArray(), "\r"u8.ToArray(),
        "/"u8.ToArray(), "."u8.ToArray(), ".."u8.ToArray(), "%2e%2e"u8.ToArray(), "x"u8.ToArray(), "0"u8.ToArray(),
        "-----BEGIN "u8.ToArray(), "-----END "u8.ToArray(), "-----"u8.ToArray(), "===="u8.ToArray(), "+/"u8.ToArray(),
        "-_"u8.ToArray(), " "u8.ToArray(), "\t"u8.ToArray(), "2147483648"u8.ToArray(), "9223372036854775807"u8.ToArray(),
    ];

    private static readonly byte[] InterestingBytes = [0x00, 0x01, 0x7F, 0x80, 0xFF, 0x30, 0x02, 0x03, 0x04, 0x05, 0x06, 0x81, 0x82, 0x84, 0x89];

    private readonly Random _random = new(seed);

    public Random Random => _random;

    /// <summary>One to a few stacked mutations of a random seed.</summary>
    public byte[] Next(IReadOnlyList<byte[]> seeds)
    {
        var data = new List<byte>(seeds[_random.Next(seeds.Count)]);
        int rounds = 1 + (_random.Next(4) == 0 ? _random.Next(8) : 0);
        for (int i = 0; i < rounds; i++)
            MutateOnce(data, seeds);
        return [.. data];
    }

    private void MutateOnce(List<byte> data, IReadOnlyList<byte[]> seeds)
    {
        switch (_random.Next(15))
        {
            case 0 when data.Count > 0: // bit flip
                {
                    int at = _random.Next(data.Count);
                    data[at] ^= (byte)(1 << _random.Next(8));
                    break;
                }
            case 1 when data.Count > 0: // interesting byte
                data[_random.Next(data.Count)] = InterestingBytes[_random.Next(InterestingBytes.Length)];
                break;
            case 2 when data.Count > 0: // truncation
                {
                    int keep = _random.Next(data.Count);
                    data.RemoveRange(keep, data.Count - keep);
                    break;
                }
            case 3 when data.Count > 0: // delete a range
                {
                    int at = _random.Next(data.Count);
                    data.RemoveRange(at, _random.Next(Math.Min(64, data.Count - at) + 1));
                    break;
                }
            case 4 when data.Count > 0: // duplicate a range
                {
                    int at = _random.Next(data.Count);
                    int length = _random.Next(Math.Min(256, data.Count - at) + 1);
                    var range = data.GetRange(at, length);
                    data.InsertRange(_random.Next(data.Count + 1), range);
                    break;
                }
            case 5: // splice with another seed
                {
                    var other = seeds[_random.Next(seeds.Count)];
                    int cut = _random.Next(data.Count + 1);
                    int from = _random.Next(other.Length + 1);
                    data.RemoveRange(cut, data.Count - cut);
                    data.AddRange(other.AsSpan(from).ToArray());
                    break;
                }
            case 6: // a token: the target's own half the time, when it has some
                {
                    IReadOnlyList<byte[]> tokens = targetTokens is { Count: > 0 } && _random.Next(2) == 0 ? targetTokens : Tokens;
                    data.InsertRange(_random.Next(data.Count + 1), tokens[_random.Next(tokens.Count)]);
                    break;
                }
            case 7: // a huge run
                {
                    byte fill = _random.Next(3) switch { 0 => (byte)'A', 1 => (byte)'9', _ => (byte)_random.Next(256) };
                    int length = _random.Next(4) == 0 ? 1 << _random.Next(10, 21) : _random.Next(1, 4096);
                    data.InsertRange(_random.Next(data.Count + 1), Enumerable.Repeat(fill, length));
                    break;
                }
            case 8: // deep nesting
                {
                    int depth = _random.Next(3) == 0 ? _random.Next(10_000, 200_000) : _random.Next(1, 1000);
                    bool array = _random.Next(2) == 0;
                    byte[] open = array ? "["u8.ToArray() : "{\"a\":"u8.ToArray();
                    var nest = new List<byte>(depth * open.Length + depth);
                    for (int i = 0; i < depth; i++)
                        nest.AddRange(open);
                    if (_random.Next(2) == 0)
                        nest.AddRange(Enumerable.Repeat(array ? (byte)']' : (byte)'}', depth));
                    data.InsertRange(_random.Next(data.Count + 1), nest);
                    break;
                }
            case 9: // unicode
                {
                    string text = _random.Next(3) switch
                    {
                        0 => "\u202E\u0301\uFEFF",
                        1 => new string((char)_random.Next(0x80, 0xFFFF), _random.Next(1, 32)),
                        _ => "\u0000\u00A0\u2028",
                    };
                    data.InsertRange(_random.Next(data.Count + 1), Encoding.UTF8.GetBytes(text));
                    break;
                }
            case 10: // base64 junk
                {
                    var raw = new byte[_random.Next(4) == 0 ? _random.Next(1, 1 << 20) : _random.Next(1, 300)];
                    _random.NextBytes(raw);
                    string b64 = Convert.ToBase64String(raw);
                    if (_random.Next(2) == 0)
                        b64 = b64.Replace('+', '-').Replace('/', '_').TrimEnd('=');
                    data.InsertRange(_random.Next(data.Count + 1), Encoding.ASCII.GetBytes(b64));
                    break;
                }
            case 11 when data.Count > 0: // replace a byte by an ASCII digit or letter (numbers and names)
                data[_random.Next(data.Count)] = (byte)"0123456789azAZ-.:/"[_random.Next(18)];
                break;
            case 12 when data.Count > 1: // swap two bytes
                {
                    int a = _random.Next(data.Count), b = _random.Next(data.Count);
                    (data[a], data[b]) = (data[b], data[a]);
                    break;
                }
            case 13 when data.Count > 0: // ASN.1 length made huge
                {
                    int at = _random.Next(data.Count);
                    data[at] = _random.Next(2) == 0 ? (byte)0x84 : (byte)0x89;
                    data.InsertRange(Math.Min(at + 1, data.Count), [0x7F, 0xFF, 0xFF, 0xFF]);
                    break;
                }
            default: // random bytes
                {
                    var raw = new byte[_random.Next(1, 16)];
                    _random.NextBytes(raw);
                    data.InsertRange(_random.Next(data.Count + 1), raw);
                    break;
                }
        }
    }
}
