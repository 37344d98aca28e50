using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using MaterialsDb.Cli.Output;
using MaterialsDb.Data.Tables;
using MaterialsDb.Screening.Output;

namespace MaterialsDb.Cli.Commands;

/// <summary><c>materialsdb results show file.parquet</c>: the top rows of a screening result with its units and provenance.</summary>
internal static class ResultsCommand
{
    // Columns a table on a terminal leaves out (too wide to read there); tsv and json have every column.
    private static readonly HashSet<string> Wide = ["source_formula", "decomposition", "fractions", "hull_energy", "known_phases_in_system"];

    public static Command Create(CliContext context)
    {
        var file = new Argument<FileInfo>("file") { Description = "A result Parquet written by 'screen' (or by the service)." };
        var top = new Option<int>("--top", "-n") { Description = "Rows to show.", DefaultValueFactory = _ => 20 };
        var format = TableOutput.FormatOption();
        var json = TableOutput.JsonOption();
        var show = new Command("show", "Print the first rows of a screening result, with units and provenance.") { file, top, format, json };
        show.SetAction(async (parse, ct) =>
        {
            var path = parse.GetValue(file)!;
            if (!path.Exists)
            {
                throw new FileNotFoundException($"Result file '{path.FullName}' does not exist.");
            }

            if (parse.GetValue(top) < 1)
            {
                throw new InvalidOptionException($"--top must be at least 1, not {parse.GetValue(top)}.");
            }

            var (table, metadata) = await ParquetTableReader.ReadAsync(path.FullName, ct).ConfigureAwait(false);
            var units = Json<Dictionary<string, string>>(metadata, ResultTable.UnitsKey) ?? [];
            var chosen = TableOutput.Resolve(parse.GetValue(format), parse.GetValue(json), context.Output);
            var rows = Math.Min(parse.GetValue(top), table.RowCount);
            var columns = table.Columns.Where(c => chosen != OutputFormat.Table || (!Wide.Contains(c.Name) && !c.Name.EndsWith("_std", StringComparison.Ordinal))).ToArray();
            var o = context.Output;
            if (chosen == OutputFormat.Table && metadata.TryGetValue(ResultTable.ProvenanceKey, out var p))
            {
                using var doc = JsonDocument.Parse(p);
                var root = doc.RootElement;
                var models = root.TryGetProperty("models", out var m) ? string.Join(", ", m.EnumerateArray().Select(x => x.GetProperty("id").GetString())) : "none";
                await o.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"{root.GetProperty("name").GetString()}: {root.GetProperty("processed").GetInt64():N0} screened, {root.GetProperty("survivors").GetInt64():N0} passed; models: {models}")).ConfigureAwait(false);
            }

            var headers = columns.Select(c => chosen == OutputFormat.Table && units.TryGetValue(c.Name, out var unit) && unit.Length < 12 ? $"{c.Name} ({unit})" : c.Name).ToArray();
            var cells = Enumerable.Range(0, rows).Select(r => columns.Select(c => Cell(c, r, chosen)).ToArray());
            var meta = new
            {
                rows = table.RowCount,
                units,
                models = Json<Dictionary<string, string>>(metadata, ResultTable.ModelsKey),
                provenance = Json<JsonElement?>(metadata, ResultTable.ProvenanceKey),
            };
            await TableOutput.WriteAsync(o, chosen, headers, cells, meta).ConfigureAwait(false);
            if (chosen == OutputFormat.Table)
            {
                await o.WriteLineAsync($"({rows} of {table.RowCount} rows)").ConfigureAwait(false);
            }

            return 0;
        });
        return new Command("results", "Inspect screening results.") { show };
    }

    private static T? Json<T>(IReadOnlyDictionary<string, string> metadata, string key) =>
        metadata.TryGetValue(key, out var text) ? JsonSerializer.Deserialize<T>(text) : default;

    // JSON keeps nested cells as objects (fractions) and arrays (decompositions); text formats print them as pairs.
    private static object? Cell(Column column, int row, OutputFormat format) => column switch
    {
        StringColumn s => s.Values[row],
        DoubleColumn d => double.IsNaN(d.Values[row]) ? null : d.Values[row],
        LongColumn l => l.Values[row],
        BoolColumn b => b.Values[row],
        PairsColumn { Layout: PairsLayout.Map } m when format == OutputFormat.Json => m.Values[row]?.ToDictionary(x => x.Key, x => x.Value),
        PairsColumn p when format == OutputFormat.Json => p.Values[row]?.Select(x => new Dictionary<string, object> { [p.KeyName] = x.Key, [p.ValueName] = x.Value }).ToArray(),
        PairsColumn p => p.Text(row),
        _ => null,
    };
}
