using MaterialsDb.Chemistry;
using MaterialsDb.Data;
using MaterialsDb.Data.Downloads;
using MaterialsDb.Stability;

namespace MaterialsDb.Training.Discovery;

/// <summary>
/// Measures what screening depends on: whether compositions predicted on or near the hull are stable. A recipe's
/// ensemble is trained on part of the data; the held-out rows' predicted energies are placed against a hull built from
/// the training part only (what a screening knows) and compared with the truth (their DFT energy above the hull of
/// all data), beside a trivial baseline and the ceiling of knowing the true energy but only the training hull.
/// </summary>
public static class DiscoveryProtocol
{
    /// <summary>The leave-out splits of a formation-energy table.</summary>
    public static IReadOnlyList<string> Splits { get; } = ["random", "systems"];

    /// <summary>The CritExam split's name.</summary>
    public const string CritExam = "critexam";

    /// <summary>Catalog dataset of CritExam formation energies.</summary>
    public const string CritExamFormation = "critexam_e_form";

    /// <summary>Catalog dataset of CritExam decomposition energies (same rows).</summary>
    public const string CritExamDecomposition = "critexam_e_decomp";

    /// <summary>Stability thresholds (eV/atom) the classification is reported at.</summary>
    public static IReadOnlyList<double> Thresholds { get; } = [0, 0.05, 0.1];

    /// <summary>Most rows the top-ranked precisions look at.</summary>
    public const int TopN = 1000;

    /// <summary>Holds out rows of a formation-energy table (a <see cref="Splits"/> name), trains and scores.</summary>
    /// <exception cref="InvalidOptionException">Unknown split, or a fraction outside (0, 1).</exception>
    /// <exception cref="InputDataException">The data are not formation energies a hull can take.</exception>
    public static ProtocolResult RunSplit(TrainingData data, string split, double fraction, int seed, TrainerOptions options, Action<string>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(data);
        var compositions = Parse(data);
        var held = split switch
        {
            "random" => HoldOutSplits.Random(compositions.Length, fraction, seed),
            "systems" => HoldOutSplits.Systems(compositions, fraction, seed),
            _ => throw new InvalidOptionException($"Unknown split '{split}'; use {string.Join(", ", Splits)} or {CritExam}."),
        };
        var heldRows = Enumerable.Range(0, held.Length).Where(i => held[i]).ToArray();
        var trainRows = Enumerable.Range(0, held.Length).Where(i => !held[i]).ToArray();
        var width = data.Featurizer.FeatureLabels.Count;
        var (mean, std) = Train(data.Features, width, data.Targets, trainRows, heldRows, options, $"{split} split", progress);

        var allHulls = new PhaseDiagramCache(Entries(data.Name, compositions, data.Targets, Enumerable.Range(0, compositions.Length)));
        var training = Entries(data.Name, compositions, data.Targets, trainRows);
        var trainHulls = new PhaseDiagramCache(training);
        var trueEnergy = new double[heldRows.Length];
        var truth = new double[heldRows.Length];
        var trainingHull = new double[heldRows.Length];
        Parallel.For(0, heldRows.Length, i =>
        {
            var c = compositions[heldRows[i]];
            trueEnergy[i] = data.Targets[heldRows[i]];
            // The row is in the full hull's data, so its distance is ≥ 0 up to rounding.
            truth[i] = Math.Max(0, trueEnergy[i] - allHulls.For(c).GetHullEnergy(c));
            trainingHull[i] = trainHulls.For(c).GetHullEnergy(c);
        });

        var description = split == "random"
            ? $"a seeded random {fraction:P0} of the rows held out (seed {seed})"
            : $"every row of a seeded random {fraction:P0} of the chemical systems with {HoldOutSplits.MinSystemElements} or more elements held out (seed {seed}); their subsystems stay in training";
        // Self-consistent: the held-out rows' predicted energies join the training hull, each row judged without itself.
        var combined = PhaseEntrySet.Create(training.Entries
            .Concat(heldRows.Select((row, i) => new PhaseEntry($"held-out row {row + 1}", compositions[row], mean[i], "prediction"))));
        var combinedHulls = new PhaseDiagramCache(combined);
        var selfConsistent = new double[heldRows.Length];
        Parallel.For(0, heldRows.Length, i => selfConsistent[i] = mean[i] - HullWithout(combinedHulls, combined.Entries[trainRows.Length + i]));

        return Score(split, description, trainRows.Length, "E_hull", trueEnergy, trainingHull, truth, mean, std, data.Targets, trainRows, direct: null, clip: true, hullCheck: null, selfConsistent);
    }

