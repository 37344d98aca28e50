using System.Diagnostics;
using MaterialsDb.Chemistry;
using MaterialsDb.Models.Packages;
using MaterialsDb.Stability;

namespace MaterialsDb.Screening.Engine;

/// <summary>
/// One thread's share of a tile, run through the cascade in blocks of <see cref="BlockRows"/> candidates: element
/// filters → supply risk → features → models (each constraint applied as soon as its quantity exists) → hull →
/// survivors. All buffers are allocated once per worker; only survivors allocate.
/// </summary>
internal sealed class TileWorker : IDisposable
{
    /// <summary>Candidates per block: a block's features (≤ 249 floats each) stay around 1 MB, inside L2.</summary>
    public const int BlockRows = 1024;

    private readonly ScreeningPlan _plan;
    private readonly int _q;
    private readonly CompositionBatch _work = new(BlockRows);
    private readonly int[] _tileRow = new int[BlockRows];
    private readonly bool[] _alive = new bool[BlockRows];
    private readonly double[] _values;
    private long _firstSequence;
    private readonly Dictionary<string, (float[] Buffer, int Width)> _features = [];
    private readonly OnnxPredictor[] _predictors;
    private readonly float[] _mean = new float[BlockRows];
    private readonly float[] _std = new float[BlockRows];
    private readonly int[] _picked = new int[BlockRows];
    private readonly double[] _eForm = new double[BlockRows];
    private readonly double[] _eAbove = new double[BlockRows];
    private readonly double[] _hull = new double[BlockRows];
    private double[] _fractions = new double[BlockRows * 4];
    private readonly int _hhiP, _hhiR, _eAboveIndex, _eAboveStd, _hullIndex, _pStable, _formation, _formationStd, _probability, _score;

    public TileWorker(ScreeningPlan plan)
    {
        _plan = plan;
        _q = plan.Quantities.Count;
        _values = new double[BlockRows * _q];
        foreach (var preset in plan.Presets)
        {
            var width = plan.Resources.Featurizers[preset].FeatureLabels.Count;
            _features[preset] = (new float[BlockRows * width], width);
        }

        _predictors = [.. plan.Models.Select(m => m.Model.CreatePredictor(BlockRows))];
        _hhiP = plan.Quantities[Quantities.HhiProduction];
        _hhiR = plan.Quantities[Quantities.HhiReserve];
        _eAboveIndex = plan.Quantities.IndexOf(Quantities.EAboveHull);
        _eAboveStd = plan.Quantities.IndexOf(Quantities.EAboveHull + "_std");
        _hullIndex = plan.Quantities.IndexOf(Quantities.HullEnergy);
        _pStable = plan.Quantities.IndexOf(Quantities.PStable);
        _formation = plan.Quantities.StabilityModel is { } f ? plan.Quantities[f] : -1;
        _formationStd = plan.Quantities.StabilityModel is { } g ? plan.Quantities[g + "_std"] : -1;
        _score = plan.Quantities[Quantities.Score];
        _probability = plan.Quantities[Quantities.Probability];
        Counts = new long[plan.StageNames.Count];
        Ticks = new long[plan.StageNames.Count];
    }

    /// <summary>Candidates that passed each stage (see <see cref="ScreeningPlan.StageNames"/>).</summary>
    public long[] Counts { get; }

    /// <summary>Stopwatch ticks spent in each stage.</summary>
    public long[] Ticks { get; }

    /// <summary>Runs rows [<paramref name="start"/>, <paramref name="end"/>) of <paramref name="tile"/>; appends survivors in row order.</summary>
    public void Process(CompositionBatch tile, int start, int end, long firstSequence, string?[]? sourceFormulas, List<CandidateRow> survivors, CancellationToken cancellationToken)
    {
        for (var s = start; s < end; s += BlockRows)
        {
            cancellationToken.ThrowIfCancellationRequested();
            _firstSequence = firstSequence;
            ProcessBlock(tile, s, Math.Min(end, s + BlockRows), firstSequence, sourceFormulas, survivors);
        }
    }

