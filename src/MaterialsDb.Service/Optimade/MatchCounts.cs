using Microsoft.Extensions.Caching.Memory;

namespace MaterialsDb.Service.Optimade;

/// <summary>
/// How many entries a filter matched for a viewer at a database version (<c>meta.data_returned</c>). Entries as of a
/// version never change, so a count is reused by every later page of the same query; keyed by the viewer's tenant, a
/// count never reaches another tenant.
/// </summary>
public sealed class MatchCounts : IDisposable
{
    private readonly MemoryCache _counts = new(new MemoryCacheOptions { SizeLimit = 100_000 });

    /// <summary>The count remembered for a query, if any.</summary>
    public long? TryGet((string Tenant, long Version, string Filter) key) => _counts.TryGetValue(key, out long n) ? n : null;

    /// <summary>Remembers a count; returns it.</summary>
    public long Remember((string Tenant, long Version, string Filter) key, long matching)
    {
        _counts.Set(key, matching, new MemoryCacheEntryOptions { Size = 1, SlidingExpiration = TimeSpan.FromMinutes(30) });
        return matching;
    }

    /// <inheritdoc />
    public void Dispose() => _counts.Dispose();
}
