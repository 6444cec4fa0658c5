using RekorPosix.Commands;
using RekorPosix.Signing;

namespace RekorPosix.Tests.Commands;

public class CommandInputTests
{
    [Fact]
    public void Read_ReturnsWhatItRead() =>
        Assert.Equal(42, CommandInput.Read("--answer", () => 42));

    public static TheoryData<Exception> InputFailures => new()
    {
        new FileNotFoundException("no such file"),
        new UnauthorizedAccessException("permission denied"),
        new FormatException("not PEM"),
        new ArgumentException("bad value"),
        new KeyFileException("not a key"),
    };

    [Theory]
    [MemberData(nameof(InputFailures))]
    public void Read_TurnsAFailureToReadIntoAnInputError_NamingTheInput(Exception failure)
    {
        var error = Assert.Throws<CommandInputException>(() => CommandInput.Read<int>("--key k.pem", () => throw failure));
        Assert.Equal($"--key k.pem: {failure.Message}", error.Message);
        Assert.Same(failure, error.InnerException);
    }

    [Fact]
    public void Read_LetsOtherFailuresThrough()
    {
        // A bug is not the user's input: it must not be reported as one (exit 2).
        Assert.Throws<InvalidOperationException>(() => CommandInput.Read<int>("--key", () => throw new InvalidOperationException("bug")));
    }
}
