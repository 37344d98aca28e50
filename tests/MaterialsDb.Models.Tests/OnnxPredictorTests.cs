using MaterialsDb.Models.Packages;

namespace MaterialsDb.Models.Tests;

public sealed class OnnxPredictorTests(TrainedOnnxFixture trained) : IClassFixture<TrainedOnnxFixture>
{
    [Fact]
    public void ReusedBuffersGiveWhatPredictGives()
    {
        using var model = OnnxModel.Load(trained.Package([0, 1]), trained.Featurizer);
        var rows = trained.Batch.Count;
        var expected = new float[rows];
        var expectedStd = new float[rows];
        model.Predict(trained.Features, rows, expected, expectedStd);

        using var predictor = model.CreatePredictor(64);
        var mean = new float[64];
        var std = new float[64];
        foreach (var size in new[] { 64, 13, 64, 1 })
        {
            for (var start = 0; start < rows; start += size)
            {
                var n = Math.Min(size, rows - start);
                trained.Features.AsSpan(start * trained.Width, n * trained.Width).CopyTo(predictor.Input(n));
                predictor.Run(n, mean, std);
                Assert.Equal(expected.AsSpan(start, n).ToArray(), mean[..n]);
                Assert.Equal(expectedStd.AsSpan(start, n).ToArray(), std[..n]);
            }
        }
    }

    [Theory]
    [InlineData(InferenceEngine.OnnxRuntime)]
    [InlineData(InferenceEngine.Native)]
    public void RunAllocatesNothingOnceItsBatchSizeIsBound(InferenceEngine engine)
    {
        using var model = OnnxModel.Load(trained.Package([0, 1]), trained.Featurizer, engine);
        using var predictor = model.CreatePredictor(256);
        var mean = new float[256];
        var std = new float[256];
        trained.Features.AsSpan(0, 256 * trained.Width).CopyTo(predictor.Input(256));
        predictor.Run(256, mean, std);
        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 20; i++)
        {
            predictor.Run(256, mean, std);
        }

        var perBatch = (GC.GetAllocatedBytesForCurrentThread() - before) / 20.0;
        Assert.True(perBatch < 256, $"{perBatch} bytes allocated per batch");
    }

    [Fact]
    public void TooLargeABatchIsRefused()
    {
        using var model = OnnxModel.Load(trained.Package([0]), trained.Featurizer);
        using var predictor = model.CreatePredictor(8);
        Assert.Throws<ArgumentOutOfRangeException>(() => predictor.Input(9));
        Assert.Throws<ArgumentOutOfRangeException>(() => predictor.Run(9, new float[9], new float[9]));
    }

    [Fact]
    public void UncertaintyScaleMultipliesTheSpread()
    {
        using var plain = OnnxModel.Load(trained.Package([0, 1]), trained.Featurizer);
        using var scaled = OnnxModel.Load(trained.Package([0, 1], m => m with { UncertaintyScale = 2.5 }), trained.Featurizer);
        var (mean, std, mean2, std2) = (new float[10], new float[10], new float[10], new float[10]);
        plain.Predict(trained.Features, 10, mean, std);
        scaled.Predict(trained.Features, 10, mean2, std2);
        Assert.Equal(mean, mean2);
        for (var i = 0; i < 10; i++)
        {
            Assert.Equal(std[i] * 2.5f, std2[i], 1e-6f);
        }
    }
}
