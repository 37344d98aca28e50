using MaterialsDb.Chemistry;
using MaterialsDb.Data.Catalog;
using MaterialsDb.Data.Tables;
using MaterialsDb.Features;
using MaterialsDb.Models.Packages;
using MaterialsDb.Training;
using MaterialsDb.TestSupport;

namespace MaterialsDb.Training.Tests;

/// <summary>Train and evaluate end to end on steels_yield (312 rows) with the magpie preset.</summary>
public sealed class SteelsTrainingTests : IDisposable
{
    private static readonly LightGbmOptions Small = new() { Iterations = 120, Leaves = 15, LearningRate = 0.1, MinimumRowsPerLeaf = 5 };
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task TrainsAMatbenchEnsembleThatReloadsAndBeatsTheMean()
    {
        var (featurizer, features, targets) = await LoadSteelsAsync();
        var folder = Path.Combine(_dir.Path, "yield-strength");
        var lines = new List<string>();

        var cv = EnsembleTrainer.Train(folder, featurizer, features, targets, new EnsembleTrainer.Description("yield-strength", "yield strength", "MPa", null, "test"), Small, lines.Add);

        Assert.Equal(5, cv.Folds.Count);
        Assert.Equal(312, cv.Folds.Sum(f => f.TestRows));
        Assert.Equal(5, lines.Count);

        // Better than always predicting the training mean (the trivial baseline), on the same folds.
        var mean = targets.Average();
        var baseline = targets.Average(t => Math.Abs(t - mean));
        Assert.True(cv.MaeMean < 0.8 * baseline, $"MAE {cv.MaeMean} vs baseline {baseline}");

        using var model = OnnxModel.Load(folder, featurizer);
        Assert.Equal(5, model.MemberCount);
        Assert.Equal("MPa", model.Manifest.Units);
        Assert.Equal(cv.MaeMean, model.Manifest.Metrics!["mae_mean"], 12);
        var prediction = new float[1];
        var std = new float[1];
        model.Predict(features.AsSpan(0, featurizer.FeatureLabels.Count), 1, prediction, std);
        Assert.InRange(prediction[0], 500, 3500);
        Assert.True(std[0] > 0);
        Assert.Contains("| mean ± std |", cv.ToMarkdown("MPa"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task TrainingIsDeterministic()
    {
        var (featurizer, features, targets) = await LoadSteelsAsync();
        var a = Path.Combine(_dir.Path, "a");
        var b = Path.Combine(_dir.Path, "b");
        var description = new EnsembleTrainer.Description("y", "yield strength", "MPa", null, "test");
        EnsembleTrainer.Train(a, featurizer, features, targets, description, Small);
        EnsembleTrainer.Train(b, featurizer, features, targets, description, Small);
        foreach (var file in Directory.GetFiles(a).Select(Path.GetFileName))
        {
            Assert.Equal(await File.ReadAllBytesAsync(Path.Combine(a, file!), TestContext.Current.CancellationToken), await File.ReadAllBytesAsync(Path.Combine(b, file!), TestContext.Current.CancellationToken));
        }
    }

    private static async Task<(ICompositionFeaturizer Featurizer, float[] Features, float[] Targets)> LoadSteelsAsync()
    {
        var store = SharedFiles.MirrorStore();
        var magpieData = DatasetCatalog.Default.Get("magpie_elementdata");
        var tables = await ElementTableSet.LoadAsync(store, magpieData, FeaturizerPresets.RequiredProperties, TestContext.Current.CancellationToken);
        var featurizer = FeaturizerPresets.Create("magpie", ElementPropertySource.Create("MagpieData", tables.Keys, p => tables[p], magpieData.Citation, imputeNan: true));

        var steels = DatasetCatalog.Default.Get("steels_yield");
        var path = await store.EnsureFileAsync(steels, steels.Files[0], cancellationToken: TestContext.Current.CancellationToken);
        var table = CsvTableReader.Read(path, ["formula"]);
        var batch = new CompositionBatch();
        foreach (var f in table.GetStrings("formula"))
        {
            Assert.True(batch.TryAdd(f!, out _));
        }

        var features = new float[batch.Count * featurizer.FeatureLabels.Count];
        BatchFeaturizer.Featurize(featurizer, batch, features, cancellationToken: TestContext.Current.CancellationToken);
        return (featurizer, features, [.. table.GetDoubles("target").Select(v => (float)v)]);
    }
}
