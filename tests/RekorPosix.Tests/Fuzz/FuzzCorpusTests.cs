namespace RekorPosix.Tests.Fuzz;

/// <summary>Every kept input and crasher under tests/testdata/fuzz, replayed as a regression test.</summary>
public class FuzzCorpusTests
{
    public static IEnumerable<object[]> RequestJson => FuzzCorpus.Names("request-json");
    public static IEnumerable<object[]> RequestProto => FuzzCorpus.Names("request-proto");
    public static IEnumerable<object[]> TilePath => FuzzCorpus.Names("tile-path");
    public static IEnumerable<object[]> TileRequest => FuzzCorpus.Names("tile-request");
    public static IEnumerable<object[]> KeyFile => FuzzCorpus.Names("key-file");
    public static IEnumerable<object[]> KeyDer => FuzzCorpus.Names("key-der");

    [Theory]
    [MemberData(nameof(RequestJson))]
    public void RequestJsonInput(string name) => RequestFuzzTarget.Json(FuzzCorpus.Read("request-json", name));

    [Theory]
    [MemberData(nameof(RequestProto))]
    public void RequestProtoInput(string name) => RequestFuzzTarget.Proto(FuzzCorpus.Read("request-proto", name));

    [Theory]
    [MemberData(nameof(TilePath))]
    public void TilePathInput(string name) => TilePathFuzzTarget.Run(FuzzCorpus.Read("tile-path", name));

    [Theory]
    [MemberData(nameof(TileRequest))]
    public void TileRequestInput(string name) => TileRequestFuzzTarget.Run(FuzzCorpus.Read("tile-request", name));

    [Theory]
    [MemberData(nameof(KeyFile))]
    public void KeyFileInput(string name) => KeyFileFuzzTarget.Run(FuzzCorpus.Read("key-file", name));

    [Theory]
    [MemberData(nameof(KeyDer))]
    public void KeyDerInput(string name) => KeyFileFuzzTarget.RunDer(FuzzCorpus.Read("key-der", name));
}
