using RekorPosix.Log.Gcp;
using RekorPosix.Log.Gcp.Spanner;

namespace RekorPosix.Tests.Log.Gcp.Spanner;

/// <summary>Which of tessera's statements a printed schema already satisfies. The printed forms
/// are the emulator's (GetDatabaseDdl after tessera's own statements, as SpannerCoordinatorTests
/// checks them).</summary>
public sealed class SchemaStatementsTests
{
    private const string PubCoordWithSize = "CREATE TABLE PubCoord (\n  id INT64 NOT NULL,\n  publishedAt TIMESTAMP NOT NULL,\n  size INT64,\n) PRIMARY KEY(id)";
    private const string PubCoordWithoutSize = "CREATE TABLE PubCoord (\n  id INT64 NOT NULL,\n  publishedAt TIMESTAMP NOT NULL,\n) PRIMARY KEY(id)";

    private static readonly string[] AllPrinted =
    [
        "CREATE TABLE GCCoord (\n  id INT64 NOT NULL,\n  fromSize INT64 NOT NULL,\n) PRIMARY KEY(id)",
        "CREATE TABLE IntCoord (\n  id INT64 NOT NULL,\n  seq INT64 NOT NULL,\n  rootHash BYTES(32),\n) PRIMARY KEY(id)",
        PubCoordWithSize,
        "CREATE TABLE Seq (\n  id INT64 NOT NULL,\n  seq INT64 NOT NULL,\n  v BYTES(MAX),\n) PRIMARY KEY(id, seq)",
        "CREATE TABLE SeqCoord (\n  id INT64 NOT NULL,\n  next INT64 NOT NULL,\n) PRIMARY KEY(id)",
        "CREATE TABLE Tessera (\n  id INT64 NOT NULL,\n  compatibilityVersion INT64 NOT NULL,\n) PRIMARY KEY(id)",
    ];

    [Fact]
    public void AnEmptySchema_NeedsEveryStatement() =>
        Assert.Equal(SpannerSchema.CreateTables, SchemaStatements.Missing(SpannerSchema.CreateTables, []));

    [Fact]
    public void ACompleteSchema_NeedsNothing()
    {
        Assert.Empty(SchemaStatements.Missing(SpannerSchema.CreateTables, AllPrinted));
        Assert.Empty(SchemaStatements.Missing(SpannerSchema.Migrations, AllPrinted));
    }

    [Fact]
    public void OnlyTheMissingTables_InTheirOrder()
    {
        string[] printed = [.. AllPrinted.Where(s => !s.StartsWith("CREATE TABLE Seq", StringComparison.Ordinal))];

        var missing = SchemaStatements.Missing(SpannerSchema.CreateTables, printed);

        Assert.Equal([SpannerSchema.CreateTables[1], SpannerSchema.CreateTables[2]], missing);
    }

    [Fact]
    public void AColumnIsJudgedByItsOwnLine_NotByAPrefixOfAnotherName()
    {
        string[] printed = [PubCoordWithoutSize.Replace("publishedAt", "sizeOfIt", StringComparison.Ordinal)];

        Assert.Equal(SpannerSchema.Migrations, SchemaStatements.Missing(SpannerSchema.Migrations, printed));
        Assert.Equal(SpannerSchema.Migrations, SchemaStatements.Missing(SpannerSchema.Migrations, [PubCoordWithoutSize]));
        Assert.Empty(SchemaStatements.Missing(SpannerSchema.Migrations, [PubCoordWithSize]));
    }

    [Fact]
    public void AColumnOfAMissingTable_IsNeeded() =>
        Assert.Equal(SpannerSchema.Migrations, SchemaStatements.Missing(SpannerSchema.Migrations, AllPrinted[..2]));

    [Theory]
    [InlineData("CREATE TABLE Tessera (id INT64 NOT NULL) PRIMARY KEY (id)")]
    [InlineData("ALTER TABLE PubCoord ADD COLUMN size INT64")]
    [InlineData("CREATE INDEX SeqBySeq ON Seq (seq)")]
    public void AStatementOfAnotherForm_IsAlwaysNeeded(string statement) =>
        Assert.Equal([statement], SchemaStatements.Missing([statement], AllPrinted));

    [Fact]
    public void ATableNameIsMatchedWhole()
    {
        string[] printed = ["CREATE TABLE SeqCoordOld (\n  id INT64 NOT NULL,\n) PRIMARY KEY(id)"];

        Assert.Equal([SpannerSchema.CreateTables[1]], SchemaStatements.Missing([SpannerSchema.CreateTables[1]], printed));
    }
}
