namespace RekorPosix.Log.Entries;

/// <summary>
/// A decoded request that cannot become a log entry. <see cref="Exception.Message"/> is the fixed
/// text the client sees (400 / InvalidArgument); <see cref="Detail"/> is the reason, for the warning log only.
/// </summary>
public sealed class InvalidEntryException : Exception
{
    /// <summary>The one message for every hashedrekord validation failure.</summary>
    public const string InvalidHashedRekordMessage = "invalid hashedrekord request";

    /// <summary>The message for DSSE requests and requests without an entry.</summary>
    public const string InvalidTypeMessage = "invalid type, must be hashedrekord";

    private InvalidEntryException(string message, string detail) : base(message)
    {
        Detail = detail;
    }

    public string Detail { get; }

    public static InvalidEntryException InvalidHashedRekord(string detail) => new(InvalidHashedRekordMessage, detail);

    public static InvalidEntryException InvalidType(string detail) => new(InvalidTypeMessage, detail);
}
