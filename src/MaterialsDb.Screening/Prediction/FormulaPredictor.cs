using MaterialsDb.Chemistry;
using MaterialsDb.Data.Downloads;
using MaterialsDb.Features;
using MaterialsDb.Models.ElementSources;
using MaterialsDb.Models.Packages;
using MaterialsDb.Screening.Resources;

namespace MaterialsDb.Screening.Prediction;

/// <summary>Predictions for a list of formulas: mean, σ and, for a formula that does not parse, the parser's message (and NaN).</summary>
public sealed record FormulaPredictions(float[] Mean, float[] Std, string?[] Errors);

/// <summary>
/// A model package with the featurizer its manifest names, ready to predict formulas — what <c>materialsdb predict</c>
/// and <c>POST /predict</c> both do.
/// </summary>
public sealed class FormulaPredictor : IDisposable
{
    private FormulaPredictor(OnnxModel model, ICompositionFeaturizer featurizer)
    {
        Model = model;
        Featurizer = featurizer;
    }

    /// <summary>The loaded package.</summary>
    public OnnxModel Model { get; }

    /// <summary>The featurizer of the package's preset.</summary>
    public ICompositionFeaturizer Featurizer { get; }

    /// <summary>Loads the package in <paramref name="folder"/> with the Magpie element data of <paramref name="store"/>.</summary>
    /// <exception cref="ModelPackageException">The package is invalid; the message names the mismatch.</exception>
    public static async Task<FormulaPredictor> LoadAsync(string folder, DatasetStore store, CancellationToken cancellationToken = default)
    {
        var preset = ModelManifest.Read(Path.Combine(folder, ModelRegistry.ManifestFile)).Preset;
        var featurizer = FeaturizerPresets.Create(preset, await MagpieElementData.LoadAsync(store, cancellationToken: cancellationToken).ConfigureAwait(false));
        return new FormulaPredictor(OnnxModel.Load(folder, featurizer), featurizer);
    }

    /// <summary>Parses, featurizes and predicts every formula; bad rows (unparsable, or declined by the model) get their error and NaN, never an exception.</summary>
    public FormulaPredictions Predict(IReadOnlyList<string?> formulas, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(formulas);
        var n = formulas.Count;
        var batch = new CompositionBatch(Math.Max(1, n));
        var errors = new string?[n];
        for (var i = 0; i < n; i++)
        {
            if (!batch.TryAdd(formulas[i] ?? string.Empty, out var error))
            {
                batch.AddEmpty();
                errors[i] = error.Message;
            }
        }

        var features = new float[n * Featurizer.FeatureLabels.Count];
        BatchFeaturizer.Featurize(Featurizer, batch, features, cancellationToken: cancellationToken);
        var (mean, std) = (new float[n], new float[n]);
        Model.Predict(features, n, mean, std);
        for (var i = 0; i < n; i++)
        {
            // A parsed formula the model declines (an attention model's graph gives NaN beyond its element count).
            if (errors[i] is null && float.IsNaN(mean[i]))
            {
                errors[i] = $"Model '{Model.Manifest.Id}' gives no prediction for '{formulas[i]}' (it has more elements than the model knows, or features it cannot use).";
            }
        }

        return new FormulaPredictions(mean, std, errors);
    }

    public void Dispose() => Model.Dispose();
}
