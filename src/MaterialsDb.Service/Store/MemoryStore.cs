namespace MaterialsDb.Service.Store;

/// <summary>
/// The embedded mode's store: everything in process memory under one lock (lost on restart, like its Hangfire queue),
/// except keys, which may also come from a <see cref="KeyFile"/> that <c>materialsdb keys create</c> writes.
/// </summary>
public sealed class MemoryStore(KeyFile? keyFile = null) : IServiceStore
{
    private readonly Lock _lock = new();
    private readonly Dictionary<string, ApiKeyRecord> _keys = new(StringComparer.Ordinal);
    private readonly Dictionary<Guid, Entry> _screenings = [];
    private DateTime _keyFileStamp = DateTime.MinValue;

    public Task InitializeAsync(CancellationToken cancellationToken = default) => Task.CompletedTask;

    public Task AddKeyAsync(ApiKeyRecord key, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(key);
        lock (_lock)
        {
            keyFile?.Write(key);
            _keys[key.Sha256] = key;
        }

        return Task.CompletedTask;
    }

    public Task<ApiKeyRecord?> FindKeyAsync(string sha256, CancellationToken cancellationToken = default)
    {
        lock (_lock)
        {
            ReloadKeyFile();
            return Task.FromResult(_keys.GetValueOrDefault(sha256) is { Revoked: false } k ? k : null);
        }
    }

    public Task<ApiKeyRecord?> GetKeyAsync(Guid id, CancellationToken cancellationToken = default)
    {
        lock (_lock)
        {
            ReloadKeyFile();
            return Task.FromResult(_keys.Values.FirstOrDefault(k => k.Id == id && !k.Revoked));
        }
    }

    public Task<IReadOnlyList<ApiKeyRecord>> ListKeysAsync(CancellationToken cancellationToken = default)
    {
        lock (_lock)
        {
            ReloadKeyFile(force: true);
            return Task.FromResult<IReadOnlyList<ApiKeyRecord>>([.. _keys.Values.OrderBy(k => k.Created)]);
        }
    }

    public Task<bool> RevokeKeyAsync(string idOrPrefix, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(idOrPrefix);
        lock (_lock)
        {
            ReloadKeyFile(force: true);
            var matches = _keys.Values.Where(k => k.Id.ToString().StartsWith(idOrPrefix, StringComparison.OrdinalIgnoreCase)).ToArray();
            if (matches.Length != 1 || idOrPrefix.Length < 4)
            {
                return Task.FromResult(false);
            }

            var revoked = matches[0] with { Revoked = true };
            keyFile?.Write(revoked);
            _keys[revoked.Sha256] = revoked;
            return Task.FromResult(true);
        }
    }

    public Task<bool> TryAddScreeningAsync(ScreeningRecord screening, int maxActive, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(screening);
        lock (_lock)
        {
            if (_screenings.Values.Count(e => e.Record.Tenant == screening.Tenant && !States.IsFinal(e.Record.State)) >= maxActive)
            {
                return Task.FromResult(false);
            }

            _screenings.Add(screening.Id, new Entry(screening));
            return Task.FromResult(true);
        }
    }

    public Task<ScreeningRecord?> GetScreeningAsync(Guid id, CancellationToken cancellationToken = default)
    {
        lock (_lock)
        {
            return Task.FromResult(_screenings.GetValueOrDefault(id)?.Record);
        }
    }

    public Task<IReadOnlyList<ScreeningRecord>> ListScreeningsAsync(ScreeningQuery query, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        lock (_lock)
        {
            var rows = _screenings.Values.Select(e => e.Record).Where(s => s.Tenant == query.Tenant && query.Matches(s))
                .Where(s => query.After is not { } a || s.Created < a.Created || (s.Created == a.Created && s.Id.CompareTo(a.Id) < 0))
                .OrderByDescending(s => s.Created).ThenByDescending(s => s.Id).Take(query.Limit).ToArray();
            return Task.FromResult<IReadOnlyList<ScreeningRecord>>(rows);
        }
    }

    public Task<IReadOnlyList<ScreeningRecord>> ListActiveAsync(CancellationToken cancellationToken = default)
    {
        lock (_lock)
        {
            return Task.FromResult<IReadOnlyList<ScreeningRecord>>([.. _screenings.Values.Select(e => e.Record).Where(s => !States.IsFinal(s.State))]);
        }
    }

    public Task<bool> TransitionAsync(Guid id, string[] from, string state, string? error = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(from);
        lock (_lock)
        {
            if (!_screenings.TryGetValue(id, out var e) || !from.Contains(e.Record.State))
            {
                return Task.FromResult(false);
            }

            e.Record = e.Record with { State = state, Error = error ?? e.Record.Error, Updated = DateTimeOffset.UtcNow };
            return Task.FromResult(true);
        }
    }

    public Task<bool> SetPlanAsync(Guid id, long candidates, IReadOnlyList<string?> starts, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(starts);
        lock (_lock)
        {
            if (!_screenings.TryGetValue(id, out var e) || e.Record.Planned)
            {
                return Task.FromResult(false);
            }

            e.Starts = [.. starts];
            e.Record = e.Record with { Planned = true, Candidates = candidates, Chunks = starts.Count, Updated = DateTimeOffset.UtcNow };
            return Task.FromResult(true);
        }
    }

