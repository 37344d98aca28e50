using System.Collections.Concurrent;

namespace MaterialsDb.Service.Jobs;

/// <summary>
/// Values loaded once per key and shared by every caller; concurrent callers of one key wait for the same load. A
/// failed load is not kept, so the next caller tries again. Values still cached are disposed with the cache.
/// </summary>
internal sealed class SharedLoads<TValue> : IDisposable
    where TValue : IDisposable
{
    private readonly ConcurrentDictionary<string, Lazy<Task<TValue>>> _entries = new(StringComparer.Ordinal);

    /// <summary>The value for <paramref name="key"/>, loading it with <paramref name="load"/> if no caller has.</summary>
    public async Task<TValue> GetAsync(string key, Func<string, Task<TValue>> load, CancellationToken cancellationToken)
    {
        var lazy = _entries.GetOrAdd(key, k => new Lazy<Task<TValue>>(() => Load(load, k)));
        try
        {
            return await lazy.Value.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception) when (lazy.Value.IsFaulted)
        {
            _entries.TryRemove(new KeyValuePair<string, Lazy<Task<TValue>>>(key, lazy));
            throw;
        }
    }

    // Async so that a load throwing before its first await still gives a faulted task (which is then not kept).
    private static async Task<TValue> Load(Func<string, Task<TValue>> load, string key) => await load(key).ConfigureAwait(false);

    /// <summary>Stops handing out the values whose keys match; callers holding them keep them (not disposed).</summary>
    public void Forget(Func<string, bool> stale)
    {
        foreach (var key in _entries.Keys.Where(stale))
        {
            _entries.TryRemove(key, out _);
        }
    }

    public void Dispose()
    {
        foreach (var lazy in _entries.Values.Where(l => l.IsValueCreated && l.Value.IsCompletedSuccessfully))
        {
            lazy.Value.Result.Dispose();
        }
    }
}
