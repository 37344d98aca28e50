using MaterialsDb.Screening.Prediction;

namespace MaterialsDb.Service.Jobs;

/// <summary>Models for <c>POST /predict</c>, loaded once per id and shared by all requests of this node.</summary>
public sealed class PredictorCache(ResourceCache resources) : IDisposable
{
    private readonly SharedLoads<FormulaPredictor> _predictors = new();

    /// <summary>The predictor for a registered model id (never a path); dispose the lease when the request is done.</summary>
    /// <exception cref="Models.Packages.ModelPackageException">Unknown id or invalid package (not cached).</exception>
    public async Task<IPredictorLease> GetAsync(string id, CancellationToken cancellationToken) =>
        new Lease(await _predictors.GetAsync(id, key => FormulaPredictor.LoadAsync(resources.Registry.ResolveId(key), resources.Store), cancellationToken).ConfigureAwait(false));

    public void Dispose() => _predictors.Dispose();

    /// <summary>A request's hold on a predictor.</summary>
    public interface IPredictorLease : IDisposable
    {
        /// <summary>The predictor.</summary>
        FormulaPredictor Predictor { get; }
    }

    private sealed class Lease(SharedLoads<FormulaPredictor>.Lease inner) : IPredictorLease
    {
        public FormulaPredictor Predictor => inner.Value;

        public void Dispose() => inner.Dispose();
    }
}
