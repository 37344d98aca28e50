using MaterialsDb.Screening.Spec;
using MathNet.Numerics.Distributions;

namespace MaterialsDb.Screening.Engine;

/// <summary>The spec's constraints bound to quantity indices: hard checks on the value, and the probability that all hold.</summary>
public sealed class ConstraintSet
{
    private readonly (string Name, int Value, int Std, Bound Bound, bool Classifier)[] _all;

    /// <summary>Binds <paramref name="spec"/>'s constraints to <paramref name="quantities"/>.</summary>
    /// <param name="spec">The spec.</param>
    /// <param name="quantities">Where each quantity is.</param>
    /// <param name="classifiers">Ids of classifier models: their value is a probability, which the constraint bounds.</param>
    public ConstraintSet(ScreeningSpec spec, Quantities quantities, IReadOnlySet<string>? classifiers = null)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(quantities);
        _all = [.. spec.Constraints.OrderBy(c => c.Key, StringComparer.Ordinal).Select(c => (c.Key, quantities[c.Key], quantities.StdOf(c.Key), c.Value, classifiers?.Contains(c.Key) == true))];
    }

    /// <summary>Constraint names.</summary>
    public IEnumerable<string> Names => _all.Select(c => c.Name);

    /// <summary>Whether the quantity at <paramref name="index"/> is constrained.</summary>
    public bool Constrains(int index) => _all.Any(c => c.Value == index);

    /// <summary>True when <paramref name="value"/> satisfies the constraint on quantity <paramref name="index"/> (or there is none). NaN fails.</summary>
    public bool Holds(int index, double value)
    {
        foreach (var c in _all)
        {
            if (c.Value == index && !Within(c.Bound, value))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>
    /// Probability that every constraint holds when each predicted quantity is normal with its mean and σ (deterministic
    /// quantities count 1 or 0); constraints are taken as independent. A classifier's value is already the probability
    /// of its class: a lower bound on it asks for class 1 and counts P, an upper bound asks for class 0 and counts 1 − P.
    /// </summary>
    public double Probability(ReadOnlySpan<double> values)
    {
        var p = 1.0;
        foreach (var c in _all)
        {
            var mean = values[c.Value];
            if (c.Classifier)
            {
                p *= !Within(c.Bound, mean) ? 0 : (c.Bound.Min, c.Bound.Max) switch
                {
                    (not null, null) => mean,
                    (null, not null) => 1 - mean,
                    _ => 1,
                };
                continue;
            }

            var sigma = c.Std >= 0 ? values[c.Std] : 0;
            if (!(sigma > 0))
            {
                p *= Within(c.Bound, mean) ? 1 : 0;
                continue;
            }

            var upper = c.Bound.Max is { } max ? Normal.CDF(mean, sigma, max) : 1;
            var lower = c.Bound.Min is { } min ? Normal.CDF(mean, sigma, min) : 0;
            p *= Math.Max(0, upper - lower);
        }

        return p;
    }

    private static bool Within(Bound b, double v) => !double.IsNaN(v) && !(b.Min is { } min && v < min) && !(b.Max is { } max && v > max);
}
