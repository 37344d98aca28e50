using System.Security.Cryptography;
using MaterialsDb.Chemistry;
using MaterialsDb.Features;
using MaterialsDb.Models.Packages;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Trainers.LightGbm;

namespace MaterialsDb.Models.Tests;

/// <summary>
/// Two small LightGBM regressors over the stoichiometry features (6 per row), trained with ML.NET on random
/// compositions and exported to ONNX, with the trainer's own predictions kept for comparison.
/// </summary>
public sealed class TrainedOnnxFixture : IDisposable
{
    public TrainedOnnxFixture()
    {
        Featurizer = new StoichiometryFeaturizer();
        Folder = Path.Combine(Path.GetTempPath(), "materialsdb-onnx-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Folder);

        var random = new Random(4);
        var batch = new CompositionBatch();
        string[] symbols = ["Li", "O", "Fe", "P", "Na", "Cl", "Cu", "Zn", "S"];
        for (var i = 0; i < 600; i++)
        {
            var n = random.Next(1, 5);
            var formula = string.Concat(symbols.OrderBy(_ => random.Next()).Take(n).Select(s => s + random.Next(1, 6)));
            batch.TryAdd(formula, out _);
        }

        Batch = batch;
        Features = new float[batch.Count * Width];
        Featurizer.Featurize(batch, 0, batch.Count, Features);
        var rows = Enumerable.Range(0, batch.Count).Select(r => new Row
        {
            Features = Features.AsSpan(r * Width, Width).ToArray(),
            Label = (3 * Features[(r * Width) + 1]) - Features[r * Width],
        }).ToArray();

        var ml = new MLContext(seed: 1);
        var schema = SchemaDefinition.Create(typeof(Row));
        schema["Features"].ColumnType = new VectorDataViewType(NumberDataViewType.Single, Width);
        var data = ml.Data.LoadFromEnumerable(rows, schema);
        var inputSchema = SchemaDefinition.Create(typeof(FeatureRow));
        inputSchema["Features"].ColumnType = new VectorDataViewType(NumberDataViewType.Single, Width);
        var featuresOnly = ml.Data.LoadFromEnumerable(rows.Select(r => new FeatureRow { Features = r.Features }), inputSchema);

        TrainerPredictions = new float[2][];
        for (var m = 0; m < 2; m++)
        {
            var trainer = ml.Regression.Trainers.LightGbm(new LightGbmRegressionTrainer.Options
            {
                NumberOfIterations = 30 + (10 * m),
                NumberOfLeaves = 8,
                MinimumExampleCountPerLeaf = 5,
                NumberOfThreads = 1,
                Seed = 1 + m,
            });
            var model = trainer.Fit(data);
            TrainerPredictions[m] = [.. model.Transform(data).GetColumn<float>("Score")];
            using var file = File.Create(Path.Combine(Folder, $"member{m}.onnx"));
            ml.Model.ConvertToOnnx(model, featuresOnly, file);
        }
    }

    public int Width => 6;

    public string Folder { get; }

    public StoichiometryFeaturizer Featurizer { get; }

    public CompositionBatch Batch { get; }

    public float[] Features { get; }

    /// <summary>ML.NET's own predictions of each member on the training rows.</summary>
    public float[][] TrainerPredictions { get; }

    /// <summary>A package folder with the given members, its manifest edited by <paramref name="edit"/>.</summary>
    public string Package(int[] members, Func<ModelManifest, ModelManifest>? edit = null)
    {
        var folder = Path.Combine(Folder, "pkg-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        var files = new List<ModelFile>();
        foreach (var m in members)
        {
            var name = $"member{m}.onnx";
            File.Copy(Path.Combine(Folder, name), Path.Combine(folder, name));
            files.Add(new ModelFile(name, Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(Path.Combine(folder, name))))));
        }

        var manifest = new ModelManifest
        {
            Id = "test-model",
            Version = "1",
            Target = "synthetic",
            Units = "1",
            Preset = Featurizer.Id,
            LabelsSha256 = ModelManifest.HashLabels(Featurizer.FeatureLabels),
            FeatureCount = Width,
            InputName = "Features",
            OutputName = "Score.output",
            Files = files,
        };
        (edit?.Invoke(manifest) ?? manifest).Write(Path.Combine(folder, "manifest.json"));
        return folder;
    }

    public void Dispose() => Directory.Delete(Folder, recursive: true);

    private sealed class Row
    {
        public float[] Features { get; set; } = [];

        public float Label { get; set; }
    }

    private sealed class FeatureRow
    {
        public float[] Features { get; set; } = [];
    }
}
