namespace MaterialsDb.Service.Store;

/// <summary>
/// The embedded mode's store: everything in process memory under one lock (lost on restart, like its Hangfire queue),
/// except keys, which may also come from a <see cref="KeyFile"/> that <c>materialsdb keys create</c> writes.
/// </summary>
public sealed class MemoryStore(KeyFile? keyFile = null) : IServiceStore
{
    private DateTime _keyFileStamp = DateTime.MinValue;
    private readonly Lock _lock = new();
    private readonly Dictionary<string, ApiKeyRecord> _keys = new(StringComparer.Ordinal);
    private readonly Dictionary<Guid, ScreeningRecord> _screenings = [];
    private readonly Dictionary<Guid, SortedDictionary<int, ChunkResult>> _chunks = [];
    private readonly HashSet<Guid> _merges = [];

    public Task InitializeAsync(CancellationToken cancellationToken = default) => Task.CompletedTask;

    public Task AddKeyAsync(ApiKeyRecord key, CancellationToken cancellationToken = default)
    {
        lock (_lock)
        {
            _keys[key.Sha256] = key;
            keyFile?.Write(key);
        }

        return Task.CompletedTask;
    }

    public Task<ApiKeyRecord?> FindKeyAsync(string sha256, CancellationToken cancellationToken = default)
    {
        lock (_lock)
        {
            if (keyFile is not null && keyFile.Stamp != _keyFileStamp)
            {
                _keyFileStamp = keyFile.Stamp;
                foreach (var fromFile in keyFile.Read())
                {
                    _keys[fromFile.Sha256] = fromFile;
                }
            }

            return Task.FromResult(_keys.GetValueOrDefault(sha256) is { Revoked: false } k ? k : null);
        }
    }

    public Task<IReadOnlyList<ApiKeyRecord>> ListKeysAsync(CancellationToken cancellationToken = default)
    {
        lock (_lock)
        {
            foreach (var k in keyFile?.Read() ?? [])
            {
                _keys[k.Sha256] = k;
            }

            return Task.FromResult<IReadOnlyList<ApiKeyRecord>>([.. _keys.Values.OrderBy(k => k.Created)]);
        }
    }

    public Task<bool> RevokeKeyAsync(string idOrPrefix, CancellationToken cancellationToken = default)
    {
        lock (_lock)
        {
            foreach (var k in keyFile?.Read() ?? [])
            {
                _keys[k.Sha256] = k;
            }

            var matches = _keys.Values.Where(k => k.Id.ToString().StartsWith(idOrPrefix, StringComparison.OrdinalIgnoreCase)).ToArray();
            if (matches.Length != 1 || idOrPrefix.Length < 4)
            {
                return Task.FromResult(false);
            }

            _keys[matches[0].Sha256] = matches[0] with { Revoked = true };
            keyFile?.Write(_keys[matches[0].Sha256]);
            return Task.FromResult(true);
        }
    }

    public Task AddScreeningAsync(ScreeningRecord screening, CancellationToken cancellationToken = default)
    {
        lock (_lock)
        {
            _screenings.Add(screening.Id, screening);
            _chunks[screening.Id] = [];
        }

        return Task.CompletedTask;
    }

    public Task<ScreeningRecord?> GetScreeningAsync(Guid id, CancellationToken cancellationToken = default)
    {
        lock (_lock)
        {
            return Task.FromResult(_screenings.GetValueOrDefault(id));
        }
    }

    public Task<IReadOnlyList<ScreeningRecord>> ListScreeningsAsync(string tenant, (DateTimeOffset Created, Guid Id)? after, int limit, CancellationToken cancellationToken = default)
    {
        lock (_lock)
        {
            var rows = _screenings.Values.Where(s => s.Tenant == tenant)
                .Where(s => after is not { } a || s.Created < a.Created || (s.Created == a.Created && s.Id.CompareTo(a.Id) < 0))
                .OrderByDescending(s => s.Created).ThenByDescending(s => s.Id).Take(limit).ToArray();
            return Task.FromResult<IReadOnlyList<ScreeningRecord>>(rows);
        }
    }

    public Task<int> CountActiveAsync(string tenant, CancellationToken cancellationToken = default)
    {
        lock (_lock)
        {
            return Task.FromResult(_screenings.Values.Count(s => s.Tenant == tenant && !States.IsFinal(s.State)));
        }
    }

    public Task<bool> TransitionAsync(Guid id, string[] from, string state, string? error = null, CancellationToken cancellationToken = default)
    {
        lock (_lock)
        {
            if (!_screenings.TryGetValue(id, out var s) || !from.Contains(s.State))
            {
                return Task.FromResult(false);
            }

            _screenings[id] = s with { State = state, Error = error ?? s.Error, Updated = DateTimeOffset.UtcNow };
            return Task.FromResult(true);
        }
    }

    public Task<int> RecordChunkAsync(Guid id, ChunkResult result, CancellationToken cancellationToken = default)
    {
        lock (_lock)
        {
            var chunks = _chunks[id];
            chunks.TryAdd(result.Chunk, result);
            var s = _screenings[id];
            _screenings[id] = s with { ChunksDone = chunks.Count, Processed = chunks.Values.Sum(c => c.Processed), Survivors = chunks.Values.Sum(c => c.Survivors), Updated = DateTimeOffset.UtcNow };
            return Task.FromResult(chunks.Count);
        }
    }

    public Task<IReadOnlyList<ChunkResult>> GetChunksAsync(Guid id, CancellationToken cancellationToken = default)
    {
        lock (_lock)
        {
            return Task.FromResult<IReadOnlyList<ChunkResult>>(_chunks.TryGetValue(id, out var chunks) ? [.. chunks.Values] : []);
        }
    }

    public Task<bool> ClaimMergeAsync(Guid id, CancellationToken cancellationToken = default)
    {
        lock (_lock)
        {
            return Task.FromResult(_merges.Add(id));
        }
    }
}
