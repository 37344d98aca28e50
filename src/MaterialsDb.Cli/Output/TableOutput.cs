using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Spectre.Console;

namespace MaterialsDb.Cli.Output;

/// <summary>How a command prints rows: a table for people, tab-separated lines for pipes, JSON for programs.</summary>
internal enum OutputFormat
{
    /// <summary>A box-drawn table (the default on a terminal).</summary>
    Table,

    /// <summary>A header line and tab-separated values (the default when output is redirected).</summary>
    Tsv,

    /// <summary>One JSON document: <c>{"data": [...], "meta": {...}}</c>, snake_case keys.</summary>
    Json,
}

/// <summary>
/// The <c>--format</c> option every command that prints rows shares, and the printing itself. Tables only on a
/// terminal: redirected output gets tab-separated lines unless a format is asked for.
/// </summary>
internal static class TableOutput
{
    private static readonly JsonSerializerOptions Json = new() { WriteIndented = true };

    /// <summary>The <c>--format</c> option.</summary>
    public static Option<string?> FormatOption()
    {
        var option = new Option<string?>("--format") { Description = "table (default on a terminal), tsv (default when redirected) or json." };
        option.AcceptOnlyFromAmong("table", "tsv", "json");
        return option;
    }

    /// <summary>The <c>--json</c> shorthand for <c>--format json</c>.</summary>
    public static Option<bool> JsonOption() => new("--json") { Description = "Same as --format json." };

    /// <summary>The format asked for, or the default for where the output goes.</summary>
    public static OutputFormat Resolve(string? format, bool json, TextWriter output) =>
        json ? OutputFormat.Json : format switch
        {
            "json" => OutputFormat.Json,
            "tsv" => OutputFormat.Tsv,
            "table" => OutputFormat.Table,
            _ => IsTerminal(output) ? OutputFormat.Table : OutputFormat.Tsv,
        };

    /// <summary>True when <paramref name="writer"/> is the process's standard output and that is a terminal.</summary>
    public static bool IsTerminal(TextWriter writer) => ReferenceEquals(writer, Console.Out) && !Console.IsOutputRedirected;

    /// <summary>Prints rows in <paramref name="format"/>; cells are numbers, text, booleans or null.</summary>
    public static async Task WriteAsync(TextWriter output, OutputFormat format, IReadOnlyList<string> columns, IEnumerable<object?[]> rows, object? meta = null)
    {
        ArgumentNullException.ThrowIfNull(output);
        var list = rows.ToList();
        switch (format)
        {
            case OutputFormat.Json:
                var data = list.Select(r => columns.Select((c, i) => (c, r[i])).ToDictionary(x => x.c, x => x.Item2 is double d && !double.IsFinite(d) ? null : x.Item2));
                await output.WriteLineAsync(JsonSerializer.Serialize(new { data, meta }, Json)).ConfigureAwait(false);
                break;
            case OutputFormat.Tsv:
                await output.WriteLineAsync(string.Join('\t', columns)).ConfigureAwait(false);
                foreach (var row in list)
                {
                    await output.WriteLineAsync(string.Join('\t', row.Select(Text))).ConfigureAwait(false);
                }

                break;
            default:
                var table = new Table().AddColumns([.. columns.Select(c => Markup.Escape(c))]);
                foreach (var row in list)
                {
                    table.AddRow([.. row.Select(cell => Markup.Escape(Text(cell)))]);
                }

                var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(output) });
                if (!IsTerminal(output))
                {
                    // A table asked for on a pipe or file has no terminal width to fit: do not wrap its cells.
                    console.Profile.Width = 400;
                }

                console.Write(table);
                break;
        }
    }

    private static string Text(object? cell) => cell switch
    {
        null => string.Empty,
        // Six decimals, or six significant digits below 1e-3 (a thermal expansion of 4.7e-6 1/K is not 0.000005).
        double d => !double.IsFinite(d) ? string.Empty
            : d != 0 && Math.Abs(d) < 1e-3 ? d.ToString("0.#####e+0", CultureInfo.InvariantCulture)
            : d.ToString("0.######", CultureInfo.InvariantCulture),
        bool b => b ? "yes" : "no",
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => (cell.ToString() ?? string.Empty).Replace('\t', ' ').ReplaceLineEndings(" "),
    };
}
