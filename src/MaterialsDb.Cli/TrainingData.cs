using MaterialsDb.Chemistry;
using MaterialsDb.Data;
using MaterialsDb.Data.Catalog;
using MaterialsDb.Data.Downloads;
using MaterialsDb.Data.Tables;
using MaterialsDb.Features;
using MaterialsDb.Models.Packages;
using MaterialsDb.Screening.Resources;

namespace MaterialsDb.Cli;

/// <summary>A labelled dataset, featurized: what training and evaluation read.</summary>
internal sealed record TrainingData(string Name, string Units, TrainingDataset? Dataset, ICompositionFeaturizer Featurizer, float[] Features, float[] Targets)
{
    /// <summary>
    /// Loads a catalog regression dataset or a CSV with <c>formula,target</c> columns and featurizes every row.
    /// Every row must parse and have a finite target: rows are never dropped, because Matbench folds index the file.
    /// </summary>
    public static async Task<TrainingData> LoadAsync(string dataset, string preset, DatasetStore store, CancellationToken cancellationToken)
    {
        string path, formulaColumn, targetColumn, units, name;
        TrainingDataset? provenance = null;
        if (DatasetCatalog.Default.TryGet(dataset, out var entry))
        {
            if (entry.Format.Kind != "csv" || entry.Format.Task != "regression")
            {
                throw new InvalidOptionException($"Dataset '{dataset}' is not a regression table; pick one of: {string.Join(", ", DatasetCatalog.Default.Datasets.Where(d => d.Format.Task == "regression").Select(d => d.Id))}.");
            }

            path = await store.EnsureFileAsync(entry, entry.Files[0], cancellationToken: cancellationToken).ConfigureAwait(false);
            (formulaColumn, targetColumn, name) = (entry.Format.FormulaColumn!, entry.Format.Target!, entry.Id);
            units = entry.Format.Units.GetValueOrDefault(targetColumn, "?");
            provenance = new TrainingDataset(entry.Id, entry.Files[0].Sha256);
        }
        else if (File.Exists(dataset))
        {
            (path, formulaColumn, targetColumn, units, name) = (dataset, "formula", "target", "?", Path.GetFileNameWithoutExtension(dataset));
        }
        else
        {
            throw new InvalidOptionException($"'{dataset}' is neither a catalog dataset id nor an existing CSV file.");
        }

        var table = InputTable.Read(new FileInfo(path), formulaColumn, targetColumn);
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
        return new TrainingData(name, units, provenance, featurizer, features, [.. targets.Select(t => (float)t)]);
    }
}
