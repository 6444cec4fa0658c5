using RekorPosix.Signing;

namespace RekorPosix.Commands;

/// <summary>Reading one of a command's inputs, its failure a <see cref="CommandInputException"/>
/// that names the input.</summary>
internal static class CommandInput
{
    public static T Read<T>(string what, Func<T> read)
    {
        try
        {
            return read();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException or ArgumentException or KeyFileException)
        {
            throw new CommandInputException($"{what}: {e.Message}", e);
        }
    }
}
