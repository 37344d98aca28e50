using MaterialsDb.Design.Spec;
using MathNet.Numerics;

namespace MaterialsDb.Design.Acquisition;

/// <summary>
/// Single-objective acquisition values from a prediction's mean and σ, in the frame where larger is better. "Best" is
/// the best observed utility (<see cref="Objective.Utility"/>): the highest value for max, the lowest for min.
/// </summary>
/// <remarks>
/// For a window goal there is nothing to improve on once a value lies inside, so expected improvement and probability
/// of improvement both become the probability of landing in the window; greedy aims at the window's centre and UCB
/// rewards σ beside the distance of the mean from the window.
/// </remarks>
public static class Acquisitions
{
    private const double Sqrt2 = 1.4142135623730951;
    private const double InvSqrt2Pi = 0.3989422804014327;

    /// <summary>The standard normal CDF.</summary>
    public static double Phi(double x) => 0.5 * SpecialFunctions.Erfc(-x / Sqrt2);

    /// <summary>The standard normal density.</summary>
    public static double Density(double x) => InvSqrt2Pi * Math.Exp(-0.5 * x * x);

    /// <summary>P(low ≤ Y ≤ high) for Y ~ N(mean, σ²); a null bound is open. σ = 0 gives 0 or 1.</summary>
    public static double Within(double mean, double sd, double? low, double? high)
    {
        if (!(sd > 0))
        {
            return (low is null || mean >= low) && (high is null || mean <= high) ? 1 : 0;
        }

        var upper = high is { } h ? Phi((h - mean) / sd) : 1;
        var lower = low is { } l ? Phi((l - mean) / sd) : 0;
        return Math.Max(0, upper - lower);
    }

    /// <summary>The acquisition value of one candidate (random draws come from <paramref name="uniform"/>).</summary>
    public static double Value(AcquisitionKind kind, Objective objective, double mean, double sd, double best, double kappa, double uniform)
    {
        ArgumentNullException.ThrowIfNull(objective);
        if (kind == AcquisitionKind.Random)
        {
            return uniform;
        }

        if (kind == AcquisitionKind.Explore)
        {
            return sd;
        }

        if (objective.Goal == Goal.Window)
        {
            var centre = (objective.Low + objective.High) / 2;
            return kind switch
            {
                AcquisitionKind.Greedy => -Math.Abs(mean - centre),
                AcquisitionKind.Ucb => -objective.WindowDistance(mean) + (kappa * sd),
                _ => Within(mean, sd, objective.Low, objective.High),
            };
        }

        var u = objective.Utility(mean);
        return kind switch
        {
            AcquisitionKind.Greedy => u,
            AcquisitionKind.Ucb => u + (kappa * sd),
            AcquisitionKind.Pi => sd > 0 ? Phi((u - best) / sd) : (u > best ? 1 : 0),
            _ => ExpectedImprovement(u, sd, best),
        };
    }

    /// <summary>E[max(U − best, 0)] for U ~ N(u, σ²).</summary>
    public static double ExpectedImprovement(double u, double sd, double best)
    {
        if (!(sd > 0))
        {
            return Math.Max(u - best, 0);
        }

        var z = (u - best) / sd;
        return Math.Max(0, sd * ((z * Phi(z)) + Density(z)));
    }
}