    public void Dispose()
    {
        foreach (var p in _predictors)
        {
            p.Dispose();
        }
    }

    private void ProcessBlock(CompositionBatch tile, int start, int end, long firstSequence, string?[]? sourceFormulas, List<CandidateRow> survivors)
    {
        var clock = Stopwatch.GetTimestamp();
        var stage = 0;
        Counts[stage] += end - start;
        _work.Clear();
        var n = 0;
        var afterElements = 0;
        for (var r = start; r < end; r++)
        {
            if (tile.IsEmpty(r) || HasExcluded(tile.RowAtomicNumbers(r)))
            {
                continue;
            }

            afterElements++;
            var z = tile.RowAtomicNumbers(r);
            var amounts = tile.RowAmounts(r);
            var row = _values.AsSpan(n * _q, _q);
            row.Fill(double.NaN);
            row[_hhiP] = _plan.Resources.Supply.Production(z, amounts);
            row[_hhiR] = _plan.Resources.Supply.Reserves(z, amounts);
            if (!_plan.Constraints.Holds(_hhiP, row[_hhiP]) || !_plan.Constraints.Holds(_hhiR, row[_hhiR]))
            {
                continue;
            }

            _work.AddRow(tile, r);
            _tileRow[n] = r;
            _alive[n] = true;
            n++;
        }

        Counts[++stage] += afterElements;
        Counts[++stage] += n;
        clock = Lap(clock, stage);
        if (n == 0)
        {
            return;
        }

        foreach (var preset in _plan.Presets)
        {
            var (buffer, width) = _features[preset];
            _plan.Resources.Featurizers[preset].Featurize(_work, 0, n, buffer.AsSpan(0, n * width));
        }

        Counts[++stage] += n;
        clock = Lap(clock, stage);

        for (var m = 0; m < _plan.Models.Count; m++)
        {
            var model = _plan.Models[m];
            var (buffer, width) = _features[model.Preset];
            var predictor = _predictors[m];
            var picked = 0;
            for (var i = 0; i < n; i++)
            {
                if (_alive[i])
                {
                    buffer.AsSpan(i * width, width).CopyTo(predictor.Input(picked + 1)[(picked * width)..]);
                    _picked[picked++] = i;
                }
            }

            predictor.Run(picked, _mean, _std);
            var passed = 0;
            for (var j = 0; j < picked; j++)
            {
                var i = _picked[j];
                _values[(i * _q) + model.Mean] = _mean[j];
                _values[(i * _q) + model.Std] = _std[j];
                if (_plan.Constraints.Holds(model.Mean, _mean[j]))
                {
                    passed++;
                }
                else
                {
                    _alive[i] = false;
                }
            }

            Counts[++stage] += passed;
            clock = Lap(clock, stage);
            if (model.IsStability)
            {
                Counts[++stage] += Hull(n);
                clock = Lap(clock, stage);
            }
        }

        for (var i = 0; i < n; i++)
        {
            if (!_alive[i])
            {
                continue;
            }

            var values = _values.AsSpan(i * _q, _q).ToArray();
            values[_probability] = _plan.Constraints.Probability(values);
            values[_score] = _plan.Ranking.Score(values);
            var r = _tileRow[i];
            survivors.Add(new CandidateRow(firstSequence + r, _work.RowAtomicNumbers(i).ToArray(), _work.RowAmounts(i).ToArray(), values, sourceFormulas?[r]));
        }
    }