    /// <summary>
    /// Bartel et al.'s CritExam split (CrabNet's train/val/test of 85,014 Materials Project compositions): models are
    /// trained on train ∪ val; the test rows' ΔHd is predicted via the hull (predicted ΔHf minus the hull of the
    /// training rows) and directly (a model trained on ΔHd), against the ΔHd of the file.
    /// </summary>
    public static async Task<ProtocolResult> RunCritExamAsync(string preset, DatasetStore store, TrainerOptions options, Action<string>? progress = null, CancellationToken cancellationToken = default)
    {
        string[] files = ["train.csv", "val.csv", "test.csv"];
        var formation = new List<TrainingData>();
        var decomposition = new List<TrainingData>();
        foreach (var file in files)
        {
            formation.Add(await TrainingData.LoadFileAsync(CritExamFormation, file, preset, store, cancellationToken).ConfigureAwait(false));
            decomposition.Add(await TrainingData.LoadFileAsync(CritExamDecomposition, file, preset, store, cancellationToken).ConfigureAwait(false));
            if (!formation[^1].Formulas.SequenceEqual(decomposition[^1].Formulas))
            {
                throw new InputDataException($"{CritExamFormation} and {CritExamDecomposition} list different formulas in {file}; the protocol needs the same rows.");
            }
        }

        var data = formation[0] with
        {
            Features = [.. formation.SelectMany(d => d.Features)],
            Targets = [.. formation.SelectMany(d => d.Targets)],
            Formulas = [.. formation.SelectMany(d => d.Formulas)],
        };
        var decompositionTargets = decomposition.SelectMany(d => d.Targets).ToArray();
        var compositions = Parse(data);
        var pool = Enumerable.Range(0, formation[0].Targets.Length + formation[1].Targets.Length).ToArray();
        var test = Enumerable.Range(pool.Length, formation[2].Targets.Length).ToArray();
        var width = data.Featurizer.FeatureLabels.Count;
        var (mean, std) = Train(data.Features, width, data.Targets, pool, test, options, "critexam ΔHf", progress);
        var direct = Train(data.Features, width, decompositionTargets, pool, test, options, "critexam ΔHd (direct)", progress);

        var all = Entries(data.Name, compositions, data.Targets, Enumerable.Range(0, compositions.Length));
        var allHulls = new PhaseDiagramCache(all);
        var trainHulls = new PhaseDiagramCache(Entries(data.Name, compositions, data.Targets, pool));
        var trueEnergy = new double[test.Length];
        var truth = new double[test.Length];
        var trainingHull = new double[test.Length];
        var check = new double[test.Length];
        Parallel.For(0, test.Length, i =>
        {
            var row = test[i];
            trueEnergy[i] = data.Targets[row];
            truth[i] = decompositionTargets[row];
            trainingHull[i] = trainHulls.For(compositions[row]).GetHullEnergy(compositions[row]);
            // The file's ΔHd recomputed from all formation energies: checks that our hulls are Bartel's.
            check[i] = Math.Abs(trueEnergy[i] - HullWithout(allHulls, all.Entries[row]) - truth[i]);
        });

        var description = $"CritExam (Bartel et al. 2020): trained on train ∪ val ({pool.Length} rows), scored on test; truth is the file's ΔHd (formation energy minus the hull of every other compound)";
        return Score(CritExam, description, pool.Length, "ΔHd", trueEnergy, trainingHull, truth, mean, std, data.Targets, pool, direct, clip: false, hullCheck: check.Max());
    }

    /// <summary>
    /// The hull energy at an entry's composition without that entry: for a stable entry, the hull of its competitors
    /// (ΔHd = E − this is negative); for an unstable one the hull itself.
    /// </summary>
    public static double HullWithout(PhaseDiagramCache hulls, PhaseEntry self)
    {
        ArgumentNullException.ThrowIfNull(hulls);
        ArgumentNullException.ThrowIfNull(self);
        return hulls.Without(self.Composition.AtomicNumbers.ToArray().Select(z => (int)z), e => e == self).GetHullEnergy(self.Composition);
    }

    private static (float[] Mean, float[] Std) Train(float[] features, int width, float[] targets, int[] train, int[] predict, TrainerOptions options, string label, Action<string>? progress)
    {
        progress?.Invoke($"{label}: training {Models.Evaluation.MatbenchFolds.MatbenchSplits} members on {train.Length} rows to predict {predict.Length}");
        var clock = System.Diagnostics.Stopwatch.StartNew();
        return HeldOutEnsemble.Predict(features, width, targets, train, predict, options, k => progress?.Invoke(FormattableString.Invariant($"{label}: member {k + 1} done ({clock.Elapsed.TotalSeconds:0} s)")));
    }

    private static Composition[] Parse(TrainingData data)
    {
        if (data.Formulas.Count != data.Targets.Length)
        {
            throw new ArgumentException("The training data carry no formulas.", nameof(data));
        }

        return [.. data.Formulas.Select(f => FormulaParser.Parse(f))];
    }

