using MaterialsDb.Chemistry;
using MaterialsDb.Data.Catalog;
using MaterialsDb.Data.Tables;
using MaterialsDb.Features;
using MaterialsDb.Models.Evaluation;
using MaterialsDb.Models.Packages;
using MaterialsDb.TestSupport;

namespace MaterialsDb.Training.Tests;

/// <summary>The packages committed under models/: they load, meet their card's claims and know textbook chemistry.</summary>
public sealed class ShippedModelTests
{
    public static TheoryData<string, string, double> Shipped => new()
    {
        { "formation-energy", "mp_e_form", 0.10 },
        { "formation-energy-accurate", "mp_e_form", 0.10 },
        { "band-gap-pbe", "mp_gap", 0.30 },
        { "band-gap-expt", "expt_gap", 0.33 },
        { "yield-strength", "steels_yield", 100 },

        // The property models: limits about 15 % above each card's cross-validated MAE (their sets have no issue target).
        { "bulk-modulus-aflow", "aflow_bulk_modulus", 12.6 },
        { "shear-modulus-aflow", "aflow_shear_modulus", 12 },
        { "debye-temperature", "aflow_debye_temperature", 41 },
        { "thermal-conductivity", "aflow_thermal_conductivity", 2.7 },
        { "thermal-expansion", "aflow_thermal_expansion", 5.5e-6 },
        { "band-gap-aflow", "aflow_gap", 0.40 },
        { "bulk-modulus-mp", "mp_bulk_modulus", 17.4 },
        { "shear-modulus-mp", "mp_shear_modulus", 14 },
        { "elastic-anisotropy", "mp_elastic_anisotropy", 7.5 },
        { "magnetic-moment", "mp_magnetic_moment", 2.85 },
        { "e-above-hull", "mp_e_hull", 0.115 },
        { "volume-per-atom", "oqmd_volume", 0.75 },
        { "band-gap-oqmd", "oqmd_gap", 0.066 },
    };

    /// <summary>Packages trained on a dataset published with its own test file.</summary>
    public static TheoryData<string> WithTestSplit => new(Shipped.Select(row => row.Data.Item1).Where(id => ModelManifest.Read(Path.Combine(SharedFiles.RepositoryRoot, "models", id, "manifest.json")).Dataset?.TestFile is not null));

    public static TheoryData<string, string, double> Classifiers => new()
    {
        { "is-metal", "expt_is_metal", 0.95 },
        { "glass-forming", "glass", 0.93 },
    };

    [Theory]
    [MemberData(nameof(Shipped))]
    public async Task LoadsWithItsManifestAndCard(string id, string dataset, double maeAtMost)
    {
        using var model = await LoadAsync(id);
        Assert.Equal(id, model.Manifest.Id);
        Assert.Equal(dataset, model.Manifest.Dataset!.Id);
        Assert.Equal(DatasetCatalog.Default.Get(dataset).Files[0].Sha256, model.Manifest.Dataset.Sha256);
        Assert.Equal(5, model.MemberCount);
        Assert.InRange(model.Manifest.Metrics!["mae_mean"], 0, maeAtMost);
        Assert.InRange(model.Manifest.Metrics["coverage_1sigma"], 0.55, 0.85);
        Assert.True(File.Exists(Path.Combine(model.Folder, "MODEL_CARD.md")));

        // A package stays small enough to commit.
        Assert.True(Directory.GetFiles(model.Folder).Sum(f => new FileInfo(f).Length) < 8_000_000);
    }

    [Theory]
    [MemberData(nameof(Shipped))]
    public async Task EachMembersHeldOutFoldErrorIsWhatTheCardSays(string id, string dataset, double maeAtMost)
    {
        // Member k was trained without Matbench fold k: scoring it on that fold, from the dataset file, reproduces
        // the card's cross-validated error without trusting the manifest's own numbers.
        using var model = await LoadAsync(id);
        var data = await TrainingData.LoadAsync(dataset, model.Manifest.Preset, SharedFiles.MirrorStore(), cancellationToken: TestContext.Current.CancellationToken);
        var width = model.Manifest.FeatureCount;
        var folds = MatbenchFolds.TestIndices(data.Targets.Length);
        var maes = new double[folds.Length];
        for (var k = 0; k < folds.Length; k++)
        {
            var rows = folds[k];
            var features = new float[rows.Length * width];
            for (var r = 0; r < rows.Length; r++)
            {
                data.Features.AsSpan(rows[r] * width, width).CopyTo(features.AsSpan(r * width));
            }

            var predictions = new float[rows.Length];
            model.PredictMember(k, features, rows.Length, predictions);
            maes[k] = rows.Select((row, r) => Math.Abs((double)predictions[r] - data.Targets[row])).Average();
        }

        var card = model.Manifest.Metrics!["mae_mean"];
        Assert.Equal(card, maes.Average(), card * 1e-3);
        Assert.InRange(maes.Average(), 0, maeAtMost);
        Assert.All(maes, mae => Assert.InRange(mae, 0, maeAtMost * 1.25));
    }

