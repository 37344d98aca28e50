using System.Globalization;
using MaterialsDb.Design.Acquisition;
using MaterialsDb.Design.Spec;
using MaterialsDb.Design.Surrogate;
using MaterialsDb.Features;
using MaterialsDb.Screening.Scoring;

namespace MaterialsDb.Design.Rounds;

/// <summary>
/// A round's fitted surrogates and everything the acquisition function compares against (best observations, the
/// observed Pareto front), scoring rows of features into acquisition values. Thread-safe: each thread brings its own
/// <see cref="Workspace"/>.
/// </summary>
internal sealed class Scorer
{
    private readonly CampaignSpec _spec;
    private readonly ISurrogate[] _surrogates;
    private readonly int[] _objectiveIndex;
    private readonly (int Property, PropertyConstraint Constraint)[] _constraints;
    private readonly double[] _best;
    private readonly Hypervolume? _front;
    private readonly double[] _draws = [];
    private readonly Func<int, double, double> _utility;

    private Scorer(CampaignSpec spec, ISurrogate[] surrogates, double[] best, Hypervolume? front, double[] draws, int width)
    {
        _spec = spec;
        _surrogates = surrogates;
        var properties = spec.Properties.ToList();
        _objectiveIndex = [.. spec.Objectives.Select(o => properties.IndexOf(o.Property))];
        _constraints = [.. spec.Constraints.Select(c => (properties.IndexOf(c.Property), c))];
        _best = best;
        _front = front;
        _draws = draws;
        Width = width;
        _utility = (i, v) => spec.Objectives[i].Utility(v);
    }

    /// <summary>Features per row.</summary>
    public int Width { get; }

    /// <summary>σ scale per property.</summary>
    public IReadOnlyList<double> Calibration => [.. _surrogates.Select(s => s.Calibration)];

    /// <summary>Fits a surrogate per property on the observations that have its value.</summary>
    public static Scorer Fit(DesignContext context, ObservationData observations, int seed)
    {
        var spec = context.Spec;
        var width = context.Featurizer.FeatureLabels.Count;
        var n = observations.Batch.Count;
        var features = observations.Features;
        if (features is null)
        {
            features = new float[n * width];
            BatchFeaturizer.Featurize(context.Featurizer, observations.Batch, features, context.ThreadCount);
        }

        var properties = spec.Properties;
        var surrogates = new ISurrogate[properties.Count];
        for (var p = 0; p < properties.Count; p++)
        {
            var values = observations.Values[p];
            var rows = Enumerable.Range(0, n).Where(r => double.IsFinite(values[r])).ToArray();
            var x = new float[rows.Length * width];
            for (var i = 0; i < rows.Length; i++)
            {
                features.AsSpan(rows[i] * width, width).CopyTo(x.AsSpan(i * width));
            }

            var goal = spec.Objectives.FirstOrDefault(o => o.Property == properties[p]);
            surrogates[p] = Surrogates.Fit(x, width, [.. rows.Select(r => values[r])], spec.Surrogate, Seeds.Derive(seed, p, 3), properties[p], goal);
        }

        // The best observed utility per objective, and for two objectives the observed front in the utility frame
        // above a reference point a tenth of the observed range below the worst.
        var list = properties.ToList();
        var best = spec.Objectives.Select(o =>
        {
            var values = observations.Values[list.IndexOf(o.Property)].Where(double.IsFinite).Select(o.Utility).ToArray();
            return values.Length == 0 ? double.NegativeInfinity : values.Max();
        }).ToArray();
        Hypervolume? front = null;
        double[] draws = [];
        if (spec.Objectives.Count == 2)
        {
            var (a, b) = (spec.Objectives[0], spec.Objectives[1]);
            var (va, vb) = (observations.Values[list.IndexOf(a.Property)], observations.Values[list.IndexOf(b.Property)]);
            var points = Enumerable.Range(0, n).Where(r => double.IsFinite(va[r]) && double.IsFinite(vb[r])).Select(r => (a.Utility(va[r]), b.Utility(vb[r]))).ToList();
            static double Reference(IEnumerable<double> v)
            {
                var (lo, hi) = (v.DefaultIfEmpty(0).Min(), v.DefaultIfEmpty(0).Max());
                return lo - Math.Max((hi - lo) * 0.1, 1e-9 + (Math.Abs(lo) * 0.01));
            }

            front = new Hypervolume(points, Reference(points.Select(p => p.Item1)), Reference(points.Select(p => p.Item2)));
            var random = new Random(Seeds.Derive(seed, 4));
            draws = new double[2 * HypervolumeDrawsCount];
            for (var i = 0; i < draws.Length; i++)
            {
                // Box–Muller: two uniforms to one standard normal draw.
                draws[i] = Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
            }
        }

        return new Scorer(spec, surrogates, best, front, draws, width);
    }

    private const int HypervolumeDrawsCount = RoundEngine.HypervolumeDraws;

    /// <summary>Buffers for up to <paramref name="rows"/> rows.</summary>
    public Workspace NewWorkspace(int rows) => new(rows, Width, _surrogates.Length, _surrogates.Max(s => s.ScratchPerRow));

