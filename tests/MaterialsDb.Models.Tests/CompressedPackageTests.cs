using System.Security.Cryptography;
using MaterialsDb.Models.Packages;

namespace MaterialsDb.Models.Tests;

public sealed class CompressedPackageTests(TrainedOnnxFixture trained) : IClassFixture<TrainedOnnxFixture>
{
    [Fact]
    public void GzippedMembersPredictLikeTheOriginals()
    {
        var folder = trained.Package([0]);
        var manifest = ModelManifest.Read(Path.Combine(folder, "manifest.json"));
        var packed = OnnxFiles.Compress(File.ReadAllBytes(Path.Combine(folder, manifest.Files[0].File)));
        Assert.Equal(packed, OnnxFiles.Compress(File.ReadAllBytes(Path.Combine(folder, manifest.Files[0].File))));
        File.WriteAllBytes(Path.Combine(folder, "member0.onnx.gz"), packed);
        (manifest with { Files = [new ModelFile("member0.onnx.gz", Convert.ToHexStringLower(SHA256.HashData(packed)))] }).Write(Path.Combine(folder, "manifest.json"));

        using var model = OnnxModel.Load(folder, trained.Featurizer);
        var mean = new float[50];
        model.Predict(trained.Features, 50, mean, new float[50]);
        for (var r = 0; r < 50; r++)
        {
            Assert.InRange(mean[r] - trained.TrainerPredictions[0][r], -1e-5f, 1e-5f);
        }
    }

    [Fact]
    public void NotGzipDataIsNamed()
    {
        var folder = trained.Package([0]);
        var manifest = ModelManifest.Read(Path.Combine(folder, "manifest.json"));
        var junk = "not gzip at all"u8.ToArray();
        File.WriteAllBytes(Path.Combine(folder, "member0.onnx.gz"), junk);
        (manifest with { Files = [new ModelFile("member0.onnx.gz", Convert.ToHexStringLower(SHA256.HashData(junk)))] }).Write(Path.Combine(folder, "manifest.json"));
        var e = Assert.Throws<ModelPackageException>(() => OnnxModel.Load(folder, trained.Featurizer));
        Assert.Contains("member0.onnx.gz", e.Message, StringComparison.Ordinal);
    }
}