    [Theory]
    [MemberData(nameof(Shipped))]
    public async Task TheEngineUsedGivesOnnxRuntimesPredictionsBitForBit(string id, string dataset, double maeAtMost)
    {
        _ = (dataset, maeAtMost);
        var folder = Path.Combine(SharedFiles.RepositoryRoot, "models", id);
        var featurizer = FeaturizerPresets.Create(ModelManifest.Read(Path.Combine(folder, "manifest.json")).Preset, await MagpieAsync());
        using var onnx = OnnxModel.Load(folder, featurizer, InferenceEngine.OnnxRuntime);
        using var used = OnnxModel.Load(folder, featurizer);

        // 3,000 random compositions of one to four elements: rows that reach leaves all over the trees (for the
        // networks, whose engine is ONNX Runtime itself, this checks that Auto picked it).
        var random = new Random(7);
        var batch = new CompositionBatch();
        var amounts = new double[4];
        var elements = new byte[4];
        while (batch.Count < 3000)
        {
            var n = random.Next(1, 5);
            var picked = Enumerable.Range(1, 94).OrderBy(_ => random.Next()).Take(n).Order().ToArray();
            for (var i = 0; i < n; i++)
            {
                elements[i] = (byte)picked[i];
                amounts[i] = random.Next(1, 9);
            }

            batch.Add(elements.AsSpan(0, n), amounts.AsSpan(0, n));
        }

        var rows = batch.Count;
        var features = new float[rows * featurizer.FeatureLabels.Count];
        BatchFeaturizer.Featurize(featurizer, batch, features, cancellationToken: TestContext.Current.CancellationToken);
        var (expected, expectedStd, mean, std) = (new float[rows], new float[rows], new float[rows], new float[rows]);
        onnx.Predict(features, rows, expected, expectedStd);
        used.Predict(features, rows, mean, std);
        Assert.Equal(expected, mean);
        Assert.Equal(expectedStd, std);
    }

    [Theory]
    [MemberData(nameof(WithTestSplit))]
    public async Task TheTestSplitErrorIsWhatTheCardSaysAndBeatsTheMedian(string id)
    {
        // The shipped ensemble on the dataset's own test file, which no member saw.
        using var model = await LoadAsync(id);
        var data = await TrainingData.LoadAsync(model.Manifest.Dataset!.Id, model.Manifest.Preset, SharedFiles.MirrorStore(), cancellationToken: TestContext.Current.CancellationToken);
        var test = data.Test!;
        Assert.Equal(model.Manifest.Dataset.TestFile!.Sha256, test.Dataset!.TestFile!.Sha256);
        var rows = test.Targets.Length;
        var (mean, std) = (new float[rows], new float[rows]);
        model.Predict(test.Features, rows, mean, std);
        var mae = mean.Zip(test.Targets).Average(x => Math.Abs((double)x.First - x.Second));
        var metrics = model.Manifest.Metrics!;
        Assert.Equal(metrics["test_mae"], mae, metrics["test_mae"] * 1e-3);
        Assert.True(mae < metrics["test_median_baseline_mae"], $"{id}: test MAE {mae} vs median baseline {metrics["test_median_baseline_mae"]}");
        Assert.InRange(metrics["test_coverage_1sigma"], 0.5, 0.9);
    }

