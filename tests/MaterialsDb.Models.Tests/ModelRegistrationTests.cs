using MaterialsDb.Features;
using MaterialsDb.Models.Packages;
using MaterialsDb.TestSupport;

namespace MaterialsDb.Models.Tests;

public sealed class ModelRegistrationTests(TrainedOnnxFixture trained) : IClassFixture<TrainedOnnxFixture>, IDisposable
{
    private readonly TempDirectory _root = new();

    public void Dispose() => _root.Dispose();

    private ModelRegistration.Request Request(string id, string? onnx = null) =>
        new(id, onnx ?? Path.Combine(trained.Folder, "member1.onnx"), "toy", "eV", "Features", "Score.output", null);

    [Fact]
    public void ARegisteredModelLoadsByIdAndPredictsLikeItsTrainer()
    {
        var registry = new ModelRegistry(_root.Path);
        var folder = ModelRegistration.Register(registry, Request("my-model"), trained.Featurizer);

        Assert.Equal(folder, registry.Resolve("my-model"));
        Assert.Equal([folder], registry.Packages());
        using var model = OnnxModel.Load(folder, trained.Featurizer);
        Assert.Equal("toy", model.Manifest.Target);
        var mean = new float[40];
        model.Predict(trained.Features, 40, mean, new float[40]);
        for (var r = 0; r < 40; r++)
        {
            Assert.InRange(mean[r] - trained.TrainerPredictions[1][r], -1e-5f, 1e-5f);
        }
    }

    [Fact]
    public void AModelThatDoesNotFitThePresetLeavesNothingBehind()
    {
        var registry = new ModelRegistry(_root.Path);
        var e = Assert.Throws<ModelPackageException>(() => ModelRegistration.Register(registry, Request("wide"), new ElementFractionFeaturizer()));
        Assert.Contains("float32[N, ", e.Message, StringComparison.Ordinal);
        Assert.Empty(Directory.GetFileSystemEntries(_root.Path));
    }

    [Fact]
    public void WrongOutputNameIsNamed()
    {
        var registry = new ModelRegistry(_root.Path);
        var e = Assert.Throws<ModelPackageException>(() => ModelRegistration.Register(registry, Request("x") with { OutputName = "Variance" }, trained.Featurizer));
        Assert.Contains("no output named 'Variance'", e.Message, StringComparison.Ordinal);
        Assert.Empty(Directory.GetFileSystemEntries(_root.Path));
    }

    [Theory]
    [InlineData("")]
    [InlineData("../escape")]
    [InlineData(".hidden")]
    public void BadIdsAreRefused(string id)
    {
        var registry = new ModelRegistry(_root.Path);
        Assert.Throws<ModelPackageException>(() => ModelRegistration.Register(registry, Request(id), trained.Featurizer));
    }

    [Fact]
    public void ATakenIdIsRefused()
    {
        var registry = new ModelRegistry(_root.Path);
        ModelRegistration.Register(registry, Request("same"), trained.Featurizer);
        var e = Assert.Throws<ModelPackageException>(() => ModelRegistration.Register(registry, Request("same"), trained.Featurizer));
        Assert.Contains("exists", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void UnknownIdsListWhatIsKnown()
    {
        var registry = new ModelRegistry(_root.Path);
        ModelRegistration.Register(registry, Request("alpha"), trained.Featurizer);
        var e = Assert.Throws<ModelPackageException>(() => registry.Resolve("beta"));
        Assert.Contains("known: alpha", e.Message, StringComparison.Ordinal);
    }
}
