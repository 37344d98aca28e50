using MaterialsDb.Data;
using MaterialsDb.Models.Packages;
using MaterialsDb.TestSupport;

namespace MaterialsDb.Training.Tests;

/// <summary>Datasets published as train/val/test files: the folds divide train ∪ val and the package scores test once.</summary>
public sealed class SplitDatasetTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task ASplitDatasetLoadsTrainThenValAsRowsAndTestApart()
    {
        var data = await TrainingData.LoadAsync("aflow_bulk_modulus", "magpie", SharedFiles.MirrorStore(), cancellationToken: TestContext.Current.CancellationToken);

        Assert.Equal(3428 + 732, data.Targets.Length);
        Assert.Equal("Zr1", data.Formulas[0]);
        Assert.Equal("As1Pu1", data.Formulas[3428]);
        Assert.Equal(736, data.Test!.Targets.Length);
        Assert.Equal("Tc1V1", data.Test.Formulas[0]);
        Assert.Equal("GPa", data.Units);
        Assert.Equal(["train.csv", "val.csv"], data.Dataset!.TrainFiles!.Select(f => f.File));
        Assert.Equal("test.csv", data.Dataset.TestFile!.File);
        Assert.Equal(TrainingTasks.Regression, data.Task);

        // A single-file dataset has no test split; a classification dataset says so.
        var glass = await TrainingData.LoadAsync("glass", "magpie", SharedFiles.MirrorStore(), cancellationToken: TestContext.Current.CancellationToken);
        Assert.Null(glass.Test);
        Assert.Equal(TrainingTasks.Classification, glass.Task);
        Assert.Null(glass.Dataset!.TrainFiles);
    }

    [Fact]
    public async Task TaskOptionsAndLabelsAreChecked()
    {
        var store = SharedFiles.MirrorStore();
        var ct = TestContext.Current.CancellationToken;
        var wrongTask = await Assert.ThrowsAsync<InvalidOptionException>(() => TrainingData.LoadAsync("glass", "magpie", store, cancellationToken: ct, task: TrainingTasks.Regression));
        Assert.Contains("classification dataset", wrongTask.Message, StringComparison.Ordinal);
        await Assert.ThrowsAsync<InvalidOptionException>(() => TrainingData.LoadAsync("glass", "magpie", store, cancellationToken: ct, task: "ranking"));

        var csv = Path.Combine(_dir.Path, "labels.csv");
        await File.WriteAllTextAsync(csv, "formula,target\nNaCl,0\nCu,1\nFe,2\nSi,0.5\n", ct);
        var bad = await Assert.ThrowsAsync<InputDataException>(() => TrainingData.LoadAsync(csv, "magpie", store, cancellationToken: ct, task: TrainingTasks.Classification));
        Assert.Contains("row 3: a class label must be 0 or 1, not 2", bad.Message, StringComparison.Ordinal);
        Assert.Contains("row 4", bad.Message, StringComparison.Ordinal);

        // The same file is a fine regression table.
        var regression = await TrainingData.LoadAsync(csv, "magpie", store, cancellationToken: ct);
        Assert.Equal(4, regression.Targets.Length);
    }

    [Fact]
    public async Task TheFinishedPackageScoresTheTestSplitOnce()
    {
        var data = await TrainingData.LoadAsync("aflow_bulk_modulus", "magpie", SharedFiles.MirrorStore(), cancellationToken: TestContext.Current.CancellationToken);
        var folder = Path.Combine(_dir.Path, "bulk");
        var lines = new List<string>();

        var report = EnsembleTrainer.Train(folder, data.Featurizer, data.Features, data.Targets, new EnsembleTrainer.Description("bulk", data.Name, data.Units, data.Dataset, "test"), new LightGbmOptions { Iterations = 80, Leaves = 15, LearningRate = 0.1 }, lines.Add, calibrate: false, test: data.Test);

        // Recompute the test errors with the package as users load it.
        using var model = OnnxModel.Load(folder, data.Featurizer);
        var rows = data.Test!.Targets.Length;
        var mean = new float[rows];
        var std = new float[rows];
        model.Predict(data.Test.Features, rows, mean, std);
        var mae = mean.Zip(data.Test.Targets).Average(x => Math.Abs((double)x.First - x.Second));
        Assert.Equal(mae, report.Test!.Mae, 6);
        Assert.Equal(rows, report.Test.TestRows);
        Assert.Equal(mae, model.Manifest.Metrics!["test_mae"], 6);
        Assert.Equal(report.CrossValidation.MaeMean, model.Manifest.Metrics["mae_mean"], 12);
        Assert.Equal(4160, report.CrossValidation.Folds.Sum(f => f.TestRows));

        // Far better than the training mean on the test rows (about 60 GPa), and the card says which file it scored.
        var trainMean = data.Targets.Average();
        Assert.True(mae < 0.5 * data.Test.Targets.Average(t => Math.Abs(t - trainMean)), $"test MAE {mae}");
        Assert.StartsWith("test split:", lines[^1], StringComparison.Ordinal);
        var card = await File.ReadAllTextAsync(Path.Combine(folder, ModelCard.FileName), TestContext.Current.CancellationToken);
        Assert.Contains("## Accuracy on the dataset's own test split", card, StringComparison.Ordinal);
        Assert.Contains("`test.csv` (SHA-256", card, StringComparison.Ordinal);
    }
}
