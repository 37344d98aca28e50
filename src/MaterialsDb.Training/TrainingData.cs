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

    /// <summary><see cref="TrainingTasks.Regression"/>, or <see cref="TrainingTasks.Classification"/> (targets 0 or 1).</summary>
    public string Task { get; init; } = TrainingTasks.Regression;

    /// <summary>
    /// The dataset's own test split, for a catalog dataset published as train/val/test files: these rows are then
    /// train ∪ val (what the folds divide) and the test rows are scored once, by the finished package.
    /// </summary>
    public TrainingData? Test { get; init; }

    /// <summary>Loads one named file of a catalog dataset with several files (e.g. a train/val/test split).</summary>
    /// <exception cref="InvalidOptionException">The dataset is not a labelled table of the catalog, or has no such file.</exception>
    /// <exception cref="InputDataException">A row cannot be used.</exception>
    public static async Task<TrainingData> LoadFileAsync(string dataset, string file, string preset, DatasetStore store, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(store);
        var entry = LabelledEntry(dataset);
        var part = entry.Files.FirstOrDefault(f => f.Name == file)
            ?? throw new InvalidOptionException($"Dataset '{dataset}' has no file '{file}'; its files are: {string.Join(", ", entry.Files.Select(f => f.Name))}.");
        var path = await store.EnsureFileAsync(entry, part, cancellationToken: cancellationToken).ConfigureAwait(false);
        return await ReadAsync([path], entry.Format.FormulaColumn!, entry.Format.Target!, entry.Id, entry.Format.Units.GetValueOrDefault(entry.Format.Target!, "unknown"), new TrainingDataset(entry.Id, part.Sha256), entry.Format.Task!, preset, store, cancellationToken).ConfigureAwait(false);
    }

    private static DatasetEntry LabelledEntry(string dataset) =>
        DatasetCatalog.Default.TryGet(dataset, out var entry) && entry.Format.Kind == "csv" && TrainingTasks.All.Contains(entry.Format.Task)
            ? entry
            : throw new InvalidOptionException($"Dataset '{dataset}' is not a labelled table; pick one of: {string.Join(", ", DatasetCatalog.Default.Datasets.Where(d => TrainingTasks.All.Contains(d.Format.Task)).Select(d => d.Id))}.");

    // A published split: the rows to fit are train.csv then val.csv (whichever exist), and test.csv is held out.
    private static (DatasetFile[] Fit, DatasetFile? Test) SplitFiles(DatasetEntry entry)
    {
        var test = entry.Files.FirstOrDefault(f => f.Name == "test.csv");
        var fit = entry.Files.Where(f => f.Name is "train.csv" or "val.csv").OrderBy(f => f.Name == "val.csv").ToArray();
        return test is not null && fit.Length > 0 ? (fit, test) : ([entry.Files[0]], null);
    }

    /// <summary>
    /// Loads a catalog dataset (regression or classification) or a CSV with <c>formula,target</c> columns and
    /// featurizes every row. Every row must parse and have a finite target (0 or 1 for a classification): rows are never
    /// dropped, because Matbench folds index the file. A catalog dataset published as train/val/test files gives train ∪
    /// val as the rows and test as <see cref="Test"/>.
    /// </summary>
    /// <exception cref="InvalidOptionException">The dataset is neither a labelled table of the catalog nor a CSV file, or --task/--units contradict the catalog.</exception>
    /// <exception cref="InputDataException">A row cannot be used (the message names up to five).</exception>
    /// <param name="dataset">Catalog id or CSV path.</param>
    /// <param name="preset">Featurizer preset.</param>
    /// <param name="store">Where catalog files are cached.</param>
    /// <param name="units">A CSV's target units.</param>
    /// <param name="task">A CSV's task (<see cref="TrainingTasks"/>; default regression). Catalog datasets state theirs.</param>
    /// <param name="cancellationToken">Cancels loading.</param>
    public static async Task<TrainingData> LoadAsync(string dataset, string preset, DatasetStore store, string? units = null, CancellationToken cancellationToken = default, string? task = null)
    {
        if (task is not null && !TrainingTasks.All.Contains(task))
        {
            throw new InvalidOptionException($"--task takes {string.Join(" or ", TrainingTasks.All)}; got '{task}'.");
        }

        ArgumentNullException.ThrowIfNull(dataset);
        ArgumentNullException.ThrowIfNull(store);
        if (DatasetCatalog.Default.TryGet(dataset, out _))
        {
            var entry = LabelledEntry(dataset);
            var (formulaColumn, targetColumn) = (entry.Format.FormulaColumn!, entry.Format.Target!);
            if (units is not null && units != entry.Format.Units.GetValueOrDefault(targetColumn))
            {
                throw new InvalidOptionException($"Dataset '{dataset}' states its units ({entry.Format.Units.GetValueOrDefault(targetColumn, "none")}); --units is for CSV files.");
            }

            if (task is not null && task != entry.Format.Task)
            {
                throw new InvalidOptionException($"Dataset '{dataset}' is a {entry.Format.Task} dataset; --task is for CSV files.");
            }

            units = entry.Format.Units.GetValueOrDefault(targetColumn, "unknown");
            task = entry.Format.Task!;
            var (fit, test) = SplitFiles(entry);
            var fitPaths = new List<string>();
            foreach (var file in fit)
            {
                fitPaths.Add(await store.EnsureFileAsync(entry, file, cancellationToken: cancellationToken).ConfigureAwait(false));
            }

            var provenance = new TrainingDataset(entry.Id, fit[0].Sha256)
            {
                TrainFiles = test is null ? null : [.. fit.Select(f => new ModelFile(f.Name, f.Sha256))],
                TestFile = test is null ? null : new ModelFile(test.Name, test.Sha256),
            };
            var data = await ReadAsync(fitPaths, formulaColumn, targetColumn, entry.Id, units, provenance, task, preset, store, cancellationToken).ConfigureAwait(false);
            if (test is not null)
            {
                var testPath = await store.EnsureFileAsync(entry, test, cancellationToken: cancellationToken).ConfigureAwait(false);
                data = data with { Test = await ReadAsync([testPath], formulaColumn, targetColumn, entry.Id, units, provenance, task, preset, store, cancellationToken).ConfigureAwait(false) };
            }

            return data;
        }

        if (File.Exists(dataset))
        {
            return await ReadAsync([dataset], "formula", "target", Path.GetFileNameWithoutExtension(dataset), units ?? "unknown", null, task ?? TrainingTasks.Regression, preset, store, cancellationToken).ConfigureAwait(false);
        }

        throw new InvalidOptionException($"'{dataset}' is neither a catalog dataset id nor an existing CSV file.");
    }

    private static async Task<TrainingData> ReadAsync(IReadOnlyList<string> paths, string formulaColumn, string targetColumn, string name, string units, TrainingDataset? provenance, string task, string preset, DatasetStore store, CancellationToken cancellationToken)
    {
        var formulas = new List<string?>();
        var targets = new List<double>();
        foreach (var path in paths)
        {
            var table = CsvTableReader.Read(path, [formulaColumn]);
            foreach (var column in new[] { formulaColumn, targetColumn }.Where(c => !table.Contains(c)))
            {
                throw new InputDataException($"{path}: no '{column}' column; the columns are: {string.Join(", ", table.Columns.Select(c => c.Name))}.");
            }

            formulas.AddRange(table.GetStrings(formulaColumn));
            targets.AddRange(table.GetDoubles(targetColumn));
        }

        // Rows are numbered across the files in order, as the folds see them.
        var where = paths.Count == 1 ? paths[0] : string.Join(" + ", paths);
        var batch = new CompositionBatch(formulas.Count);
        var problems = new List<string>();
        for (var i = 0; i < formulas.Count; i++)
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
            else if (task == TrainingTasks.Classification && targets[i] is not (0 or 1))
            {
                problems.Add($"row {i + 1}: a class label must be 0 or 1, not {targets[i].ToString(System.Globalization.CultureInfo.InvariantCulture)}");
            }
        }

        if (problems.Count > 0)
        {
            throw new InputDataException($"{where}: {problems.Count} unusable row(s): {string.Join("; ", problems.Take(5))}{(problems.Count > 5 ? "; ..." : string.Empty)}.");
        }

        var featurizer = FeaturizerPresets.Create(preset, await MagpieElementData.LoadAsync(store, cancellationToken: cancellationToken).ConfigureAwait(false));
        var features = new float[batch.Count * featurizer.FeatureLabels.Count];
        BatchFeaturizer.Featurize(featurizer, batch, features, cancellationToken: cancellationToken);
        return new TrainingData(name, units, provenance, featurizer, features, [.. targets.Select(t => (float)t)]) { Formulas = [.. formulas.Select(f => f!)], Task = task };
    }
}

/// <summary>What a model learns: a number, or the probability of a class.</summary>
public static class TrainingTasks
{
    /// <summary>A numeric target.</summary>
    public const string Regression = "regression";

    /// <summary>A 0/1 label; the model predicts P(label = 1).</summary>
    public const string Classification = "classification";

    /// <summary>Both.</summary>
    public static IReadOnlyList<string> All { get; } = [Regression, Classification];
}
