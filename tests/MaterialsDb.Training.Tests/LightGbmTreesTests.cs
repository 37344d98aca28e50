using MaterialsDb.Models.Trees;

namespace MaterialsDb.Training.Tests;

/// <summary>Trees taken straight from ML.NET's model predict what ML.NET (and the ONNX export) predicts.</summary>
public sealed class LightGbmTreesTests
{
    [Theory]
    [InlineData(1, 2)]
    [InlineData(40, 8)]
    [InlineData(150, 31)]
    public void InMemoryTreesMatchTheTrainersOwnPredictions(int iterations, int leaves)
    {
        var random = new Random(5);
        const int Rows = 400, Width = 4;
        var features = new float[Rows * Width];
        for (var i = 0; i < features.Length; i++)
        {
            features[i] = (float)random.NextDouble();
        }

        var targets = Enumerable.Range(0, Rows).Select(r => (float)(Math.Sin(6 * features[r * Width]) + (features[(r * Width) + 1] * features[(r * Width) + 2]))).ToArray();
        int[] train = [.. Enumerable.Range(0, 300)];
        int[] test = [.. Enumerable.Range(300, 100)];
        var options = new LightGbmOptions { Iterations = iterations, Leaves = leaves, LearningRate = 0.1, MinimumRowsPerLeaf = 3 };
        var (onnx, expected) = LightGbmRegressor.Train(features, Width, targets, train, test, options);
        var trees = LightGbmTrees.Fit(features, Width, targets, train, options);
        var mine = new float[test.Length];
        TreeEvaluator.Predict(trees, features.AsSpan(300 * Width), test.Length, mine);
        var fromOnnx = new float[test.Length];
        TreeEvaluator.Predict(OnnxTreeImport.TryRead(onnx, LightGbmRegressor.InputName, LightGbmRegressor.OutputName, Width, out _)!, features.AsSpan(300 * Width), test.Length, fromOnnx);
        Assert.Equal(iterations, trees.TreeCount);
        for (var i = 0; i < test.Length; i++)
        {
            Assert.Equal(expected[i], mine[i], 1e-4f);
            Assert.Equal(fromOnnx[i], mine[i], 1e-4f);
        }

        // The trees are not constant: they learned something.
        Assert.True(mine.Max() - mine.Min() > (iterations > 1 ? 0.5f : 0.01f));
    }

    [Fact]
    public void ALeafOnlyTreeAndABadTreeAreHandled()
    {
        var constant = BinaryTrees.Build(2, [new BinaryTree([], [], [], [], [1.5f])], 0.25f);
        var output = new float[3];
        TreeEvaluator.Predict(constant, new float[6], 3, output);
        Assert.All(output, v => Assert.Equal(1.75f, v));
        // A child that points at a node that does not exist.
        Assert.Throws<ArgumentException>(() => BinaryTrees.Build(2, [new BinaryTree([5], [~0], [0], [0.5f], [1f])], 0));
    }
}
