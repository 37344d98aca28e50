using System.Collections.Concurrent;
using MaterialsDb.Screening.Prediction;

namespace MaterialsDb.Service.Jobs;

/// <summary>Models for <c>POST /predict</c>, loaded once per id and shared by all requests of this node.</summary>
public sealed class PredictorCache(ResourceCache resources) : IDisposable
{
    private readonly ConcurrentDictionary<string, Lazy<Task<FormulaPredictor>>> _predictors = new(StringComparer.Ordinal);

    /// <summary>The predictor for a model id.</summary>
    /// <exception cref="Models.Packages.ModelPackageException">Unknown id or invalid package (not cached).</exception>
    public async Task<FormulaPredictor> GetAsync(string id, CancellationToken cancellationToken)
    {
        var lazy = _predictors.GetOrAdd(id, key => new Lazy<Task<FormulaPredictor>>(async () => await FormulaPredictor.LoadAsync(resources.Registry.Resolve(key), resources.Store).ConfigureAwait(false)));
        try
        {
            return await lazy.Value.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception) when (lazy.Value.IsFaulted)
        {
            _predictors.TryRemove(id, out _);
            throw;
        }
    }

    public void Dispose()
    {
        foreach (var lazy in _predictors.Values.Where(l => l.IsValueCreated && l.Value.IsCompletedSuccessfully))
        {
            lazy.Value.Result.Dispose();
        }
    }
}
