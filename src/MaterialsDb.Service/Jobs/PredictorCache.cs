using MaterialsDb.Screening.Prediction;

namespace MaterialsDb.Service.Jobs;

/// <summary>Models for <c>POST /predict</c>, loaded once per id and shared by all requests of this node.</summary>
public sealed class PredictorCache(ResourceCache resources) : IDisposable
{
    private readonly SharedLoads<FormulaPredictor> _predictors = new();

    /// <summary>The predictor for a model id.</summary>
    /// <exception cref="Models.Packages.ModelPackageException">Unknown id or invalid package (not cached).</exception>
    public Task<FormulaPredictor> GetAsync(string id, CancellationToken cancellationToken) =>
        _predictors.GetAsync(id, key => FormulaPredictor.LoadAsync(resources.Registry.Resolve(key), resources.Store), cancellationToken);

    public void Dispose() => _predictors.Dispose();
}
