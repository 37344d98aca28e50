namespace MaterialsDb.Service.Store;

/// <summary>
/// The service's own state: API keys and screenings with their plans, jobs and chunk results. In memory for the
/// embedded mode, in PostgreSQL when many nodes share it. Every write that decides who does what is atomic: admitting a
/// screening under the tenant's limit, storing a plan, recording a chunk (exactly one caller completes the set),
/// claiming the merge.
/// </summary>
public interface IServiceStore
{
    /// <summary>Creates tables if needed.</summary>
    Task InitializeAsync(CancellationToken cancellationToken = default);

    /// <summary>Stores a new key.</summary>
    Task AddKeyAsync(ApiKeyRecord key, CancellationToken cancellationToken = default);

    /// <summary>The active (not revoked) key with this SHA-256, or null.</summary>
    Task<ApiKeyRecord?> FindKeyAsync(string sha256, CancellationToken cancellationToken = default);

    /// <summary>The active key with this id, or null (sessions re-check their key with it).</summary>
    Task<ApiKeyRecord?> GetKeyAsync(Guid id, CancellationToken cancellationToken = default);

    /// <summary>Every key, revoked ones included.</summary>
    Task<IReadOnlyList<ApiKeyRecord>> ListKeysAsync(CancellationToken cancellationToken = default);

    /// <summary>Revokes a key by id or by a unique prefix of its id; false when none matches.</summary>
    Task<bool> RevokeKeyAsync(string idOrPrefix, CancellationToken cancellationToken = default);

    /// <summary>
    /// Adds a screening unless its tenant already has <paramref name="maxActive"/> queued or running ones; the count and
    /// the insert are one atomic step, so parallel submissions cannot exceed the limit.
    /// </summary>
    Task<bool> TryAddScreeningAsync(ScreeningRecord screening, int maxActive, CancellationToken cancellationToken = default);

    Task<ScreeningRecord?> GetScreeningAsync(Guid id, CancellationToken cancellationToken = default);

    /// <summary>A tenant's screenings, newest first, after the query's cursor (keyset pagination), filtered.</summary>
    Task<IReadOnlyList<ScreeningRecord>> ListScreeningsAsync(ScreeningQuery query, CancellationToken cancellationToken = default);

    /// <summary>Every queued or running screening (the sweeper's work list).</summary>
    Task<IReadOnlyList<ScreeningRecord>> ListActiveAsync(CancellationToken cancellationToken = default);

    /// <summary>Moves to <paramref name="state"/> if the current state is one of <paramref name="from"/>; false otherwise.</summary>
    Task<bool> TransitionAsync(Guid id, string[] from, string state, string? error = null, CancellationToken cancellationToken = default);

    /// <summary>
    /// Stores the space's count and chunk start cursors (one per chunk) once; a second plan of the same screening (a
    /// duplicated plan job) changes nothing and returns false.
    /// </summary>
    Task<bool> SetPlanAsync(Guid id, long candidates, IReadOnlyList<string?> starts, CancellationToken cancellationToken = default);

    /// <summary>Where chunk <paramref name="chunk"/> starts (an enumeration cursor or a row offset); null = the beginning.</summary>
    Task<string?> GetChunkStartAsync(Guid id, int chunk, CancellationToken cancellationToken = default);

    /// <summary>Records a chunk's result once (a repeat is ignored), and counts the screening's done chunks in the same atomic step.</summary>
    Task<ChunkProgress> RecordChunkAsync(Guid id, ChunkResult result, CancellationToken cancellationToken = default);

    Task<IReadOnlyList<ChunkResult>> GetChunksAsync(Guid id, CancellationToken cancellationToken = default);

    /// <summary>Every tenant's usage (operators' view), by tenant name.</summary>
    Task<IReadOnlyList<TenantUsage>> UsageAsync(CancellationToken cancellationToken = default);

    /// <summary>True for exactly one caller: the one that may enqueue the merge.</summary>
    Task<bool> ClaimMergeAsync(Guid id, CancellationToken cancellationToken = default);

    /// <summary>Remembers the Hangfire job enqueued for a screening's plan, chunk or merge (the latest one per kind and chunk).</summary>
    Task SetJobAsync(Guid id, ScreeningJob job, CancellationToken cancellationToken = default);

    /// <summary>The jobs remembered for a screening.</summary>
    Task<IReadOnlyList<ScreeningJob>> GetJobsAsync(Guid id, CancellationToken cancellationToken = default);

    /// <summary>Marks a screening as alive (running chunks call it periodically).</summary>
    Task TouchAsync(Guid id, CancellationToken cancellationToken = default);

    /// <summary>Counts one more time the sweeper had to re-enqueue a screening's jobs; returns the new count.</summary>
    Task<int> AddRequeueAsync(Guid id, CancellationToken cancellationToken = default);

    /// <summary>Finished screenings whose leftover files (parts of a cancelled or failed run) are not yet removed.</summary>
    Task<IReadOnlyList<Guid>> ListUncleanedAsync(CancellationToken cancellationToken = default);

    /// <summary>Records that a finished screening's leftovers are removed.</summary>
    Task MarkCleanedAsync(Guid id, CancellationToken cancellationToken = default);
}
