using MaterialsDb.Chemistry;
using MaterialsDb.Data;
using MaterialsDb.Data.Catalog;
using MaterialsDb.Data.Downloads;
using MaterialsDb.Data.Tables;
using MaterialsDb.Features;
using MaterialsDb.Models.ElementSources;
using MaterialsDb.Models.Packages;

namespace MaterialsDb.Training;

/// <summary>A labelled dataset, featurized: what training and evaluation read.</summary>
/// <param name="Name">The dataset id, or the CSV's file name.</param>
/// <param name="Units">The target's units (from the catalog; for a CSV, what the caller says, else "unknown").</param>
/// <param name="Dataset">The catalog dataset and checksum, for the manifest; null for a CSV.</param>
/// <param name="Featurizer">The preset's featurizer.</param>
/// <param name="Features">Row-major features, one row per dataset row.</param>
/// <param name="Targets">The target per row.</param>
public sealed record TrainingData(string Name, string Units, TrainingDataset? Dataset, ICompositionFeaturizer Featurizer, float[] Features, float[] Targets)
{
    /// <summary>The formula of every row, as the file gives it (what hulls and reports need besides the features).</summary>
    public IReadOnlyList<string> Formulas { get; init; } = [];

    /// <summary>Loads one named file of a catalog regression dataset with several files (e.g. a train/val/test split).</summary>
    /// <exception cref="InvalidOptionException">The dataset is not a regression table of the catalog, or has no such file.</exception>
    /// <exception cref="InputDataException">A row cannot be used.</exception>
    public static async Task<TrainingData> LoadFileAsync(string dataset, string file, string preset, DatasetStore store, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(store);
        var entry = RegressionEntry(dataset);
        var part = entry.Files.FirstOrDefault(f => f.Name == file)
            ?? throw new InvalidOptionException($"Dataset '{dataset}' has no file '{file}'; its files are: {string.Join(", ", entry.Files.Select(f => f.Name))}.");
        var path = await store.EnsureFileAsync(entry, part, cancellationToken: cancellationToken).ConfigureAwait(false);
        return await ReadAsync(path, entry.Format.FormulaColumn!, entry.Format.Target!, entry.Id, entry.Format.Units.GetValueOrDefault(entry.Format.Target!, "unknown"), new TrainingDataset(entry.Id, part.Sha256), preset, store, cancellationToken).ConfigureAwait(false);
    }

    private static DatasetEntry RegressionEntry(string dataset) =>
        DatasetCatalog.Default.TryGet(dataset, out var entry) && entry.Format.Kind == "csv" && entry.Format.Task == "regression"
            ? entry
            : throw new InvalidOptionException($"Dataset '{dataset}' is not a regression table; pick one of: {string.Join(", ", DatasetCatalog.Default.Datasets.Where(d => d.Format.Task == "regression").Select(d => d.Id))}.");

    /// <summary>
    /// Loads a catalog regression dataset or a CSV with <c>formula,target</c> columns and featurizes every row.
    /// Every row must parse and have a finite target: rows are never dropped, because Matbench folds index the file.
    /// </summary>
    /// <exception cref="InvalidOptionException">The dataset is neither a regression table of the catalog nor a CSV file.</exception>
    /// <exception cref="InputDataException">A row cannot be used (the message names up to five).</exception>
    public static async Task<TrainingData> LoadAsync(string dataset, string preset, DatasetStore store, string? units = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(dataset);
        ArgumentNullException.ThrowIfNull(store);
        string path, formulaColumn, targetColumn, name;
        TrainingDataset? provenance = null;
        if (DatasetCatalog.Default.TryGet(dataset, out _))
        {
            var entry = RegressionEntry(dataset);
            path = await store.EnsureFileAsync(entry, entry.Files[0], cancellationToken: cancellationToken).ConfigureAwait(false);
            (formulaColumn, targetColumn, name) = (entry.Format.FormulaColumn!, entry.Format.Target!, entry.Id);
            if (units is not null && units != entry.Format.Units.GetValueOrDefault(targetColumn))
            {
                throw new InvalidOptionException($"Dataset '{dataset}' states its units ({entry.Format.Units.GetValueOrDefault(targetColumn, "none")}); --units is for CSV files.");
            }

            units = entry.Format.Units.GetValueOrDefault(targetColumn, "unknown");
            provenance = new TrainingDataset(entry.Id, entry.Files[0].Sha256);
        }
        else if (File.Exists(dataset))
        {
            (path, formulaColumn, targetColumn, name) = (dataset, "formula", "target", Path.GetFileNameWithoutExtension(dataset));
            units ??= "unknown";
        }
        else
        {
            throw new InvalidOptionException($"'{dataset}' is neither a catalog dataset id nor an existing CSV file.");
        }

        return await ReadAsync(path, formulaColumn, targetColumn, name, units, provenance, preset, store, cancellationToken).ConfigureAwait(false);
    }

    private static async Task<TrainingData> ReadAsync(string path, string formulaColumn, string targetColumn, string name, string units, TrainingDataset? provenance, string preset, DatasetStore store, CancellationToken cancellationToken)
    {
        var table = CsvTableReader.Read(path, [formulaColumn]);
        foreach (var column in new[] { formulaColumn, targetColumn }.Where(c => !table.Contains(c)))
        {
            throw new InputDataException($"{path}: no '{column}' column; the columns are: {string.Join(", ", table.Columns.Select(c => c.Name))}.");
        }

        var formulas = table.GetStrings(formulaColumn);
        var targets = table.GetDoubles(targetColumn);
        var batch = new CompositionBatch(formulas.Length);
        var problems = new List<string>();
        for (var i = 0; i < formulas.Length; i++)
        {
            if (!batch.TryAdd(formulas[i] ?? string.Empty, out var error))
            {
                problems.Add($"row {i + 1}: {error.Message}");
                batch.AddEmpty();
            }
            else if (!double.IsFinite(targets[i]))
            {
                problems.Add($"row {i + 1}: target is not a finite number");
            }
        }

        if (problems.Count > 0)
        {
            throw new InputDataException($"{path}: {problems.Count} unusable row(s): {string.Join("; ", problems.Take(5))}{(problems.Count > 5 ? "; ..." : string.Empty)}.");
        }

        var featurizer = FeaturizerPresets.Create(preset, await MagpieElementData.LoadAsync(store, cancellationToken: cancellationToken).ConfigureAwait(false));
        var features = new float[batch.Count * featurizer.FeatureLabels.Count];
        BatchFeaturizer.Featurize(featurizer, batch, features, cancellationToken: cancellationToken);
        return new TrainingData(name, units, provenance, featurizer, features, [.. targets.Select(t => (float)t)]) { Formulas = [.. formulas.Select(f => f!)] };
    }
}
