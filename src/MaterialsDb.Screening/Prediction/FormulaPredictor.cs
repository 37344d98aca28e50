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

    /// <summary>Rows parsed, featurized and predicted together: a block's features stay in cache, as in a screening.</summary>
    public const int BlockRows = 1024;

    /// <summary>
    /// Parses, featurizes and predicts every formula, block by block on every core (memory does not grow with the
    /// list); bad rows (unparsable, or declined by the model) get their error and NaN, never an exception.
    /// </summary>
    public FormulaPredictions Predict(IReadOnlyList<string?> formulas, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(formulas);
        var n = formulas.Count;
        var errors = new string?[n];
        var (mean, std) = (new float[n], new float[n]);
        var options = new ParallelOptions { CancellationToken = cancellationToken };
        Parallel.For(
            0,
            (n + BlockRows - 1) / BlockRows,
            options,
            () => (Batch: new CompositionBatch(BlockRows), Predictor: Model.CreatePredictor(BlockRows)),
            (block, _, local) =>
            {
                var start = block * BlockRows;
                var rows = Math.Min(BlockRows, n - start);
                local.Batch.Clear();
                for (var i = start; i < start + rows; i++)
                {
                    if (!local.Batch.TryAdd(formulas[i] ?? string.Empty, out var error))
                    {
                        local.Batch.AddEmpty();
                        errors[i] = error.Message;
                    }
                }

                Featurizer.Featurize(local.Batch, 0, rows, local.Predictor.Input(rows));
                local.Predictor.Run(rows, mean.AsSpan(start, rows), std.AsSpan(start, rows));
                return local;
            },
            local => local.Predictor.Dispose());
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
