using MaterialsDb.Design.Spec;

namespace MaterialsDb.Design.Surrogate;

/// <summary>Fits the surrogate a spec names.</summary>
public static class Surrogates
{
    /// <summary>Fits one property's surrogate on row-major <paramref name="features"/> and finite <paramref name="targets"/>.</summary>
    /// <param name="features">Row-major features of the observations.</param>
    /// <param name="width">Features per row.</param>
    /// <param name="targets">One finite value per observation.</param>
    /// <param name="spec">The surrogate's settings.</param>
    /// <param name="seed">Seeds the resamples.</param>
    /// <param name="property">Names the property in errors.</param>
    /// <param name="goal">The objective on this property, if there is one: with <see cref="SurrogateSpec.Focus"/>, it ranks the observations.</param>
    public static ISurrogate Fit(float[] features, int width, double[] targets, SurrogateSpec spec, int seed, string property = "the property", Objective? goal = null)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(targets);
        var weights = goal is null || spec.Focus <= 0 ? null : FocusWeights(targets, goal, spec.Focus);
        return spec.Model switch
        {
            SurrogateModel.Linear => LinearSurrogate.Fit(features, width, targets, property, weights),
            _ => EnsembleSurrogate.Fit(features, width, targets, spec, seed, property, weights),
        };
    }

    /// <summary>(r / n)^<paramref name="focus"/> per observation, r its rank by the goal's utility (1 the worst; ties share their mean rank).</summary>
    public static double[] FocusWeights(double[] targets, Objective goal, double focus)
    {
        ArgumentNullException.ThrowIfNull(targets);
        ArgumentNullException.ThrowIfNull(goal);
        var n = targets.Length;
        var utility = targets.Select(goal.Utility).ToArray();
        var order = Enumerable.Range(0, n).OrderBy(i => utility[i]).ToArray();
        var weights = new double[n];
        for (var start = 0; start < n;)
        {
            var end = start;
            while (end + 1 < n && utility[order[end + 1]] == utility[order[start]])
            {
                end++;
            }

            var rank = ((start + end) / 2.0) + 1;
            for (var k = start; k <= end; k++)
            {
                weights[order[k]] = Math.Pow(rank / n, focus);
            }

            start = end + 1;
        }

        return weights;
    }
}
