using MaterialsDb.Design.Spec;

namespace MaterialsDb.Design.Surrogate;

/// <summary>Fits the surrogate a spec names.</summary>
public static class Surrogates
{
    /// <summary>Fits one property's surrogate on row-major <paramref name="features"/> and finite <paramref name="targets"/>.</summary>
    public static ISurrogate Fit(float[] features, int width, double[] targets, SurrogateSpec spec, int seed, string property = "the property")
    {
        ArgumentNullException.ThrowIfNull(spec);
        return spec.Model switch
        {
            SurrogateModel.Linear => LinearSurrogate.Fit(features, width, targets, property),
            _ => EnsembleSurrogate.Fit(features, width, targets, spec, seed, property),
        };
    }
}
