using System.CommandLine;
using System.Text;

namespace RekorPosix.Http;

/// <summary>
/// <c>serve --help</c> with the flags in groups (System.CommandLine prints one flat list, which
/// for some thirty flags is hard to read) and each flag's environment variable.
/// </summary>
public static class GroupedHelp
{
    public static string Render(Command command, string usage, IReadOnlyList<(string Title, Option[] Options)> groups)
    {
        var text = new StringBuilder();
        text.Append(command.Description).Append("\n\nUsage:\n  ").Append(usage).Append('\n');
        int width = groups.SelectMany(g => g.Options).Max(o => Signature(o).Length) + 2;
        foreach (var (title, options) in groups)
        {
            text.Append('\n').Append(title).Append(":\n");
            foreach (var option in options)
            {
                text.Append("  ").Append(Signature(option).PadRight(width)).Append(option.Description);
                if (option.HasDefaultValue && option.GetDefaultValue() is { } value && !(value is bool b && !b) && value.ToString() != "")
                    text.Append(" [default: ").Append(value is string[] list ? string.Join(",", list) : value).Append(']');
                text.Append('\n').Append(' ', width + 2).Append("env ").Append(FlagSources.VariableName(option.Name)).Append('\n');
            }
        }
        text.Append("\nEvery flag can also be set as REKOR_<NAME> or in the --config file; the command line wins.\n");
        return text.ToString();
    }

    private static string Signature(Option option) =>
        option.ValueType == typeof(bool) ? option.Name : $"{option.Name} <{option.Name.TrimStart('-')}>";
}
