namespace MaterialsDb.Service.Jobs;

/// <summary>
/// Values loaded once per key and shared by every caller; concurrent callers of one key wait for the same load, each
/// with its own cancellation. A failed load is not kept, so the next caller tries again. Callers hold a
/// <see cref="Lease"/>; a value that is forgotten (stale) or left when the cache is disposed is disposed as soon as its
/// last lease is released, never while a caller still uses it.
/// </summary>
internal sealed class SharedLoads<TValue> : IDisposable
    where TValue : IDisposable
{
    private readonly Lock _lock = new();
    private readonly Dictionary<string, Entry> _entries = new(StringComparer.Ordinal);
    private bool _disposed;

    /// <summary>Values currently cached (tests and the operator view read it).</summary>
    public int Count
    {
        get
        {
            lock (_lock)
            {
                return _entries.Count;
            }
        }
    }

    /// <summary>The value for <paramref name="key"/>, loading it with <paramref name="load"/> if no caller has; dispose the lease when done.</summary>
    public async Task<Lease> GetAsync(string key, Func<string, Task<TValue>> load, CancellationToken cancellationToken)
    {
        Entry entry;
        lock (_lock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (!_entries.TryGetValue(key, out entry!))
            {
                entry = new Entry(new Lazy<Task<TValue>>(() => Load(load, key)));
                _entries[key] = entry;
            }

            entry.Users++;
        }

        try
        {
            return new Lease(this, entry, await entry.Value.Value.WaitAsync(cancellationToken).ConfigureAwait(false));
        }
        catch
        {
            lock (_lock)
            {
                if (entry.Value.Value.IsFaulted && _entries.TryGetValue(key, out var current) && current == entry)
                {
                    _entries.Remove(key);
                }
            }

            Release(entry);
            throw;
        }
    }

    /// <summary>Stops handing out the values whose keys match; each is disposed when its last lease is released.</summary>
    public void Forget(Func<string, bool> stale)
    {
        ArgumentNullException.ThrowIfNull(stale);
        List<Entry> idle = [];
        lock (_lock)
        {
            foreach (var key in _entries.Keys.Where(stale).ToArray())
            {
                var entry = _entries[key];
                _entries.Remove(key);
                entry.Evicted = true;
                if (entry.Users == 0)
                {
                    idle.Add(entry);
                }
            }
        }

        idle.ForEach(DisposeValue);
    }

    public void Dispose()
    {
        lock (_lock)
        {
            _disposed = true;
        }

        Forget(_ => true);
    }

    // Async so that a load throwing before its first await still gives a faulted task (which is then not kept).
    private static async Task<TValue> Load(Func<string, Task<TValue>> load, string key) => await load(key).ConfigureAwait(false);

    private static void DisposeValue(Entry entry)
    {
        if (entry.Value.IsValueCreated && entry.Value.Value.IsCompletedSuccessfully)
        {
            entry.Value.Value.Result.Dispose();
        }
    }

    private void Release(Entry entry)
    {
        bool dispose;
        lock (_lock)
        {
            entry.Users--;
            dispose = entry.Evicted && entry.Users == 0;
        }

        if (dispose)
        {
            DisposeValue(entry);
        }
    }

    internal sealed class Entry(Lazy<Task<TValue>> value)
    {
        public Lazy<Task<TValue>> Value { get; } = value;

        public int Users { get; set; }

        public bool Evicted { get; set; }
    }

    /// <summary>A caller's hold on a cached value.</summary>
    public sealed class Lease : IDisposable
    {
        private readonly SharedLoads<TValue> _owner;
        private readonly Entry _entry;
        private int _released;

        internal Lease(SharedLoads<TValue> owner, Entry entry, TValue value)
        {
            _owner = owner;
            _entry = entry;
            Value = value;
        }

        /// <summary>The value.</summary>
        public TValue Value { get; }

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _released, 1) == 0)
            {
                _owner.Release(_entry);
            }
        }
    }
}
