namespace MaterialsDb.Training;

/// <summary>What the project's network trainers share: the AdamW update and seeded normal draws for initial weights.</summary>
internal static class NetworkMath
{
    private const float Beta1 = 0.9f;
    private const float Beta2 = 0.999f;

    /// <summary>The bias corrections 1 − β₁ᵗ and 1 − β₂ᵗ of step <paramref name="step"/> (from 1).</summary>
    public static (float C1, float C2) Corrections(int step) => (1 - MathF.Pow(Beta1, step), 1 - MathF.Pow(Beta2, step));

    /// <summary>One AdamW update of <paramref name="parameters"/> with its moment estimates; decay is decoupled (AdamW).</summary>
    public static void Adam(float[] parameters, float[] gradient, float[] m, float[] v, float learningRate, float weightDecay, float c1, float c2)
    {
        for (var i = 0; i < parameters.Length; i++)
        {
            var g = gradient[i];
            m[i] = (Beta1 * m[i]) + ((1 - Beta1) * g);
            v[i] = (Beta2 * v[i]) + ((1 - Beta2) * g * g);
            parameters[i] -= learningRate * ((m[i] / c1 / (MathF.Sqrt(v[i] / c2) + 1e-8f)) + (weightDecay * parameters[i]));
        }
    }

    /// <summary><paramref name="count"/> normal draws of deviation <paramref name="std"/>.</summary>
    public static float[] Normal(Random random, int count, double std)
    {
        var values = new float[count];
        for (var i = 0; i < count; i++)
        {
            // Box–Muller: a normal draw from two uniform ones.
            var u = 1 - random.NextDouble();
            values[i] = (float)(std * Math.Sqrt(-2 * Math.Log(u)) * Math.Cos(2 * Math.PI * random.NextDouble()));
        }

        return values;
    }
}