    private static PhaseEntrySet Entries(string source, Composition[] compositions, float[] energies, IEnumerable<int> rows)
    {
        try
        {
            return PhaseEntrySet.Create(rows.Select(i => new PhaseEntry($"row {i + 1}", compositions[i], energies[i], source)));
        }
        catch (ReferenceDataException e)
        {
            throw new InputDataException($"{source} cannot build a hull (are its targets formation energies per atom?): {e.Message}");
        }
    }

    private static ProtocolResult Score(string name, string description, int trainingRows, string quantity, double[] trueEnergy, double[] trainingHull, double[] truth, float[] mean, float[] std, float[] targets, int[] trainRows, (float[] Mean, float[] Std)? direct, bool clip, double? hullCheck, double[]? selfConsistent = null)
    {
        var n = truth.Length;
        double[] Against(Func<int, double> energy) => [.. Enumerable.Range(0, n).Select(i => energy(i) - trainingHull[i])];
        var trainingMean = trainRows.Average(i => (double)targets[i]);
        var model = Against(i => mean[i]);
        var methods = new List<MethodResult>
        {
            Method("model", [.. mean.Select(v => (double)v)], trueEnergy, model, truth, clip),
        };
        if (selfConsistent is not null)
        {
            methods.Add(Method("model, self-consistent hull", [.. mean.Select(v => (double)v)], trueEnergy, selfConsistent, truth, clip));
        }

        methods.AddRange(
        [
            Method("trivial: training mean", [.. Enumerable.Repeat(trainingMean, n)], trueEnergy, Against(_ => trainingMean), truth, clip),
            Method("ceiling: true energy, training-only hull", trueEnergy, trueEnergy, Against(i => trueEnergy[i]), truth, clip),
        ]);
        if (direct is { } d)
        {
            methods.Add(Method("direct: a model trained on ΔHd", null, trueEnergy, [.. d.Mean.Select(v => (double)v)], truth, clip));
        }

        var shown = clip ? model.Select(v => Math.Max(0, v)) : model;
        var formation = UncertaintyCalibration.Fit(mean, std, [.. trueEnergy.Select(v => (float)v)]);
        var stability = UncertaintyCalibration.Fit([.. shown.Select(v => (float)v)], std, [.. truth.Select(v => (float)v)]);
        return new ProtocolResult(name, description, trainingRows, n, quantity, methods, formation, stability, Probability(model, std, stability.Scale, truth), hullCheck);
    }

    private static MethodResult Method(string name, double[]? energy, double[] trueEnergy, double[] stability, double[] truth, bool clip)
    {
        var formationMae = energy is null ? double.NaN : energy.Select((e, i) => Math.Abs(e - trueEnergy[i])).Average();
        var stabilityMae = stability.Select((s, i) => Math.Abs((clip ? Math.Max(0, s) : s) - truth[i])).Average();
        return new MethodResult(name, formationMae, stabilityMae, [.. Thresholds.Select(t => StabilityClassification.Of(stability, truth, t))]);
    }

    // P(stable) = Φ(−Ê / σ): calibrated on even rows (the scale), judged on odd ones; rankings use every row (the
    // order by Ê/σ does not depend on the scale).
    private static ProbabilityReport Probability(double[] predicted, float[] std, double scale, double[] truth)
    {
        const double Tolerance = PhaseDiagram.StabilityTolerance;
        var p = new double[predicted.Length];
        for (var i = 0; i < p.Length; i++)
        {
            var sigma = Math.Max(std[i] * scale, 1e-6);
            p[i] = MathNet.Numerics.Distributions.Normal.CDF(0, 1, (Tolerance - predicted[i]) / sigma);
        }

        var odd = Enumerable.Range(0, p.Length).Where(i => i % 2 == 1).ToArray();
        double Outcome(int i) => truth[i] <= Tolerance ? 1 : 0;
        var brier = odd.Length == 0 ? double.NaN : odd.Average(i => Math.Pow(p[i] - Outcome(i), 2));
        var ece = odd.GroupBy(i => Math.Min(9, (int)(p[i] * 10))).Sum(bin => bin.Count() * Math.Abs(bin.Average(i => p[i]) - bin.Average(Outcome))) / Math.Max(1, odd.Length);
        var top = Math.Min(TopN, Math.Max(1, predicted.Length / 10));
        var all = Enumerable.Range(0, p.Length).ToArray();
        double Precision(IEnumerable<int> ranked) => ranked.Take(top).Average(Outcome);
        return new ProbabilityReport(odd.Length, brier, ece, top, Precision(all.OrderBy(i => predicted[i]).ThenBy(i => i)), Precision(all.OrderByDescending(i => p[i]).ThenBy(i => predicted[i]).ThenBy(i => i)));
    }
}
