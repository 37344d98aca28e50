using System.CommandLine;
using System.Globalization;
using System.Text;
using MaterialsDb.Chemistry;
using MaterialsDb.Data.Tables;

namespace MaterialsDb.Cli.Commands;

/// <summary><c>materialsdb composition --input formulas.csv --output out.(csv|parquet)</c>.</summary>
internal static class CompositionCommand
{
    public static Command Create(CliContext context)
    {
        var input = new Option<FileInfo>("--input", "-i") { Description = "CSV file with a 'formula' column.", Required = true };
        var output = new Option<FileInfo>("--output", "-o") { Description = "Output file, .csv or .parquet.", Required = true };
        var column = new Option<string>("--column") { Description = "Name of the formula column.", DefaultValueFactory = _ => "formula" };
        var compression = CompressionOption.Create();
        var command = new Command(
            "composition",
            "Parse formulas and write formula, reduced_formula, num_atoms, chemsys, fractions (Symbol:fraction by atomic number) and error per row. A bad row never stops the file.")
        {
            input, output, column, compression,
        };
        command.SetAction((parse, ct) => RunAsync(context, parse.GetValue(input)!, parse.GetValue(output)!, parse.GetValue(column)!, CompressionOption.Value(parse, compression), ct));
        return command;
    }

    private static async Task<int> RunAsync(CliContext context, FileInfo input, FileInfo output, string column, ParquetCompression compression, CancellationToken cancellationToken)
    {
        var failed = 0;
        var rows = await InputTable.TransformAsync(input, output, [column], chunk =>
        {
            var described = Describe(chunk.GetStrings(column), out var bad);
            failed += bad;
            return described;
        }, cancellationToken, compression).ConfigureAwait(false);
        if (!context.Quiet)
        {
            await context.Output.WriteLineAsync($"{rows} rows written to {output.FullName}; {failed} failed to parse.").ConfigureAwait(false);
        }
        return 0;
    }

    /// <summary>The output table for a list of formulas; rows that fail carry the parser's message in <c>error</c>.</summary>
    public static ColumnTable Describe(IReadOnlyList<string?> formulas, out int failed)
    {
        var n = formulas.Count;
        var reduced = new string?[n];
        var numAtoms = new double[n];
        var chemsys = new string?[n];
        var fractions = new KeyValuePair<string, double>[]?[n];
        var errors = new string?[n];
        failed = 0;
        // Pairs by plain loops, not LINQ: millions of rows come through here.
        for (var i = 0; i < n; i++)
        {
            if (!FormulaParser.TryParse(formulas[i] ?? string.Empty, out var composition, out var error))
            {
                numAtoms[i] = double.NaN;
                errors[i] = error.Message;
                failed++;
                continue;
            }

            reduced[i] = composition.ReducedFormula;
            numAtoms[i] = composition.NumAtoms;
            chemsys[i] = composition.ChemicalSystem;
            var z = composition.AtomicNumbers;
            var amounts = composition.Amounts;
            var pairs = new KeyValuePair<string, double>[z.Length];
            for (var k = 0; k < pairs.Length; k++)
            {
                pairs[k] = new(PeriodicTable.FromZ(z[k]).Symbol, amounts[k] / composition.NumAtoms);
            }

            fractions[i] = pairs;
        }

        return new ColumnTable(
        [
            new StringColumn("formula", [.. formulas]),
            new StringColumn("reduced_formula", reduced),
            new DoubleColumn("num_atoms", numAtoms),
            new StringColumn("chemsys", chemsys),
            new PairsColumn("fractions", fractions, PairsLayout.Map),
            new StringColumn("error", errors),
        ]);
    }
}