    [Theory]
    [MemberData(nameof(Classifiers))]
    public async Task ClassifiersSeparateTheirHeldOutFoldsAsTheCardSays(string id, string dataset, double rocAucAtLeast)
    {
        using var model = await LoadAsync(id);
        Assert.True(model.Manifest.IsClassifier);
        Assert.NotNull(model.Manifest.ProbabilityCalibration);
        Assert.Equal(DatasetCatalog.Default.Get(dataset).Files[0].Sha256, model.Manifest.Dataset!.Sha256);
        Assert.True(Directory.GetFiles(model.Folder).Sum(f => new FileInfo(f).Length) < 8_000_000);
        var data = await TrainingData.LoadAsync(dataset, model.Manifest.Preset, SharedFiles.MirrorStore(), cancellationToken: TestContext.Current.CancellationToken);
        var width = model.Manifest.FeatureCount;
        var folds = MatbenchFolds.TestIndices(data.Targets.Length);
        var aucs = new double[folds.Length];
        for (var k = 0; k < folds.Length; k++)
        {
            var features = folds[k].SelectMany(row => data.Features.AsSpan(row * width, width).ToArray()).ToArray();
            var p = new float[folds[k].Length];
            model.PredictMember(k, features, folds[k].Length, p);
            aucs[k] = Classification.ClassificationMetrics.AreaUnderRoc(p, [.. folds[k].Select(row => data.Targets[row])]);
        }

        Assert.Equal(model.Manifest.Metrics!["roc_auc_mean"], aucs.Average(), 1e-6);
        Assert.True(aucs.Average() >= rocAucAtLeast, $"{id}: ROC-AUC {aucs.Average()}");
    }

    [Fact]
    public async Task PropertyModelsKnowTextbookMaterials()
    {
        // Diamond is the stiffest solid, sodium and lead are soft (AFLOW AEL: C ≈ 430 GPa bulk, Na ≈ 7, Pb ≈ 40).
        var bulk = await PredictAsync("bulk-modulus-aflow", "C", "Na", "W");
        Assert.True(bulk[0] > 250 && bulk[1] < 40 && bulk[2] > 200, $"bulk C {bulk[0]}, Na {bulk[1]}, W {bulk[2]}");
        var shear = await PredictAsync("shear-modulus-aflow", "C", "Pb");
        Assert.True(shear[0] > 150 && shear[1] < 30, $"shear C {shear[0]}, Pb {shear[1]}");
        var debye = await PredictAsync("debye-temperature", "C", "Pb");
        Assert.True(debye[0] > 800 && debye[1] < 250, $"Debye C {debye[0]}, Pb {debye[1]}");

        // Lattice thermal conductivity: diamond conducts, lead telluride (a thermoelectric) does not; never negative.
        var kappa = await PredictAsync("thermal-conductivity", "C", "PbTe", "Bi2Te3", "AgSbTe2");
        Assert.True(kappa[0] > 20 && kappa[1] < 5 && kappa[2] < 5, $"κ C {kappa[0]}, PbTe {kappa[1]}, Bi2Te3 {kappa[2]}");
        Assert.All(kappa, k => Assert.True(k > 0));

        // Copper is a metal and rock salt is not; iron is magnetic and rock salt is not; caesium atoms are big.
        var metal = await PredictAsync("is-metal", "Cu", "Fe3Al", "NaCl", "Al2O3");
        Assert.True(metal[0] > 0.7 && metal[1] > 0.7 && metal[2] < 0.3 && metal[3] < 0.3, $"P(metal) {string.Join(", ", metal)}");
        var moment = await PredictAsync("magnetic-moment", "Fe", "NaCl");
        Assert.True(moment[0] > 1 && Math.Abs(moment[1]) < 0.5, $"μ Fe {moment[0]}, NaCl {moment[1]}");
        var volume = await PredictAsync("volume-per-atom", "Cs", "C", "NaCl");
        Assert.True(volume[0] > 60 && volume[1] < 12 && volume[2] is > 15 and < 35, $"V Cs {volume[0]}, C {volume[1]}, NaCl {volume[2]}");
        foreach (var gap in new[] { "band-gap-aflow", "band-gap-oqmd" })
        {
            var g = await PredictAsync(gap, "NaCl", "Cu");
            Assert.True(g[0] > 3 && g[1] < 0.5, $"{gap}: NaCl {g[0]}, Cu {g[1]}");
        }

        var hull = await PredictAsync("e-above-hull", "NaCl", "MgO");
        Assert.All(hull, e => Assert.InRange(e, -0.05, 0.1));
    }

