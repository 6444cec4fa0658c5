using System.CommandLine;
using RekorPosix.Http;

namespace RekorPosix.Commands;

/// <summary>Flags that take a Go duration (<c>250ms</c>, <c>10s</c>, <c>1m</c>), as rekor-tiles' do.</summary>
internal static class DurationOptions
{
    /// <summary>
    /// The value is kept as a Go-syntax string so that help shows "10s", not "00:00:10"; the
    /// validator refuses a bad one at parse time, with the flag's name.
    /// </summary>
    public static Option<string> Create(string name, string description, TimeSpan defaultValue)
    {
        var option = new Option<string>(name)
        {
            Description = $"{description} Go duration syntax, e.g. 250ms, 10s, 1m.",
            DefaultValueFactory = _ => GoDuration.Format(defaultValue),
        };
        option.Validators.Add(result =>
        {
            string text = result.Tokens.Count == 1 ? result.Tokens[0].Value : GoDuration.Format(defaultValue);
            if (!GoDuration.TryParse(text, out _, out string? error))
                result.AddError($"{name}: invalid duration \"{text}\": {error}");
        });
        return option;
    }

    /// <summary>The parsed value; the validator has already refused a bad one.</summary>
    public static TimeSpan GetValue(ParseResult parse, Option<string> option) => GoDuration.Parse(parse.GetValue(option)!);
}
