using System.CommandLine;
using System.Globalization;
using MaterialsDb.Chemistry;
using MaterialsDb.Cli.Output;
using MaterialsDb.Data.Tables;
using MaterialsDb.Screening.Resources;
using MaterialsDb.Stability;

namespace MaterialsDb.Cli.Commands;

/// <summary><c>materialsdb stability</c> and <c>materialsdb hull</c>.</summary>
internal static class StabilityCommand
{
    // Rows parsed and placed together by one worker.
    private const int PlaceBlock = 4096;

    public static Command CreateStability(CliContext context)
    {
        var reference = ReferenceOption();
        var input = new Option<FileInfo>("--input", "-i") { Description = "CSV with 'formula' and 'e_form_per_atom' (eV/atom) columns.", Required = true };
        var output = new Option<FileInfo>("--output", "-o") { Description = "Output file, .csv or .parquet.", Required = true };
        var compression = CompressionOption.Create();
        var command = new Command(
            "stability",
            "Energy above the convex hull of the reference set for each row: adds e_above_hull, hull_energy (eV/atom), is_stable and decomposition (reduced_formula:fraction, largest first). A bad row gets an error and never stops the file.")
        {
            reference, input, output, compression,
        };
        command.SetAction((parse, ct) => RunAsync(context, parse.GetValue(reference)!, parse.GetValue(input)!, parse.GetValue(output)!, CompressionOption.Value(parse, compression), ct));
        return command;
    }

    public static Command CreateHull(CliContext context)
    {
        var reference = ReferenceOption();
        var system = new Argument<string>("chemsys") { Description = "Chemical system, e.g. Fe-Li-O-P." };
        var format = TableOutput.FormatOption();
        var json = TableOutput.JsonOption();
        var command = new Command("hull", "Print the stable phases of a chemical system (formula, formation energy in eV/atom, id) from the reference set.") { system, reference, format, json };
        command.SetAction(async (parse, ct) =>
        {
            var set = await ReferenceSetLoader.LoadAsync(parse.GetValue(reference)!, context.Store, ct).ConfigureAwait(false);
            var diagram = new PhaseDiagramCache(set).For(parse.GetValue(system)!);
            var chosen = TableOutput.Resolve(parse.GetValue(format), parse.GetValue(json), context.Output);
            var rows = diagram.StableEntries.Select(e => new object?[] { e.ReducedFormula, e.EFormPerAtomEv, e.Id });
            var meta = new { chemsys = diagram.ChemicalSystem, stable = diagram.StableEntries.Count, entries = diagram.Entries.Count, facets = diagram.FacetCount, units = new { e_form_per_atom = "eV/atom" } };
            await TableOutput.WriteAsync(context.Output, chosen, ["formula", "e_form_per_atom", "id"], rows, meta).ConfigureAwait(false);
            if (chosen == OutputFormat.Table)
            {
                await context.Output.WriteLineAsync($"{diagram.ChemicalSystem}: {diagram.StableEntries.Count} stable of {diagram.Entries.Count} entries (elements included at 0 eV/atom), {diagram.FacetCount} hull facets.").ConfigureAwait(false);
            }

            return 0;
        });
        return command;
    }

    private static Option<string> ReferenceOption() => new("--reference", "-r")
    {
        Description = "Catalog dataset id or CSV (formula, e_form_per_atom[, id]) of known phases.",
        DefaultValueFactory = _ => ReferenceSetLoader.DefaultReference,
    };

    private static async Task<int> RunAsync(CliContext context, string referenceName, FileInfo input, FileInfo output, ParquetCompression compression, CancellationToken cancellationToken)
    {
        var reference = await ReferenceSetLoader.LoadAsync(referenceName, context.Store, cancellationToken).ConfigureAwait(false);
        var cache = new PhaseDiagramCache(reference);
        var failed = 0;
        var n = await InputTable.TransformAsync(input, output, ["formula", "e_form_per_atom"], chunk =>
        {
            var placed = Place(chunk, cache, cancellationToken);
            failed += placed.GetStrings("error").Count(e => e is not null);
            return placed;
        }, cancellationToken, compression).ConfigureAwait(false);
        if (!context.Quiet)
        {
            await context.Output.WriteLineAsync($"{n} rows written to {output.FullName}; {failed} failed; {cache.Count} chemical systems' hulls built.").ConfigureAwait(false);
        }

        return 0;
    }

    // One chunk of the input: each row placed on its hull. Energies are read as text and parsed per row, so that one
    // bad value fails its row, not the file. Rows go in blocks, each parsed into one CompositionBatch and decomposed
    // into spans: a row makes no objects but its decomposition's pairs (a chunk's objects outlive the young
    // generation, so each one costs a copy by the garbage collector).
    private static ColumnTable Place(ColumnTable chunk, PhaseDiagramCache cache, CancellationToken cancellationToken)
    {
        var formulas = chunk.GetStrings("formula");
        var energyText = chunk.GetStrings("e_form_per_atom");
        var n = formulas.Length;
        var energies = new double[n];
        var above = new double[n];
        var hull = new double[n];
        var stable = new bool[n];
        var decomposition = new KeyValuePair<string, double>[]?[n];
        var errors = new string?[n];
        var options = new ParallelOptions { CancellationToken = cancellationToken };
        Parallel.For(0, (n + PlaceBlock - 1) / PlaceBlock, options, () => new CompositionBatch(PlaceBlock), (block, _, batch) =>
        {
            var first = block * PlaceBlock;
            batch.Clear();
            var parts = new DecompositionPart[8];
            for (var i = first; i < Math.Min(n, first + PlaceBlock); i++)
            {
                above[i] = hull[i] = double.NaN;
                if (!batch.TryAdd(formulas[i] ?? string.Empty, out var error))
                {
                    errors[i] = error.Message;
                    continue;
                }

                if (energyText[i] is not { } text || !double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out energies[i]))
                {
                    energies[i] = double.NaN;
                    errors[i] = energyText[i] is null ? "e_form_per_atom is missing" : $"e_form_per_atom '{energyText[i]}' is not a number";
                    continue;
                }

                if (PhaseEntrySet.EnergyProblem(energies[i]) is { } why)
                {
                    errors[i] = "e_form_per_atom: " + why;
                    continue;
                }

                var row = batch.Count - 1;
                var z = batch.RowAtomicNumbers(row);
                if (parts.Length < z.Length)
                {
                    parts = new DecompositionPart[z.Length];
                }

                var count = cache.For(z).Decompose(z, batch.RowFractions(row), parts, out hull[i]);
                above[i] = energies[i] - hull[i];
                stable[i] = above[i] <= PhaseDiagram.StabilityTolerance;
                var pairs = new KeyValuePair<string, double>[count];
                for (var k = 0; k < count; k++)
                {
                    pairs[k] = new(parts[k].Phase.ReducedFormula, parts[k].Fraction);
                }

                decomposition[i] = pairs;
            }

            return batch;
        }, _ => { });

        return new ColumnTable(
        [
            new StringColumn("formula", formulas),
            new DoubleColumn("e_form_per_atom", energies),
            new DoubleColumn("e_above_hull", above),
            new DoubleColumn("hull_energy", hull),
            new BoolColumn("is_stable", stable),
            new PairsColumn("decomposition", decomposition, PairsLayout.StructList, "formula", "fraction"),
            new StringColumn("error", errors),
        ]);
    }
}
