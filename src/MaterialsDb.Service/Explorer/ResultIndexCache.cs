using MaterialsDb.Data.Tables;
using MaterialsDb.Service.Jobs;
using Microsoft.Extensions.Caching.Memory;

namespace MaterialsDb.Service.Explorer;

/// <summary>
/// Indexed results of succeeded screenings, read once per node and kept while there is room (the budget counts rows).
/// A result file never changes once its screening has succeeded, so an entry is never stale.
/// </summary>
public sealed class ResultIndexCache(ResultPaths paths, ServiceOptions options) : IDisposable
{
    private readonly MemoryCache _cache = new(new MemoryCacheOptions { SizeLimit = options.ExplorerRows });

    /// <summary>The indexed result of a succeeded screening; concurrent callers share one read.</summary>
    public Task<ResultIndex> GetAsync(Guid id, CancellationToken cancellationToken)
    {
        var lazy = _cache.GetOrCreate(id, entry =>
        {
            entry.Size = 1;
            entry.SlidingExpiration = TimeSpan.FromMinutes(30);
            return new Lazy<Task<ResultIndex>>(() => LoadAsync(id));
        })!;
        return lazy.Value.WaitAsync(cancellationToken);
    }

    /// <inheritdoc />
    public void Dispose() => _cache.Dispose();

    private async Task<ResultIndex> LoadAsync(Guid id)
    {
        ResultIndex index;
        try
        {
            // Not the caller's token: other callers wait for the same read.
            var (table, metadata) = await ParquetTableReader.ReadAsync(paths.Result(id), CancellationToken.None).ConfigureAwait(false);
            index = new ResultIndex(table, metadata);
        }
        catch
        {
            // A failed read is not remembered: the next request tries again.
            _cache.Remove(id);
            throw;
        }

        // Sized by rows once known: a big result pushes out others rather than exceeding the budget.
        _cache.Set(id, new Lazy<Task<ResultIndex>>(Task.FromResult(index)), new MemoryCacheEntryOptions { Size = Math.Max(1, index.RowCount), SlidingExpiration = TimeSpan.FromMinutes(30) });
        return index;
    }
}
