namespace MaterialsDb.Service.Store;

/// <summary>
/// The service's own state: API keys and screenings with their chunk results. In memory for the embedded mode,
/// in PostgreSQL when many nodes share it. Every write that decides who does what (recording a chunk, claiming the
/// merge) is atomic, so retried or duplicated jobs never count twice.
/// </summary>
public interface IServiceStore
{
    /// <summary>Creates tables if needed.</summary>
    Task InitializeAsync(CancellationToken cancellationToken = default);

    Task AddKeyAsync(ApiKeyRecord key, CancellationToken cancellationToken = default);

    Task<ApiKeyRecord?> FindKeyAsync(string sha256, CancellationToken cancellationToken = default);

    Task<IReadOnlyList<ApiKeyRecord>> ListKeysAsync(CancellationToken cancellationToken = default);

    /// <summary>Revokes a key by id or by a unique prefix of its id; false when none matches.</summary>
    Task<bool> RevokeKeyAsync(string idOrPrefix, CancellationToken cancellationToken = default);

    Task AddScreeningAsync(ScreeningRecord screening, CancellationToken cancellationToken = default);

    Task<ScreeningRecord?> GetScreeningAsync(Guid id, CancellationToken cancellationToken = default);

    /// <summary>A tenant's screenings, newest first, after the cursor (created, id) — keyset pagination.</summary>
    Task<IReadOnlyList<ScreeningRecord>> ListScreeningsAsync(string tenant, (DateTimeOffset Created, Guid Id)? after, int limit, CancellationToken cancellationToken = default);

    /// <summary>Screenings of the tenant that are queued or running.</summary>
    Task<int> CountActiveAsync(string tenant, CancellationToken cancellationToken = default);

    /// <summary>Moves to <paramref name="state"/> if the current state is one of <paramref name="from"/>; false otherwise.</summary>
    Task<bool> TransitionAsync(Guid id, string[] from, string state, string? error = null, CancellationToken cancellationToken = default);

    /// <summary>Records a chunk's result once (a repeat is ignored); returns how many distinct chunks are done.</summary>
    Task<int> RecordChunkAsync(Guid id, ChunkResult result, CancellationToken cancellationToken = default);

    Task<IReadOnlyList<ChunkResult>> GetChunksAsync(Guid id, CancellationToken cancellationToken = default);

    /// <summary>True for exactly one caller: the one that may enqueue the merge.</summary>
    Task<bool> ClaimMergeAsync(Guid id, CancellationToken cancellationToken = default);
}
