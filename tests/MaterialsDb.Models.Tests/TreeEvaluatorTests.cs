using MaterialsDb.Models.Packages;
using MaterialsDb.Models.Trees;

namespace MaterialsDb.Models.Tests;

/// <summary>The native tree evaluator against ONNX Runtime (bit for bit) and its SIMD path against its scalar twin.</summary>
public sealed class TreeEvaluatorTests(TrainedOnnxFixture trained) : IClassFixture<TrainedOnnxFixture>
{
    [Fact]
    public void NativeEngineGivesOnnxRuntimesResultsBitForBit()
    {
        var folder = trained.Package([0, 1]);
        using var onnx = OnnxModel.Load(folder, trained.Featurizer, InferenceEngine.OnnxRuntime);
        using var native = OnnxModel.Load(folder, trained.Featurizer);
        Assert.Equal(InferenceEngine.OnnxRuntime, onnx.Engine);
        Assert.Equal(InferenceEngine.Native, native.Engine);

        var rows = trained.Batch.Count;
        var (expected, expectedStd, mean, std) = (new float[rows], new float[rows], new float[rows], new float[rows]);
        onnx.Predict(trained.Features, rows, expected, expectedStd);
        native.Predict(trained.Features, rows, mean, std);
        Assert.Equal(expected, mean);
        Assert.Equal(expectedStd, std);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(7)]
    [InlineData(8)]
    [InlineData(9)]
    [InlineData(63)]
    [InlineData(64)]
    [InlineData(65)]
    [InlineData(130)]
    public void FastPathsEqualTheirScalarTwinForAnyRowCount(int rows)
    {
        var scalar = AllPathsAgree(Compile(0), trained.Features.AsSpan(0, rows * trained.Width).ToArray(), rows);
        if (rows > 1)
        {
            Assert.Contains(scalar, v => v != scalar[0]);   // the rows do reach different leaves
        }
    }

    [Fact]
    public void RowsWithNaNOrInfinityStayOnTheirPathsAndMatchTheTwin()
    {
        var ensemble = Compile(1);
        var rows = 24;
        var features = trained.Features.AsSpan(0, rows * trained.Width).ToArray();
        features[3] = float.NaN;
        features[(5 * trained.Width) + 1] = float.PositiveInfinity;
        features[(17 * trained.Width) + 2] = float.NegativeInfinity;
        Assert.All(AllPathsAgree(ensemble, features, rows), v => Assert.True(float.IsFinite(v)));
    }

    [Fact]
    public void TheEnsembleHasTheTrainersShape()
    {
        var ensemble = Compile(1);
        Assert.Equal(40, ensemble.TreeCount);             // 30 + 10 iterations for member 1
        Assert.Equal(trained.Width, ensemble.FeatureCount);
        Assert.InRange(ensemble.NodeCount, 40, 40 * 15);  // at most 8 leaves per tree
        Assert.InRange(ensemble.MeanLeafDepth, 1, ensemble.MeanMaxDepth);
    }

    [Fact]
    public void GraphsItCannotRunAreLeftToOnnxRuntimeWithAReason()
    {
        Assert.Null(OnnxTreeImport.TryRead([1, 2, 3, 4], "Features", "Score.output", trained.Width, out var garbage));
        Assert.NotNull(garbage);
        var graph = File.ReadAllBytes(Path.Combine(trained.Folder, "member0.onnx"));
        Assert.Null(OnnxTreeImport.TryRead(graph, "Features", "NoSuchOutput", trained.Width, out var output));
        Assert.Contains("NoSuchOutput", output, StringComparison.Ordinal);
        Assert.Null(OnnxTreeImport.TryRead(graph, "Features", "Score.output", 3, out var width));
        Assert.Contains("feature", width, StringComparison.Ordinal);
    }

    [Fact]
    public void AskingForTheNativeEngineOnAnUnsuitableModelNamesWhy()
    {
        // A model with its own uncertainty output is left to ONNX Runtime.
        var folder = trained.Package([0], m => m with { UncertaintyOutputName = "Score.output" });
        using var auto = OnnxModel.Load(folder, trained.Featurizer);
        Assert.Equal(InferenceEngine.OnnxRuntime, auto.Engine);
        var e = Assert.Throws<ModelPackageException>(() => OnnxModel.Load(folder, trained.Featurizer, InferenceEngine.Native));
        Assert.Contains("uncertainty output", e.Message, StringComparison.Ordinal);
    }

    // The interleaved and gathered paths against the scalar twin; returns the twin's predictions.
    private static float[] AllPathsAgree(TreeEnsemble ensemble, float[] features, int rows)
    {
        var (interleaved, gathered, scalar) = (new float[rows], new float[rows], new float[rows]);
        TreeEvaluator.Predict(ensemble, features, rows, interleaved);
        TreeEvaluator.PredictGathered(ensemble, features, rows, gathered);
        TreeEvaluator.PredictScalar(ensemble, features, rows, scalar);
        Assert.Equal(scalar, interleaved);
        Assert.Equal(scalar, gathered);
        return scalar;
    }

    private TreeEnsemble Compile(int member)
    {
        var graph = File.ReadAllBytes(Path.Combine(trained.Folder, $"member{member}.onnx"));
        return OnnxTreeImport.TryRead(graph, "Features", "Score.output", trained.Width, out var reason) ?? throw new InvalidOperationException(reason);
    }
}
