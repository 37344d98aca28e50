namespace MaterialsDb.Training.Tests;

/// <summary>Reweighted passes fit for absolute error: gross outliers in the training targets pull the trees less.</summary>
public sealed class RobustRegressorTests
{
    private static readonly LightGbmOptions Options = new() { Iterations = 150, Leaves = 15, LearningRate = 0.1, MinimumRowsPerLeaf = 5 };

    [Fact]
    public void OutliersHurtTheRobustFitLessThanTheLeastSquaresOne()
    {
        // y = 3·x0 − x1 on 2,000 rows; a tenth of the training targets carry a gross error of +20.
        var random = new Random(11);
        const int Rows = 2000, Width = 3;
        var features = new float[Rows * Width];
        for (var i = 0; i < features.Length; i++)
        {
            features[i] = (float)random.NextDouble();
        }

        var clean = Enumerable.Range(0, Rows).Select(r => (3 * features[r * Width]) - features[(r * Width) + 1]).ToArray();
        var targets = clean.ToArray();
        int[] train = [.. Enumerable.Range(0, 1600)];
        int[] test = [.. Enumerable.Range(1600, 400)];
        foreach (var r in train.Where(r => r % 10 == 0))
        {
            targets[r] += 20;
        }

        var plain = RobustRegressor.Train(features, Width, targets, train, test, Options).Predictions;
        var robust = RobustRegressor.Train(features, Width, targets, train, test, Options with { RobustPasses = 2, RobustDelta = 0.05 }).Predictions;
        double Mae(float[] p) => test.Select((r, i) => Math.Abs(p[i] - clean[r])).Average();
        Assert.True(Mae(robust) < 0.5 * Mae(plain), $"robust {Mae(robust)} vs plain {Mae(plain)}");
    }

    [Fact]
    public void NoPassesIsPlainLeastSquaresAndABadFloorIsRefused()
    {
        var features = Enumerable.Range(0, 600).Select(i => (float)(i % 37)).ToArray();
        var targets = Enumerable.Range(0, 300).Select(i => (float)(i % 7)).ToArray();
        int[] train = [.. Enumerable.Range(0, 250)];
        int[] test = [.. Enumerable.Range(250, 50)];
        var (onnx, predictions) = LightGbmRegressor.Train(features, 2, targets, train, test, Options);
        var same = RobustRegressor.Train(features, 2, targets, train, test, Options);
        Assert.Equal(onnx, same.Onnx);
        Assert.Equal(predictions, same.Predictions);
        Assert.Throws<InvalidOptionException>(() => RobustRegressor.Train(features, 2, targets, train, test, Options with { RobustPasses = 1, RobustDelta = 0 }));
    }
}
