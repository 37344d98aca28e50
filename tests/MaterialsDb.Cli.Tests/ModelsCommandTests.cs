using System.Text.Json;
using MaterialsDb.Data.Tables;
using MaterialsDb.TestSupport;

namespace MaterialsDb.Cli.Tests;

/// <summary>models train / evaluate / list and predict, end to end on steels_yield with a small trainer.</summary>
public sealed class ModelsCommandTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task TrainThenPredictFromTheCommandLineAndAFile()
    {
        var store = SharedFiles.MirrorStore();
        var package = Path.Combine(_dir.Path, "yield-strength");
        var (exit, stdout, stderr) = await CliRunner.RunAsync(store, "models", "train", "-d", "steels_yield", "-p", "magpie", "-o", package, "--iterations", "40", "--leaves", "7");
        Assert.True(exit == 0, stderr);
        Assert.Contains("| mean ± std | 312 |", stdout, StringComparison.Ordinal);
        Assert.Contains("fold 4:", stderr, StringComparison.Ordinal);
        Assert.True(File.Exists(Path.Combine(package, "manifest.json")));
        Assert.Equal(5, Directory.GetFiles(package, "*.onnx.gz").Length);
        Assert.True(File.Exists(Path.Combine(package, "MODEL_CARD.md")));
        Assert.Contains("Uncertainty: σ = ensemble spread ×", stdout, StringComparison.Ordinal);

        (exit, stdout, stderr) = await CliRunner.RunAsync(store, "predict", "-m", package, "Fe0.7Ni0.2Co0.1", "Q2");
        Assert.True(exit == 0, stderr);
        Assert.StartsWith("formula\tprediction\tstd\terror", stdout, StringComparison.Ordinal);
        Assert.Contains("Fe0.7Ni0.2Co0.1\t", stdout, StringComparison.Ordinal);
        Assert.Contains("Q2\t\t\tat position 0: 'Q' is not an element", stdout, StringComparison.Ordinal);
        (_, stdout, _) = await CliRunner.RunAsync(store, "predict", "-m", package, "Fe0.7Ni0.2Co0.1", "--json");
        Assert.Contains("\"units\": \"MPa\"", stdout, StringComparison.Ordinal);

        var input = _dir.File("in.csv");
        await File.WriteAllLinesAsync(input, ["formula", "Fe0.7Ni0.2Co0.1", "Fe(", "Fe0.8Cr0.2"], TestContext.Current.CancellationToken);
        var output = _dir.File("out.csv");
        (exit, _, stderr) = await CliRunner.RunAsync(store, "predict", "-m", package, "-i", input, "-o", output);
        Assert.True(exit == 0, stderr);
        var table = CsvTableReader.Read(output, ["formula", "error"]);
        Assert.Equal(["formula", "prediction", "std", "error"], table.Columns.Select(c => c.Name));
        Assert.True(double.IsNaN(table.GetDoubles("prediction")[1]));
        Assert.InRange(table.GetDoubles("prediction")[0], 300, 3500);
        Assert.True(table.GetDoubles("std")[0] > 0);
    }

    [Fact]
    public async Task ACsvOfLabelsTrainsAClassifierThatPredictsProbabilities()
    {
        var store = SharedFiles.MirrorStore();
        var ct = TestContext.Current.CancellationToken;

        // Metals (1) and salts and oxides (0): a task the Magpie features separate easily.
        var csv = Path.Combine(_dir.Path, "metals.csv");
        string[] metals = ["Cu", "Fe", "Ni", "Al", "Ag", "Au", "Zn", "Ti", "Co", "Cr", "Mg", "Na", "K", "W", "Mo", "Pt", "Pd", "Sn", "Pb", "V"];
        string[] salts = ["NaCl", "KCl", "MgO", "CaO", "Al2O3", "SiO2", "LiF", "NaF", "KBr", "CaF2", "ZnO", "TiO2", "BaO", "SrO", "MgF2", "LiCl", "CsCl", "RbBr", "NaI", "ZrO2"];
        await File.WriteAllLinesAsync(csv, ["formula,target", .. metals.Select(m => m + ",1"), .. salts.Select(m => m + ",0")], ct);
        var package = Path.Combine(_dir.Path, "metal");
        var (exit, stdout, stderr) = await CliRunner.RunAsync(store, "models", "train", "-d", csv, "--task", "classification", "-p", "magpie", "-o", package, "--iterations", "30", "--leaves", "4", "--min-leaf", "2", "--no-calibration");
        Assert.True(exit == 0, stderr);
        Assert.Contains("| fold | test rows | ROC-AUC |", stdout, StringComparison.Ordinal);
        Assert.Contains("ROC-AUC", stderr, StringComparison.Ordinal);
        using (var manifest = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(package, "manifest.json"), ct)))
        {
            Assert.Equal("classification", manifest.RootElement.GetProperty("task").GetString());
            Assert.Contains("--task classification", manifest.RootElement.GetProperty("command").GetString(), StringComparison.Ordinal);
        }

        (exit, stdout, stderr) = await CliRunner.RunAsync(store, "predict", "-m", package, "Cu", "NaCl");
        Assert.True(exit == 0, stderr);
        var lines = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var pCu = double.Parse(lines[1].Split('\t')[1], System.Globalization.CultureInfo.InvariantCulture);
        var pNaCl = double.Parse(lines[2].Split('\t')[1], System.Globalization.CultureInfo.InvariantCulture);
        Assert.InRange(pCu, 0, 1);
        Assert.True(pCu > pNaCl, $"P(metal) Cu {pCu}, NaCl {pNaCl}");

        // A label other than 0/1 is refused naming its row; a regression-only option is refused by name.
        await File.AppendAllTextAsync(csv, "Si,0.5\n", ct);
        (exit, _, stderr) = await CliRunner.RunAsync(store, "models", "train", "-d", csv, "--task", "classification", "-p", "magpie", "-o", Path.Combine(_dir.Path, "bad"));
        Assert.Equal(1, exit);
        Assert.Contains("row 41: a class label must be 0 or 1", stderr, StringComparison.Ordinal);
        (exit, _, stderr) = await CliRunner.RunAsync(store, "models", "train", "-d", "glass", "-p", "magpie", "-o", Path.Combine(_dir.Path, "gated"), "--zero-gate", "--iterations", "5");
        Assert.NotEqual(0, exit);
        Assert.Contains("--zero-gate", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task NoCalibrationSkipsTheCalibrationEnsembleAndSaysSo()
    {
        var package = Path.Combine(_dir.Path, "no-calibration");
        var (exit, stdout, stderr) = await CliRunner.RunAsync(SharedFiles.MirrorStore(), "models", "train", "-d", "steels_yield", "-p", "magpie", "-o", package, "--iterations", "20", "--leaves", "7", "--no-calibration");
        Assert.True(exit == 0, stderr);
        Assert.DoesNotContain("calibration:", stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("Uncertainty: σ", stdout, StringComparison.Ordinal);
        using var manifest = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(package, "manifest.json"), TestContext.Current.CancellationToken));
        Assert.False(manifest.RootElement.TryGetProperty("uncertaintyScale", out _));
        Assert.EndsWith("--no-calibration --out models/no-calibration", manifest.RootElement.GetProperty("command").GetString(), StringComparison.Ordinal);
        Assert.Contains("trained with `--no-calibration`", await File.ReadAllTextAsync(Path.Combine(package, "MODEL_CARD.md"), TestContext.Current.CancellationToken), StringComparison.Ordinal);
    }

    [Fact]
    public async Task EvaluateWritesMarkdownAndJson()
    {
        var json = _dir.File("cv.json");
        var (exit, stdout, stderr) = await CliRunner.RunAsync(SharedFiles.MirrorStore(), "models", "evaluate", "-d", "steels_yield", "--protocol", "matbench", "-p", "magpie", "--json", json, "--iterations", "30", "--leaves", "7");
        Assert.True(exit == 0, stderr);
        Assert.Contains("| fold | test rows | MAE (MPa)", stdout, StringComparison.Ordinal);
        using var doc = JsonDocument.Parse(await File.ReadAllTextAsync(json, TestContext.Current.CancellationToken));
        Assert.Equal(5, doc.RootElement.GetProperty("folds").GetArrayLength());
        Assert.True(doc.RootElement.GetProperty("mae_mean").GetDouble() > 0);
        Assert.Equal([63, 63, 62, 62, 62], doc.RootElement.GetProperty("folds").EnumerateArray().Select(f => f.GetProperty("TestRows").GetInt32()));
    }

    [Fact]
    public async Task TrainsAnMlpEnsembleAndRecordsTheCommandThatReproducesIt()
    {
        var store = SharedFiles.MirrorStore();
        var package = Path.Combine(_dir.Path, "yield-mlp");
        var (exit, stdout, stderr) = await CliRunner.RunAsync(store, "models", "train", "-d", "steels_yield", "-p", "magpie", "-o", package, "--trainer", "mlp", "--hidden", "16,8", "--epochs", "40", "--batch-size", "32");
        Assert.True(exit == 0, stderr);
        Assert.Contains("| mean ± std | 312 |", stdout, StringComparison.Ordinal);
        using var manifest = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(package, "manifest.json"), TestContext.Current.CancellationToken));
        var command = manifest.RootElement.GetProperty("command").GetString()!;
        Assert.Contains("--trainer mlp --hidden 16,8 --epochs 40 --batch-size 32 --learning-rate 0.001 --weight-decay 0", command, StringComparison.Ordinal);
        Assert.Equal("16,8", manifest.RootElement.GetProperty("hyperparameters").GetProperty("hidden").GetString());

        (exit, stdout, stderr) = await CliRunner.RunAsync(store, "predict", "-m", package, "Fe0.7Ni0.2Co0.1");
        Assert.True(exit == 0, stderr);
        Assert.Contains("Fe0.7Ni0.2Co0.1\t", stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TrainsAnAttentionEnsembleThatPredictsAndRefusesCompositionsBeyondItsElementCount()
    {
        var store = SharedFiles.MirrorStore();
        var package = Path.Combine(_dir.Path, "yield-attention");
        var (exit, stdout, stderr) = await CliRunner.RunAsync(store, "models", "train", "-d", "steels_yield", "-p", "fractions", "-o", package, "--trainer", "attention", "--width", "8", "--message-layers", "1", "--hidden", "16", "--epochs", "20", "--batch-size", "32");
        Assert.True(exit == 0, stderr);
        Assert.Contains("| mean ± std | 312 |", stdout, StringComparison.Ordinal);
        using var manifest = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(package, "manifest.json"), TestContext.Current.CancellationToken));
        Assert.Contains("--trainer attention --width 8 --message-layers 1 --hidden 16 --epochs 20 --batch-size 32", manifest.RootElement.GetProperty("command").GetString()!, StringComparison.Ordinal);
        Assert.Equal("mat2vec", manifest.RootElement.GetProperty("hyperparameters").GetProperty("embedding").GetString());

        // A steel it can read, and one with more elements than any training row, which it must not guess at.
        const string Wide = "Fe0.5Ni0.05Co0.05Cr0.05Mo0.05Mn0.05Si0.05C0.05V0.05W0.05Ti0.05Al0.05Nb0.05N0.05Cu0.05B0.05";
        (exit, stdout, stderr) = await CliRunner.RunAsync(store, "predict", "-m", package, "Fe0.7Ni0.2Co0.1", Wide, "--format", "tsv");
        Assert.True(exit == 0, stderr);
        var lines = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var steel = lines.Single(l => l.StartsWith("Fe0.7Ni0.2Co0.1\t", StringComparison.Ordinal)).Split('\t');
        Assert.True(double.Parse(steel[1], System.Globalization.CultureInfo.InvariantCulture) > 0, stdout);
        var wide = lines.Single(l => l.StartsWith(Wide, StringComparison.Ordinal)).Split('\t');
        Assert.Equal("", wide[1]);
        Assert.Contains("more elements than the model knows", wide[3], StringComparison.Ordinal);
    }

    [Fact]
    public async Task TheDiscoveryProtocolRerunsAnAttentionRecipeFromItsManifest()
    {
        // The recipe read back from the manifest needs its embedding loaded again before the members are retrained.
        var store = SharedFiles.MirrorStore();
        var csv = await SampleData.FormationEnergiesAsync(_dir.File("fe.csv"));
        var package = Path.Combine(_dir.Path, "fe-attention");
        var (exit, _, stderr) = await CliRunner.RunAsync(store, "models", "train", "-d", csv, "--units", "eV/atom", "-p", "fractions", "-o", package, "--trainer", "attention", "--width", "8", "--message-layers", "1", "--hidden", "8", "--epochs", "3", "--no-calibration");
        Assert.True(exit == 0, stderr);
        (exit, var stdout, stderr) = await CliRunner.RunAsync(store, "models", "evaluate", "--protocol", "discovery", "--model", package, "-d", csv, "--units", "eV/atom", "--splits", "random", "--holdout", "0.2");
        Assert.True(exit == 0, stderr);
        Assert.Contains("### Discovery protocol: random", stdout, StringComparison.Ordinal);
        Assert.Contains("random split: member 5 done", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task BlendScoresPackagesOnTheirHeldOutFoldsWithoutTraining()
    {
        var store = SharedFiles.MirrorStore();
        var trees = Path.Combine(_dir.Path, "yield-trees");
        var network = Path.Combine(_dir.Path, "yield-network");
        var other = Path.Combine(_dir.Path, "yield-fractions");
        var (exit, treeTable, stderr) = await CliRunner.RunAsync(store, "models", "train", "-d", "steels_yield", "-p", "magpie", "-o", trees, "--iterations", "30", "--leaves", "7", "--no-calibration");
        Assert.True(exit == 0, stderr);
        (exit, var networkTable, stderr) = await CliRunner.RunAsync(store, "models", "train", "-d", "steels_yield", "-p", "magpie", "-o", network, "--trainer", "mlp", "--hidden", "16", "--epochs", "30", "--batch-size", "32", "--no-calibration");
        Assert.True(exit == 0, stderr);
        (exit, _, stderr) = await CliRunner.RunAsync(store, "models", "train", "-d", "steels_yield", "-p", "fractions", "-o", other, "--iterations", "10", "--leaves", "4", "--no-calibration");
        Assert.True(exit == 0, stderr);

        // One package alone: its members on their held-out folds give the fold table training printed (the trainer's
        // predictions there, the package's ONNX members here: equal to float rounding).
        (exit, var alone, stderr) = await CliRunner.RunAsync(store, "models", "evaluate", "--blend", trees);
        Assert.True(exit == 0, stderr);
        Assert.Equal(FoldMaes(treeTable), FoldMaes(alone), (x, y) => Math.Abs(x - y) <= 1e-6 * Math.Max(1, x) + 1e-4);

        // Two: the mean of two predictions is never further off than the mean of their errors (|a+b|/2 ≤ (|a|+|b|)/2).
        (exit, var both, stderr) = await CliRunner.RunAsync(store, "models", "evaluate", "--blend", $"{trees},{network}");
        Assert.True(exit == 0, stderr);
        var blended = FoldMaes(both);
        var (a, b) = (FoldMaes(treeTable), FoldMaes(networkTable));
        Assert.Equal(5, blended.Length);
        for (var k = 0; k < 5; k++)
        {
            Assert.True(blended[k] <= ((a[k] + b[k]) / 2) + 1e-4, $"fold {k}: blend {blended[k]}, members {a[k]} and {b[k]}");
        }

        Assert.NotEqual(a, blended);
        (exit, _, stderr) = await CliRunner.RunAsync(store, "models", "evaluate", "--blend", $"{trees},{other}");
        Assert.Equal(2, exit);
        Assert.Contains("was not trained on the Matbench folds of steels_yield with preset magpie", stderr, StringComparison.Ordinal);
        (exit, _, stderr) = await CliRunner.RunAsync(store, "models", "evaluate", "--blend", trees, "--leaves", "7");
        Assert.Equal(2, exit);
        Assert.Contains("drop --leaves", stderr, StringComparison.Ordinal);

        static string[] FoldRows(string table) => [.. table.Split('\n').Where(l => l.Length > 4 && char.IsDigit(l[2]))];
        static double[] FoldMaes(string table) => [.. FoldRows(table).Select(l => double.Parse(l.Split('|')[3], System.Globalization.CultureInfo.InvariantCulture))];
    }

    [Fact]
    public async Task DiscoveryProtocolPrintsTheTablesAndUpdatesThePackage()
    {
        var store = SharedFiles.MirrorStore();
        var csv = await SampleData.FormationEnergiesAsync(_dir.File("fe.csv"));
        var package = Path.Combine(_dir.Path, "fe-small");
        var (exit, stdout, stderr) = await CliRunner.RunAsync(store, "models", "train", "-d", csv, "--units", "eV/atom", "-p", "magpie", "-o", package, "--iterations", "30", "--leaves", "7", "--min-leaf", "3");
        Assert.True(exit == 0, stderr);
        var json = _dir.File("discovery.json");
        (exit, stdout, stderr) = await CliRunner.RunAsync(store, "models", "evaluate", "--protocol", "discovery", "--model", package, "-d", csv, "--units", "eV/atom", "--splits", "random,systems", "--holdout", "0.2", "--seed", "3", "--json", json, "--update-card");
        Assert.True(exit == 0, stderr);
        Assert.Contains("### Discovery protocol: random", stdout, StringComparison.Ordinal);
        Assert.Contains("### Discovery protocol: systems", stdout, StringComparison.Ordinal);
        Assert.Contains("| method | stable if E_hull ≤ (eV/atom) | prevalence | precision | recall | F1 | accuracy | DAF |", stdout, StringComparison.Ordinal);
        Assert.Contains("random split: member 5 done", stderr, StringComparison.Ordinal);
        using (var doc = JsonDocument.Parse(await File.ReadAllTextAsync(json, TestContext.Current.CancellationToken)))
        {
            var protocols = doc.RootElement.GetProperty("Protocols");
            Assert.Equal(["random", "systems"], protocols.EnumerateArray().Select(p => p.GetProperty("Name").GetString()));
            Assert.Equal(3, protocols[0].GetProperty("Methods")[0].GetProperty("Classes").GetArrayLength());
        }

        // The card gets the tables; the manifest the σ scale of held-out systems, which screening then uses.
        var card = await File.ReadAllTextAsync(Path.Combine(package, "MODEL_CARD.md"), TestContext.Current.CancellationToken);
        Assert.Contains("## Stability discovery", card, StringComparison.Ordinal);
        Assert.Contains("#### Discovery protocol: systems", card, StringComparison.Ordinal);
        Assert.True(card.IndexOf("## Stability discovery", StringComparison.Ordinal) < card.IndexOf("## Cost", StringComparison.Ordinal));
        using var manifest = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(package, "manifest.json"), TestContext.Current.CancellationToken));
        Assert.True(manifest.RootElement.GetProperty("stabilityUncertaintyScale").GetDouble() > 0);

        // A second run replaces the section instead of adding another.
        (exit, _, stderr) = await CliRunner.RunAsync(store, "models", "evaluate", "--protocol", "discovery", "--model", package, "-d", csv, "--units", "eV/atom", "--splits", "random", "--update-card");
        Assert.True(exit == 0, stderr);
        card = await File.ReadAllTextAsync(Path.Combine(package, "MODEL_CARD.md"), TestContext.Current.CancellationToken);
        Assert.Single(System.Text.RegularExpressions.Regex.Matches(card, "## Stability discovery"));
        Assert.DoesNotContain("Discovery protocol: systems", card, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--protocol discovery -d steels_yield", "needs formation energies in eV/atom")]
    [InlineData("--protocol discovery -d mp_e_form --splits random,clusters", "--splits takes")]
    [InlineData("--protocol discovery -d mp_e_form --holdout 1.5 --splits random", "strictly between 0 and 1")]
    [InlineData("--protocol discovery -d mp_e_form --update-card", "--update-card needs --model")]
    [InlineData("--protocol discovery", "--dataset is required")]
    [InlineData("--protocol discovery --model formation-energy --leaves 7", "drop --leaves")]
    [InlineData("--protocol discovery --model no-such-model", "no-such-model")]
    [InlineData("-d mp_e_form --splits random", "--splits applies to --protocol discovery only")]
    public async Task BadDiscoveryOptionsAreOneLineErrors(string options, string message)
    {
        var (exit, _, stderr) = await CliRunner.RunAsync(SharedFiles.MirrorStore(), ["models", "evaluate", .. options.Split(' ')]);
        Assert.NotEqual(0, exit);
        Assert.Contains(message, stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", stderr, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--trainer mlp --leaves 7", "--leaves does not apply to --trainer mlp")]
    [InlineData("--trainer mlp --zero-gate", "--zero-gate does not apply")]
    [InlineData("--epochs 5", "--epochs does not apply to --trainer lightgbm")]
    [InlineData("--trainer mlp --hidden 64,x", "--hidden takes comma-separated layer widths")]
    [InlineData("--trainer mlp --hidden 0", "hidden layers of 1 to 4096 units")]
    [InlineData("--trainer mlp --epochs 0", "epochs")]
    [InlineData("--trainer mlp --learning-rate 2", "learning rate")]
    [InlineData("--trainer forest", "forest")]
    [InlineData("--trainer attention --leaves 7", "--leaves does not apply to --trainer attention")]
    [InlineData("--trainer mlp --width 8", "--width does not apply to --trainer mlp")]
    [InlineData("--message-layers 2", "--message-layers does not apply to --trainer lightgbm")]
    [InlineData("--trainer attention --width 0", "--width")]
    [InlineData("--trainer attention --epochs 1", "a *-fractions preset ends with")]
    public async Task BadTrainerOptionsAreOneLineErrors(string options, string message)
    {
        var (exit, _, stderr) = await CliRunner.RunAsync(SharedFiles.MirrorStore(), ["models", "evaluate", "-d", "steels_yield", .. options.Split(' ')]);
        Assert.NotEqual(0, exit);
        Assert.Contains(message, stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task BadInputsAreOneLineErrors()
    {
        var store = SharedFiles.MirrorStore();
        var (exit, _, stderr) = await CliRunner.RunAsync(store, "models", "evaluate", "-d", "smact_elements");
        Assert.Equal(2, exit);
        Assert.Contains("not a labelled table", stderr, StringComparison.Ordinal);

        (exit, _, stderr) = await CliRunner.RunAsync(store, "predict", "-m", _dir.File("nope"), "NaCl");
        Assert.Equal(1, exit);
        Assert.Contains("neither a package folder", stderr, StringComparison.Ordinal);

        (exit, _, stderr) = await CliRunner.RunAsync(store, "models", "evaluate", "-d", "steels_yield", "--learning-rate", "0");
        Assert.Equal(2, exit);
        Assert.Contains("--learning-rate", stderr, StringComparison.Ordinal);

        (exit, _, stderr) = await CliRunner.RunAsync(store, "models", "evaluate", "-d", "steels_yield", "--robust-passes", "-1");
        Assert.Equal(2, exit);
        Assert.Contains("--robust-passes", stderr, StringComparison.Ordinal);

        (exit, _, stderr) = await CliRunner.RunAsync(store, "models", "evaluate", "-d", "steels_yield", "--robust-passes", "1", "--robust-delta", "0");
        Assert.Equal(2, exit);
        Assert.Contains("--robust-delta", stderr, StringComparison.Ordinal);

        // Yield strengths are never 0: a zero gate has nothing to learn.
        (exit, _, stderr) = await CliRunner.RunAsync(store, "models", "evaluate", "-d", "steels_yield", "-p", "magpie", "--iterations", "10", "--zero-gate");
        Assert.Equal(1, exit);
        Assert.Contains("zero target", stderr, StringComparison.Ordinal);

        var csv = _dir.File("bad.csv");
        await File.WriteAllTextAsync(csv, "formula,target\nNaCl,1\nXx,2\nKCl,\n", TestContext.Current.CancellationToken);
        (exit, _, stderr) = await CliRunner.RunAsync(store, "models", "train", "-d", csv, "-o", _dir.File("m"));
        Assert.Equal(1, exit);
        Assert.Contains("row 2", stderr, StringComparison.Ordinal);
        Assert.Contains("row 3", stderr, StringComparison.Ordinal);
    }
}