    // Energy above hull for the alive rows, one batched (SIMD) hull query per run of rows in the same chemical system;
    // applies the e_above_hull constraint and returns how many pass it.
    private int Hull(int n)
    {
        var hulls = _plan.Hulls!;
        var passed = 0;
        var i = 0;
        while (i < n)
        {
            if (!_alive[i])
            {
                i++;
                continue;
            }

            // The run: following alive rows with the same element set.
            var system = Sorted(_work.RowAtomicNumbers(i));
            var count = 0;
            var j = i;
            for (; j < n; j++)
            {
                if (!_alive[j])
                {
                    continue;
                }

                if (!SameSet(_work.RowAtomicNumbers(j), system))
                {
                    break;
                }

                _picked[count++] = j;
            }

            var diagram = hulls.For(system);
            var k = system.Length;
            if (_fractions.Length < k * count)
            {
                _fractions = new double[k * BlockRows];
            }

            var fractions = _fractions.AsSpan(0, k * count);
            for (var c = 0; c < count; c++)
            {
                var row = _picked[c];
                var z = _work.RowAtomicNumbers(row);
                var f = _work.RowFractions(row);
                for (var e = 0; e < z.Length; e++)
                {
                    fractions[(Array.IndexOf(system, z[e]) * count) + c] = f[e];
                }

                _eForm[c] = _values[(row * _q) + _formation];
            }

            diagram.GetEAboveHull(fractions, _eForm.AsSpan(0, count), _eAbove.AsSpan(0, count), _hull.AsSpan(0, count));
            for (var c = 0; c < count; c++)
            {
                var row = _picked[c];
                if (_plan.BelowHull is { } below && _eAbove[c] < -PhaseDiagram.StabilityTolerance)
                {
                    below.Add((_firstSequence + _tileRow[row], _work.RowAtomicNumbers(row).ToArray(), _work.RowAmounts(row).ToArray(), _eForm[c]));
                }
                else if (_plan.WithCandidates && _eAbove[c] <= PhaseDiagram.StabilityTolerance)
                {
                    // On the combined hull, possibly as its own vertex: judge it against its competitors (rare rows only).
                    var composition = _work[row];
                    _hull[c] = _plan.HullFor(system, composition).GetHullEnergy(composition);
                    _eAbove[c] = _eForm[c] - _hull[c];
                }

                _values[(row * _q) + _eAboveIndex] = _eAbove[c];
                _values[(row * _q) + _eAboveStd] = _values[(row * _q) + _formationStd] * _plan.StabilityStdFactor; // measured on held-out systems
                _values[(row * _q) + _hullIndex] = _hull[c];
                _values[(row * _q) + _pStable] = StabilityProbability(_eAbove[c], _values[(row * _q) + _eAboveStd], _plan.Spec.Stability!.PStableThreshold);
                if (_plan.Constraints.Holds(_eAboveIndex, _eAbove[c]))
                {
                    passed++;
                }
                else
                {
                    _alive[row] = false;
                }
            }

            i = j;
        }

        return passed;
    }

    private bool HasExcluded(ReadOnlySpan<byte> z)
    {
        foreach (var e in z)
        {
            if (_plan.Excluded[e])
            {
                return true;
            }
        }

        return false;
    }

    private static int[] Sorted(ReadOnlySpan<byte> z)
    {
        var system = new int[z.Length];
        for (var e = 0; e < z.Length; e++)
        {
            system[e] = z[e];
        }

        Array.Sort(system);
        return system;
    }

    private static bool SameSet(ReadOnlySpan<byte> z, int[] system)
    {
        if (z.Length != system.Length)
        {
            return false;
        }

        foreach (var e in z)
        {
            if (Array.IndexOf(system, e) < 0)
            {
                return false;
            }
        }

        return true;
    }

    private long Lap(long since, int stage)
    {
        var now = Stopwatch.GetTimestamp();
        Ticks[stage] += now - since;
        return now;
    }

    /// <summary>
    /// P(e_above_hull ≤ <paramref name="threshold"/>) for a normal error of standard deviation <paramref name="sigma"/>;
    /// a zero σ makes it 0 or 1. The hull's rounding (1e-8 eV/atom) counts as on the hull.
    /// </summary>
    public static double StabilityProbability(double eAboveHull, double sigma, double threshold)
    {
        if (double.IsNaN(eAboveHull) || double.IsNaN(sigma))
        {
            return double.NaN;
        }

        var margin = threshold + PhaseDiagram.StabilityTolerance - eAboveHull;
        return sigma > 0 ? MathNet.Numerics.Distributions.Normal.CDF(0, 1, margin / sigma) : margin >= 0 ? 1 : 0;
    }
}