    /// <summary>Means and σ of every property for the workspace's first <paramref name="rows"/> feature rows.</summary>
    public void Predict(Workspace work, int rows)
    {
        for (var p = 0; p < _surrogates.Length; p++)
        {
            _surrogates[p].Predict(work.Features, rows, work.Mean[p], work.Std[p], work.Scratch);
        }
    }

    /// <summary>
    /// Predicts and scores rows: <see cref="Workspace.Value"/> gets the acquisition value, or −∞ for a row that is
    /// excluded or misses a constraint's probability; <see cref="Workspace.Probability"/> the constraints' joint probability.
    /// </summary>
    public void Score(Workspace work, int rows, ReadOnlySpan<ulong> keys, IReadOnlySet<ulong> exclude, int seed)
    {
        Predict(work, rows);
        var acquisition = _spec.Acquisition;
        for (var r = 0; r < rows; r++)
        {
            double probability = 1;
            var ok = !exclude.Contains(keys[r]);
            foreach (var (p, c) in _constraints)
            {
                var within = Acquisitions.Within(work.Mean[p][r], work.Std[p][r], c.Min, c.Max);
                ok &= within >= c.Probability;
                probability *= within;
            }

            work.Probability[r] = probability;
            if (!ok)
            {
                work.Value[r] = double.NegativeInfinity;
                continue;
            }

            // Only the random baseline reads the uniform draw; hashing every candidate otherwise is wasted work.
            var uniform = acquisition.Function == AcquisitionKind.Random ? Seeds.Uniform(seed, keys[r]) : 0;
            if (_front is not null && acquisition.Function == AcquisitionKind.Ehvi)
            {
                var (a, b) = (_objectiveIndex[0], _objectiveIndex[1]);
                work.Value[r] = _front.ExpectedImprovement(work.Mean[a][r], work.Std[a][r], work.Mean[b][r], work.Std[b][r], _draws, _utility);
            }
            else if (_spec.Objectives.Count == 2)
            {
                // Greedy, explore and random with two objectives: the sum of the two objectives' values.
                double sum = 0;
                for (var i = 0; i < 2; i++)
                {
                    var p = _objectiveIndex[i];
                    sum += Acquisitions.Value(acquisition.Function, _spec.Objectives[i], work.Mean[p][r], work.Std[p][r], _best[i], acquisition.Kappa, uniform);
                }

                work.Value[r] = sum;
            }
            else
            {
                var p = _objectiveIndex[0];
                work.Value[r] = Acquisitions.Value(acquisition.Function, _spec.Objectives[0], work.Mean[p][r], work.Std[p][r], _best[0], acquisition.Kappa, uniform);
            }
        }
    }

    /// <summary>A proposal from row <paramref name="k"/> of a workspace that <see cref="Predict"/> filled.</summary>
    public Proposal Proposal(Workspace work, int k, int rank, string formula, byte[] z, double[] fractions, double[]? basis, double value, SupplyRisk supply, ReadOnlySpan<double> amounts, string why, int poolRow)
    {
        var properties = _spec.Properties;
        var mean = new double[properties.Count];
        var std = new double[properties.Count];
        double probability = 1;
        for (var p = 0; p < properties.Count; p++)
        {
            (mean[p], std[p]) = (work.Mean[p][k], work.Std[p][k]);
        }

        foreach (var (p, c) in _constraints)
        {
            probability *= Acquisitions.Within(mean[p], std[p], c.Min, c.Max);
        }

        var text = new System.Text.StringBuilder(why);
        text.Append(CultureInfo.InvariantCulture, $" ({Fmt(value)})");
        foreach (var (o, i) in _spec.Objectives.Select((o, i) => (o, i)))
        {
            var p = _objectiveIndex[i];
            text.Append(CultureInfo.InvariantCulture, $"; {o.Property} {Fmt(mean[p])} ± {Fmt(std[p])}{(o.Units is null ? string.Empty : " " + o.Units)}, goal {o.GoalText}");
            if (o.Goal != Goal.Window && double.IsFinite(_best[i]))
            {
                text.Append(CultureInfo.InvariantCulture, $", best observed {Fmt(o.Goal == Goal.Min ? -_best[i] : _best[i])}");
            }
        }

        if (_constraints.Length > 0)
        {
            text.Append(CultureInfo.InvariantCulture, $"; P(constraints) {probability:0.00}");
        }

        return new Proposal(rank, formula, z, fractions, basis, mean, std, probability, value, supply.Production(z, amounts), supply.Reserves(z, amounts), text.ToString(), poolRow);
    }

    private static string Fmt(double v) => v.ToString("G4", CultureInfo.InvariantCulture);

    /// <summary>Per-thread buffers of a tile.</summary>
    internal sealed class Workspace
    {
        public Workspace(int rows, int width, int properties, int members)
        {
            Features = new float[rows * width];
            Scratch = new float[rows * members];
            Mean = [.. Enumerable.Range(0, properties).Select(_ => new double[rows])];
            Std = [.. Enumerable.Range(0, properties).Select(_ => new double[rows])];
            Value = new double[rows];
            Probability = new double[rows];
        }

        public float[] Features { get; }

        public float[] Scratch { get; }

        public double[][] Mean { get; }

        public double[][] Std { get; }

        public double[] Value { get; }

        public double[] Probability { get; }
    }
}
