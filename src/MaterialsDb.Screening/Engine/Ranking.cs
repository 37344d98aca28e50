using MaterialsDb.Screening.Spec;

namespace MaterialsDb.Screening.Engine;

/// <summary>
/// The order of the results: optionally by the probability that every constraint holds (descending), then by
/// lexicographic keys, a weighted objective (descending) or Pareto front (ascending), and finally by the candidate's
/// place in the stream — a total order, so results never depend on thread count or tile size.
/// </summary>
public sealed class Ranking : IComparer<CandidateRow>
{
    /// <summary>Pareto ranking is quadratic in the survivors; beyond this many it refuses.</summary>
    public const int MaxParetoSurvivors = 50_000;

    private readonly (int Index, bool Descending)[] _keys;
    private readonly (int Index, double Weight)[] _objective;
    private readonly int _probability;
    private readonly int _scoreIndex;

    /// <summary>Binds <paramref name="spec"/>'s rank section.</summary>
    public Ranking(ScreeningSpec spec, Quantities quantities)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(quantities);
        var rank = spec.Rank;
        // Probabilities rank highest first; '-' reverses a key's natural order.
        static (int, bool) Key(Quantities q, string k) => (q[k.TrimStart('-')], k.StartsWith('-') != ScreeningSpec.Probabilities.Contains(k.TrimStart('-')));
        _keys = [.. (rank?.By ?? rank?.Pareto ?? []).Select(k => Key(quantities, k))];
        _objective = [.. (rank?.Objective ?? new Dictionary<string, double>()).OrderBy(w => w.Key, StringComparer.Ordinal).Select(w => (quantities[w.Key], w.Value))];
        IsPareto = rank?.Pareto is not null;
        _probability = rank?.Uncertainty == true ? quantities[Quantities.Probability] : -1;
        _scoreIndex = quantities.IndexOf(Quantities.Score);
    }

    /// <summary>True when results are ranked by Pareto fronts (all survivors are kept until the end).</summary>
    public bool IsPareto { get; }

    /// <inheritdoc />
    public int Compare(CandidateRow? x, CandidateRow? y)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(y);
        int c;
        if (_probability >= 0 && (c = Descending(x.Values[_probability], y.Values[_probability])) != 0)
        {
            return c;
        }

        if (IsPareto && (c = x.Front.CompareTo(y.Front)) != 0)
        {
            return c;
        }

        if (_objective.Length > 0 && (c = Descending(Score(x.Values), Score(y.Values))) != 0)
        {
            return c;
        }

        foreach (var (index, descending) in _keys)
        {
            c = descending ? Descending(x.Values[index], y.Values[index]) : Ascending(x.Values[index], y.Values[index]);
            if (c != 0)
            {
                return c;
            }
        }

        return x.Sequence.CompareTo(y.Sequence);
    }

    /// <summary>
    /// The score column: the weighted objective, or the value of the first <c>by</c> key (NaN without a rank section);
    /// for Pareto ranking the front, filled in by <see cref="AssignFronts"/>.
    /// </summary>
    public double Score(ReadOnlySpan<double> values)
    {
        if (_objective.Length > 0)
        {
            var sum = 0.0;
            foreach (var (index, weight) in _objective)
            {
                sum += weight * values[index];
            }

            return sum;
        }

        return !IsPareto && _keys.Length > 0 ? values[_keys[0].Index] : double.NaN;
    }

    /// <summary>Assigns <see cref="CandidateRow.Front"/>: 0 for the non-dominated rows, 1 for those dominated only by front 0, ….</summary>
    /// <exception cref="SpecException">More than <see cref="MaxParetoSurvivors"/> rows: the spec must constrain more.</exception>
    public void AssignFronts(List<CandidateRow> rows)
    {
        ArgumentNullException.ThrowIfNull(rows);
        if (rows.Count > MaxParetoSurvivors)
        {
            throw new SpecException([$"rank.pareto: {rows.Count:N0} candidates pass the constraints; Pareto ranking takes at most {MaxParetoSurvivors:N0}. Tighten the constraints or rank by 'by' or 'objective'"]);
        }

        var remaining = Enumerable.Range(0, rows.Count).ToList();
        for (var front = 0; remaining.Count > 0; front++)
        {
            var current = remaining.Where(i => !remaining.Any(j => j != i && Dominates(rows[j], rows[i]))).ToList();
            foreach (var i in current)
            {
                rows[i].Front = front;
                if (_scoreIndex >= 0)
                {
                    rows[i].Values[_scoreIndex] = front;
                }
            }

            remaining = [.. remaining.Except(current)];
        }
    }

    // Better or equal in every key and strictly better in one; NaN is worst.
    private bool Dominates(CandidateRow a, CandidateRow b)
    {
        var strictly = false;
        foreach (var (index, descending) in _keys)
        {
            var c = descending ? Descending(a.Values[index], b.Values[index]) : Ascending(a.Values[index], b.Values[index]);
            if (c > 0)
            {
                return false;
            }

            strictly |= c < 0;
        }

        return strictly;
    }

    // NaN sorts last in both directions.
    private static int Ascending(double a, double b) => double.IsNaN(a) ? (double.IsNaN(b) ? 0 : 1) : double.IsNaN(b) ? -1 : a.CompareTo(b);

    private static int Descending(double a, double b) => double.IsNaN(a) ? (double.IsNaN(b) ? 0 : 1) : double.IsNaN(b) ? -1 : b.CompareTo(a);
}