    public Task<string?> GetChunkStartAsync(Guid id, int chunk, CancellationToken cancellationToken = default)
    {
        lock (_lock)
        {
            var starts = _screenings.GetValueOrDefault(id)?.Starts ?? [];
            return Task.FromResult(chunk >= 0 && chunk < starts.Length ? starts[chunk] : null);
        }
    }

    public Task<ChunkProgress> RecordChunkAsync(Guid id, ChunkResult result, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(result);
        lock (_lock)
        {
            var e = _screenings[id];
            var recorded = e.Chunks.TryAdd(result.Chunk, result);
            if (recorded)
            {
                e.Record = e.Record with
                {
                    ChunksDone = e.Chunks.Count,
                    Processed = e.Record.Processed + result.Processed,
                    Survivors = e.Record.Survivors + result.Survivors,
                    Updated = DateTimeOffset.UtcNow,
                };
                e.Requeues = 0;
            }

            return Task.FromResult(new ChunkProgress(recorded, e.Chunks.Count, e.Record.Chunks));
        }
    }

    public Task<IReadOnlyList<ChunkResult>> GetChunksAsync(Guid id, CancellationToken cancellationToken = default)
    {
        lock (_lock)
        {
            return Task.FromResult<IReadOnlyList<ChunkResult>>(_screenings.TryGetValue(id, out var e) ? [.. e.Chunks.Values] : []);
        }
    }

    public Task<IReadOnlyList<TenantUsage>> UsageAsync(CancellationToken cancellationToken = default)
    {
        lock (_lock)
        {
            return Task.FromResult<IReadOnlyList<TenantUsage>>([.. _screenings.Values.GroupBy(e => e.Record.Tenant, StringComparer.Ordinal).OrderBy(g => g.Key, StringComparer.Ordinal)
                .Select(g => new TenantUsage(g.Key, g.Count(), g.Count(e => !States.IsFinal(e.Record.State)), g.Sum(e => e.Record.Processed), g.Sum(e => e.Chunks.Values.Sum(c => c.Seconds.Sum()))))]);
        }
    }

    public Task<bool> ClaimMergeAsync(Guid id, CancellationToken cancellationToken = default)
    {
        lock (_lock)
        {
            if (!_screenings.TryGetValue(id, out var e) || e.MergeClaimed)
            {
                return Task.FromResult(false);
            }

            e.MergeClaimed = true;
            return Task.FromResult(true);
        }
    }

    public Task SetJobAsync(Guid id, ScreeningJob job, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(job);
        lock (_lock)
        {
            if (_screenings.TryGetValue(id, out var e))
            {
                e.Jobs[(job.Kind, job.Chunk)] = job;
            }
        }

        return Task.CompletedTask;
    }

    public Task<IReadOnlyList<ScreeningJob>> GetJobsAsync(Guid id, CancellationToken cancellationToken = default)
    {
        lock (_lock)
        {
            return Task.FromResult<IReadOnlyList<ScreeningJob>>(_screenings.TryGetValue(id, out var e) ? [.. e.Jobs.Values] : []);
        }
    }

    public Task TouchAsync(Guid id, CancellationToken cancellationToken = default)
    {
        lock (_lock)
        {
            if (_screenings.TryGetValue(id, out var e))
            {
                e.Record = e.Record with { Updated = DateTimeOffset.UtcNow };
            }
        }

        return Task.CompletedTask;
    }

    public Task<int> AddRequeueAsync(Guid id, CancellationToken cancellationToken = default)
    {
        lock (_lock)
        {
            if (!_screenings.TryGetValue(id, out var e))
            {
                return Task.FromResult(0);
            }

            e.Record = e.Record with { Updated = DateTimeOffset.UtcNow };
            return Task.FromResult(++e.Requeues);
        }
    }

    public Task<IReadOnlyList<Guid>> ListUncleanedAsync(CancellationToken cancellationToken = default)
    {
        lock (_lock)
        {
            return Task.FromResult<IReadOnlyList<Guid>>([.. _screenings.Values.Where(e => States.IsFinal(e.Record.State) && !e.Cleaned).Select(e => e.Record.Id)]);
        }
    }

    public Task MarkCleanedAsync(Guid id, CancellationToken cancellationToken = default)
    {
        lock (_lock)
        {
            if (_screenings.TryGetValue(id, out var e))
            {
                e.Cleaned = true;
            }
        }

        return Task.CompletedTask;
    }

    // Keys written by 'materialsdb keys' while the service runs are picked up when the file changes.
    private void ReloadKeyFile(bool force = false)
    {
        if (keyFile is null || (!force && keyFile.Stamp == _keyFileStamp))
        {
            return;
        }

        _keyFileStamp = keyFile.Stamp;
        foreach (var k in keyFile.Read())
        {
            _keys[k.Sha256] = k;
        }
    }

    private sealed class Entry(ScreeningRecord record)
    {
        public ScreeningRecord Record { get; set; } = record;

        public string?[] Starts { get; set; } = [];

        public SortedDictionary<int, ChunkResult> Chunks { get; } = [];

        public Dictionary<(JobKind, int), ScreeningJob> Jobs { get; } = [];

        public bool MergeClaimed { get; set; }

        public int Requeues { get; set; }

        public bool Cleaned { get; set; }
    }
}
