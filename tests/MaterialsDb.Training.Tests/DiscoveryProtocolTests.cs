using MaterialsDb.Chemistry;
using MaterialsDb.Data.Catalog;
using MaterialsDb.Data.Tables;
using MaterialsDb.Stability;
using MaterialsDb.TestSupport;
using MaterialsDb.Training.Discovery;

namespace MaterialsDb.Training.Tests;

/// <summary>The discovery protocol: its metrics, splits, hull without an entry (against Bartel et al.'s ΔHd), and a small run.</summary>
public sealed class DiscoveryProtocolTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void ClassificationFollowsTheMatbenchDiscoveryDefinitions()
    {
        // Truth: rows 0, 1, 4 stable at 0; predictions call rows 0, 2, 4 stable.
        double[] truth = [0, 0, 0.2, 0.3, 0, 0.5, double.NaN];
        double[] predicted = [-0.1, 0.04, -0.02, 0.1, 0, 0.7, -1];
        var at0 = StabilityClassification.Of(predicted, truth, 0);
        Assert.Equal((2, 1, 2, 1), (at0.TruePositives, at0.FalsePositives, at0.TrueNegatives, at0.FalseNegatives));
        Assert.Equal(6, at0.Rows);
        Assert.Equal(0.5, at0.Prevalence, 12);
        Assert.Equal(2.0 / 3, at0.Precision, 12);
        Assert.Equal(2.0 / 3, at0.Recall, 12);
        Assert.Equal(2.0 / 3, at0.F1, 12);
        Assert.Equal(4.0 / 6, at0.Accuracy, 12);
        Assert.Equal(4.0 / 3, at0.AccelerationFactor, 12);

        // At 0.05 row 1 is called stable too; at 0.25 row 2 becomes truly stable.
        var at005 = StabilityClassification.Of(predicted, truth, 0.05);
        Assert.Equal((3, 1, 2, 0), (at005.TruePositives, at005.FalsePositives, at005.TrueNegatives, at005.FalseNegatives));
        var at025 = StabilityClassification.Of(predicted, truth, 0.25);
        Assert.Equal(4.0 / 6, at025.Prevalence, 12);
        Assert.True(double.IsNaN(StabilityClassification.Of([1.0], [1.0], 0).Precision));
    }

    [Fact]
    public void TheRandomSplitIsSeededAndSized()
    {
        var a = HoldOutSplits.Random(1000, 0.1, seed: 7);
        Assert.Equal(100, a.Count(h => h));
        Assert.Equal(a, HoldOutSplits.Random(1000, 0.1, seed: 7));
        Assert.NotEqual(a, HoldOutSplits.Random(1000, 0.1, seed: 8));
        Assert.Throws<InvalidOptionException>(() => HoldOutSplits.Random(10, 1.0, 1));
        Assert.Throws<InvalidOptionException>(() => HoldOutSplits.Random(10, double.NaN, 1));
    }

    [Fact]
    public void TheSystemSplitHoldsOutWholeSystemsOfThreeOrMoreElements()
    {
        string[] formulas = ["LiFeO2", "Li5FeO4", "FeO", "Li2O", "LiMnO2", "Li2MnO3", "MnO", "NaCl", "NaClO3", "NaClO4", "KCl", "KClO3", "LiFePO4", "Fe", "CaTiO3", "CaTi2O5"];
        var compositions = formulas.Select(f => FormulaParser.Parse(f)).ToArray();
        var systems = compositions.Where(c => c.ElementCount >= 3).Select(c => c.ChemicalSystem).Distinct().Count();
        for (var seed = 0; seed < 20; seed++)
        {
            var held = HoldOutSplits.Systems(compositions, 0.34, seed);
            var heldSystems = compositions.Where((_, i) => held[i]).Select(c => c.ChemicalSystem).Distinct().ToArray();
            Assert.Equal((int)Math.Round(systems * 0.34), heldSystems.Length);
            for (var i = 0; i < formulas.Length; i++)
            {
                // Whole systems, never a binary or an element, and every row of a held system.
                Assert.Equal(heldSystems.Contains(compositions[i].ChemicalSystem), held[i]);
                Assert.True(!held[i] || compositions[i].ElementCount >= 3);
            }
        }

        // The draw depends on the systems, not on the rows' order.
        var reversed = compositions.Reverse().ToArray();
        Assert.Equal(HoldOutSplits.Systems(compositions, 0.34, 3), HoldOutSplits.Systems(reversed, 0.34, 3).Reverse());
    }

    [Fact]
    public void TheHullWithoutAStableEntryIsTheHullOfItsCompetitors()
    {
        // A–B: A2B at x_B = 1/3 (−1.0), AB at 1/2 (−1.2, stable), AB2 at 2/3 (−0.3).
        var set = PhaseEntrySet.Create(
        [
            new PhaseEntry("a2b", FormulaParser.Parse("Li2O"), -1.0, "t"),
            new PhaseEntry("ab", FormulaParser.Parse("LiO"), -1.2, "t"),
            new PhaseEntry("ab2", FormulaParser.Parse("LiO2"), -0.3, "t"),
        ]);
        var hulls = new PhaseDiagramCache(set);
        // Without AB the hull at x = 1/2 is the line from A2B to B: −1 + (1/2 − 1/3) / (2/3) = −0.75.
        Assert.Equal(-0.75, DiscoveryProtocol.HullWithout(hulls, set.Entries[1]), 10);
        // An unstable entry's competitors' hull is the hull: AB → B at x = 2/3 is −1.2 + 1.2 / 3 = −0.8.
        Assert.Equal(-0.8, DiscoveryProtocol.HullWithout(hulls, set.Entries[2]), 10);
        // Removing AB exposes nothing else here; removing A2B leaves A → AB: −1.2 × (1/3) / (1/2) = −0.8.
        Assert.Equal(-0.8, DiscoveryProtocol.HullWithout(hulls, set.Entries[0]), 10);
    }

    [Fact]
    public async Task DecompositionEnergiesAgreeWithBartelsCritExamValues()
    {
        // The peer's result: ΔHd of every CritExam compound as Bartel et al. computed it with pymatgen from the same
        // formation energies. Recomputing it with MaterialsDb's hulls must give the same numbers.
        var store = SharedFiles.MirrorStore();
        var formulas = new List<string>();
        var formation = new List<double>();
        var decomposition = new List<double>();
        foreach (var file in new[] { "train.csv", "val.csv", "test.csv" })
        {
            var f = await ReadAsync(store, DiscoveryProtocol.CritExamFormation, file);
            var d = await ReadAsync(store, DiscoveryProtocol.CritExamDecomposition, file);
            Assert.Equal(f.GetStrings("formula"), d.GetStrings("formula"));
            formulas.AddRange(f.GetStrings("formula").Select(s => s!));
            formation.AddRange(f.GetDoubles("target"));
            decomposition.AddRange(d.GetDoubles("target"));
        }

        var set = PhaseEntrySet.FromColumns(formulas, formation, null, "critexam");
        var hulls = new PhaseDiagramCache(set);
        var differences = new double[set.Entries.Count];
        Parallel.For(0, differences.Length, i => differences[i] = Math.Abs(formation[i] - DiscoveryProtocol.HullWithout(hulls, set.Entries[i]) - decomposition[i]));
        Array.Sort(differences);
        Assert.Equal(85_014, differences.Length);
        // 91 % agree to 1e-6 eV/atom. The rest differ by at most a few meV/atom, and some of those cannot come from a
        // hull with its elements at 0 (e.g. Co2Np: Bartel's hull of its competitors lies at +0.005 eV/atom): their
        // elemental references were not exactly the file's zero.
        var agree = differences.Count(d => d < 1e-6) / (double)differences.Length;
        Assert.True(agree > 0.9, $"only {agree:P1} within 1e-6 eV/atom");
        Assert.True(differences[differences.Length / 2] < 1e-9, $"median |ΔHd − Bartel's| = {differences[differences.Length / 2]}");
        Assert.True(differences[^1] < 6e-3, $"largest = {differences[^1]}");
    }

    [Fact]
    public async Task TheLeaveOutProtocolRunsOnASmallChemistry()
    {
        var csv = await SampleData.FormationEnergiesAsync(_dir.File("fe.csv"));
        var data = await TrainingData.LoadAsync(csv, "magpie", SharedFiles.MirrorStore(), "eV/atom", TestContext.Current.CancellationToken);
        var options = new LightGbmOptions { Iterations = 40, Leaves = 7, MinimumRowsPerLeaf = 3 };
        foreach (var split in DiscoveryProtocol.Splits)
        {
            var result = DiscoveryProtocol.RunSplit(data, split, 0.15, seed: 2, options);
            Assert.Equal(data.Targets.Length, result.TrainingRows + result.HeldOutRows);
            var model = result.Methods.Single(m => m.Method == "model");
            var trivial = result.Methods.Single(m => m.Method.StartsWith("trivial", StringComparison.Ordinal));
            var ceiling = result.Methods.Single(m => m.Method.StartsWith("ceiling", StringComparison.Ordinal));
            Assert.True(model.FormationMae < trivial.FormationMae, $"{split}: model {model.FormationMae} vs trivial {trivial.FormationMae}");
            Assert.Equal(0, ceiling.FormationMae);
            // A training-only hull lies on or above the full one, so the true energy finds every stable row.
            Assert.All(ceiling.Classes, c => Assert.Equal(1, c.Recall));
            Assert.All(result.Methods.SelectMany(m => m.Classes), c => Assert.Equal(result.HeldOutRows, c.Rows));

            // With the held-out predictions on the hull, rows can only rise: never more rows called stable.
            var consistent = result.Methods.Single(m => m.Method == "model, self-consistent hull");
            for (var t = 0; t < DiscoveryProtocol.Thresholds.Count; t++)
            {
                var (a, b) = (model.Classes[t], consistent.Classes[t]);
                Assert.True(b.TruePositives + b.FalsePositives <= a.TruePositives + a.FalsePositives);
                Assert.True(b.TruePositives <= a.TruePositives);
            }

            Assert.True(consistent.Classes[0].TruePositives + consistent.Classes[0].FalsePositives < model.Classes[0].TruePositives + model.Classes[0].FalsePositives, $"{split}: the held-out rows never competed");
            Assert.InRange(result.StabilityCalibration.Within1Sigma, 0.45, 0.9);
            Assert.InRange(result.Probability.Brier, 0, 0.5);

            var again = DiscoveryProtocol.RunSplit(data, split, 0.15, seed: 2, options);
            Assert.Equal(new DiscoveryReport("x", "magpie", "r", [result]).ToMarkdown(), new DiscoveryReport("x", "magpie", "r", [again]).ToMarkdown());
        }

        var markdown = new DiscoveryReport(data.Name, "magpie", options.CommandLine(), [DiscoveryProtocol.RunSplit(data, "random", 0.15, 2, options)]).ToMarkdown();
        Assert.Contains("### Discovery protocol: random", markdown, StringComparison.Ordinal);
        Assert.Contains("| ceiling: true energy, training-only hull | 0.00 |", markdown, StringComparison.Ordinal);
        Assert.Throws<InvalidOptionException>(() => DiscoveryProtocol.RunSplit(data, "clusters", 0.1, 1, options));
    }

    private static async Task<ColumnTable> ReadAsync(Data.Downloads.DatasetStore store, string dataset, string file)
    {
        var entry = DatasetCatalog.Default.Get(dataset);
        var path = await store.EnsureFileAsync(entry, entry.File(file), cancellationToken: TestContext.Current.CancellationToken);
        return CsvTableReader.Read(path, ["formula"]);
    }
}
