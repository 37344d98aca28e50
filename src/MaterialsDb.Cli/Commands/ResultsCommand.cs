using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using MaterialsDb.Data.Tables;
using MaterialsDb.Screening.Output;

namespace MaterialsDb.Cli.Commands;

/// <summary><c>materialsdb results show file.parquet</c>: the top rows of a screening result with its units and provenance.</summary>
internal static class ResultsCommand
{
    public static Command Create(CliContext context)
    {
        var file = new Argument<FileInfo>("file") { Description = "A result Parquet written by 'screen' (or by the service)." };
        var top = new Option<int>("--top", "-n") { Description = "Rows to show.", DefaultValueFactory = _ => 20 };
        var show = new Command("show", "Print the first rows of a screening result, with units and provenance.") { file, top };
        show.SetAction(async (parse, ct) =>
        {
            var path = parse.GetValue(file)!;
            if (!path.Exists)
            {
                throw new FileNotFoundException($"Result file '{path.FullName}' does not exist.");
            }

            var (table, metadata) = await ParquetTableReader.ReadAsync(path.FullName, ct).ConfigureAwait(false);
            var o = context.Output;
            var units = metadata.TryGetValue(ResultTable.UnitsKey, out var u) ? JsonSerializer.Deserialize<Dictionary<string, string>>(u) ?? [] : [];
            if (metadata.TryGetValue(ResultTable.ProvenanceKey, out var p))
            {
                using var doc = JsonDocument.Parse(p);
                var root = doc.RootElement;
                var models = root.TryGetProperty("models", out var m) ? string.Join(", ", m.EnumerateArray().Select(x => x.GetProperty("id").GetString())) : "?";
                await o.WriteLineAsync($"{root.GetProperty("name").GetString()}: {root.GetProperty("processed").GetInt64():N0} screened, {root.GetProperty("survivors").GetInt64():N0} passed; models: {models}").ConfigureAwait(false);
            }

            var shown = table.Columns.Where(c => c.Name is not ("source_formula" or "decomposition" or "chemical_system") && !c.Name.EndsWith("_std", StringComparison.Ordinal)).ToArray();
            var rows = Math.Min(parse.GetValue(top), table.RowCount);
            var header = shown.Select(c => units.TryGetValue(c.Name, out var unit) && unit.Length < 12 ? $"{c.Name} ({unit})" : c.Name).ToArray();
            var cells = Enumerable.Range(0, rows).Select(r => shown.Select(c => Cell(c, r)).ToArray()).ToArray();
            var widths = header.Select((h, i) => Math.Max(h.Length, cells.Select(row => row[i].Length).DefaultIfEmpty(0).Max())).ToArray();
            await o.WriteLineAsync(string.Join("  ", header.Select((h, i) => h.PadRight(widths[i])))).ConfigureAwait(false);
            foreach (var row in cells)
            {
                await o.WriteLineAsync(string.Join("  ", row.Select((cell, i) => cell.PadRight(widths[i])))).ConfigureAwait(false);
            }

            await o.WriteLineAsync($"({rows} of {table.RowCount} rows)").ConfigureAwait(false);
            return 0;
        });
        return new Command("results", "Inspect screening results.") { show };
    }

    private static string Cell(Column column, int row) => column switch
    {
        StringColumn s => s.Values[row] ?? string.Empty,
        DoubleColumn d => double.IsNaN(d.Values[row]) ? "-" : d.Values[row].ToString("0.####", CultureInfo.InvariantCulture),
        LongColumn l => l.Values[row].ToString(CultureInfo.InvariantCulture),
        BoolColumn b => b.Values[row] ? "yes" : "no",
        _ => "?",
    };
}
