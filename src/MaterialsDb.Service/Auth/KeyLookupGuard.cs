using System.Net;
using Microsoft.Extensions.Caching.Memory;

namespace MaterialsDb.Service.Auth;

/// <summary>
/// Keeps junk keys from costing a store lookup each: hashes known to be unknown are remembered (bounded, for a few
/// minutes; a key is 256 random bits, so an unknown hash never becomes valid later), and a client address that keeps
/// presenting unknown keys is refused without a lookup until its minute is over.
/// </summary>
public sealed class KeyLookupGuard(ServiceOptions options) : IDisposable
{
    private static readonly TimeSpan BadKeyMemory = TimeSpan.FromMinutes(5);
    private readonly MemoryCache _cache = new(new MemoryCacheOptions { SizeLimit = 100_000 });

    /// <summary>Store lookups made (tests read it).</summary>
    public long Lookups => Interlocked.Read(ref _lookups);

    private long _lookups;

    /// <summary>True when this hash was looked up recently and not found.</summary>
    public bool IsKnownBad(string sha256) => _cache.TryGetValue("bad:" + sha256, out _);

    /// <summary>True when <paramref name="client"/> may still have an unknown key looked up this minute; counts the lookup.</summary>
    public bool TryStartLookup(IPAddress? client)
    {
        var failures = _cache.Get<Counter>(Key(client));
        if (failures is not null && failures.Value >= options.FailedKeyLookupsPerMinute)
        {
            return false;
        }

        Interlocked.Increment(ref _lookups);
        return true;
    }

    /// <summary>Remembers a failed lookup: the hash, and one more failure for the client address.</summary>
    public void RecordFailure(string sha256, IPAddress? client)
    {
        _cache.Set("bad:" + sha256, true, new MemoryCacheEntryOptions { Size = 1, AbsoluteExpirationRelativeToNow = BadKeyMemory });
        var counter = _cache.GetOrCreate(Key(client), entry =>
        {
            entry.Size = 1;
            entry.AbsoluteExpirationRelativeToNow = TimeSpan.FromMinutes(1);
            return new Counter();
        })!;
        Interlocked.Increment(ref counter.Value);
    }

    public void Dispose() => _cache.Dispose();

    private static string Key(IPAddress? client) => "ip:" + (client?.ToString() ?? "unknown");

    private sealed class Counter
    {
        public int Value;
    }
}