    [Fact]
    public async Task TreeModelsRunOnTheNativeEvaluatorAndNetworksOnOnnxRuntime()
    {
        using (var trees = await LoadAsync("yield-strength"))
        {
            Assert.Equal(InferenceEngine.Native, trees.Engine);
        }

        using var network = await LoadAsync("formation-energy");
        Assert.Equal(InferenceEngine.OnnxRuntime, network.Engine);
        Assert.Equal("256,128,64", network.Manifest.Hyperparameters!["hidden"]);
    }

    [Theory]
    [InlineData("formation-energy")]
    [InlineData("formation-energy-accurate")]
    public async Task FormationEnergiesOfTextbookCompounds(string model)
    {
        var e = await PredictAsync(model, "NaCl", "Al2O3", "MgO", "Cu", "Fe");
        Assert.InRange(e[0], -2.6, -1.6);   // NaCl: about −2.1 eV/atom
        Assert.InRange(e[1], -3.9, -2.9);   // Al2O3: about −3.4 eV/atom
        Assert.InRange(e[2], -3.4, -2.4);   // MgO: about −3.0 eV/atom
        Assert.InRange(e[3], -0.3, 0.3);    // elements: 0 by definition
        Assert.InRange(e[4], -0.3, 0.3);
    }

    [Fact]
    public async Task BandGapsSeparateInsulatorsFromMetals()
    {
        var pbe = await PredictAsync("band-gap-pbe", "NaCl", "Al2O3", "Cu", "Fe3Al");
        Assert.True(pbe[0] > 3.5, $"NaCl {pbe[0]}");   // PBE ≈ 5 eV
        Assert.True(pbe[1] > 3.5, $"Al2O3 {pbe[1]}");  // PBE ≈ 6 eV
        Assert.True(pbe[2] < 0.5, $"Cu {pbe[2]}");
        Assert.True(pbe[3] < 0.5, $"Fe3Al {pbe[3]}");

        var expt = await PredictAsync("band-gap-expt", "NaCl", "Si", "Cu");
        Assert.True(expt[0] > 4.5, $"NaCl {expt[0]}");   // 8.5 eV measured
        Assert.InRange(expt[1], 0.3, 3.0);                // a semiconductor (1.1 eV measured)
        Assert.True(expt[2] < 0.5, $"Cu {expt[2]}");
    }

    [Fact]
    public async Task SteelYieldStrengthsAreSteelLike()
    {
        var y = await PredictAsync("yield-strength", "Fe0.7Cr0.18Ni0.1Mn0.02", "Fe0.78Ni0.18Co0.03Mo0.01");
        Assert.All(y, v => Assert.InRange(v, 200, 3000));
    }

    private static async Task<OnnxModel> LoadAsync(string id)
    {
        var folder = Path.Combine(SharedFiles.RepositoryRoot, "models", id);
        var manifest = ModelManifest.Read(Path.Combine(folder, "manifest.json"));
        return OnnxModel.Load(folder, FeaturizerPresets.Create(manifest.Preset, await MagpieAsync()));
    }

    private static async Task<float[]> PredictAsync(string id, params string[] formulas)
    {
        using var model = await LoadAsync(id);
        var batch = new CompositionBatch();
        foreach (var f in formulas)
        {
            Assert.True(batch.TryAdd(f, out _));
        }

        var width = model.Manifest.FeatureCount;
        var features = new float[formulas.Length * width];
        var featurizer = FeaturizerPresets.Create(model.Manifest.Preset, await MagpieAsync());
        BatchFeaturizer.Featurize(featurizer, batch, features);
        var mean = new float[formulas.Length];
        model.Predict(features, formulas.Length, mean, new float[formulas.Length]);
        return mean;
    }

    private static async Task<ElementPropertySource> MagpieAsync()
    {
        var magpie = DatasetCatalog.Default.Get("magpie_elementdata");
        var tables = await ElementTableSet.LoadAsync(SharedFiles.MirrorStore(), magpie, FeaturizerPresets.RequiredProperties, TestContext.Current.CancellationToken);
        return ElementPropertySource.Create("MagpieData", tables.Keys, p => tables[p], magpie.Citation, imputeNan: true);
    }
}
