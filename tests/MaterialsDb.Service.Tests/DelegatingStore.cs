using MaterialsDb.Service.Store;

namespace MaterialsDb.Service.Tests;

/// <summary>A real store with hooks: tests override one method to break or count it and forward the rest.</summary>
internal class DelegatingStore(IServiceStore inner) : IServiceStore
{
    public IServiceStore Inner { get; } = inner;

    public virtual Task InitializeAsync(CancellationToken cancellationToken = default) => Inner.InitializeAsync(cancellationToken);

    public virtual Task AddKeyAsync(ApiKeyRecord key, CancellationToken cancellationToken = default) => Inner.AddKeyAsync(key, cancellationToken);

    public virtual Task<ApiKeyRecord?> FindKeyAsync(string sha256, CancellationToken cancellationToken = default) => Inner.FindKeyAsync(sha256, cancellationToken);

    public virtual Task<ApiKeyRecord?> GetKeyAsync(Guid id, CancellationToken cancellationToken = default) => Inner.GetKeyAsync(id, cancellationToken);

    public virtual Task<IReadOnlyList<ApiKeyRecord>> ListKeysAsync(CancellationToken cancellationToken = default) => Inner.ListKeysAsync(cancellationToken);

    public virtual Task<bool> RevokeKeyAsync(string idOrPrefix, CancellationToken cancellationToken = default) => Inner.RevokeKeyAsync(idOrPrefix, cancellationToken);

    public virtual Task<bool> TryAddScreeningAsync(ScreeningRecord screening, int maxActive, CancellationToken cancellationToken = default) => Inner.TryAddScreeningAsync(screening, maxActive, cancellationToken);

    public virtual Task<ScreeningRecord?> GetScreeningAsync(Guid id, CancellationToken cancellationToken = default) => Inner.GetScreeningAsync(id, cancellationToken);

    public virtual Task<IReadOnlyList<ScreeningRecord>> ListScreeningsAsync(ScreeningQuery query, CancellationToken cancellationToken = default) => Inner.ListScreeningsAsync(query, cancellationToken);

    public virtual Task<IReadOnlyList<ScreeningRecord>> ListActiveAsync(CancellationToken cancellationToken = default) => Inner.ListActiveAsync(cancellationToken);

    public virtual Task<bool> TransitionAsync(Guid id, string[] from, string state, string? error = null, CancellationToken cancellationToken = default) => Inner.TransitionAsync(id, from, state, error, cancellationToken);

    public virtual Task<bool> SetPlanAsync(Guid id, long candidates, IReadOnlyList<string?> starts, CancellationToken cancellationToken = default) => Inner.SetPlanAsync(id, candidates, starts, cancellationToken);

    public virtual Task<string?> GetChunkStartAsync(Guid id, int chunk, CancellationToken cancellationToken = default) => Inner.GetChunkStartAsync(id, chunk, cancellationToken);

    public virtual Task<ChunkProgress> RecordChunkAsync(Guid id, ChunkResult result, CancellationToken cancellationToken = default) => Inner.RecordChunkAsync(id, result, cancellationToken);

    public virtual Task<IReadOnlyList<ChunkResult>> GetChunksAsync(Guid id, CancellationToken cancellationToken = default) => Inner.GetChunksAsync(id, cancellationToken);

    public virtual Task<bool> ClaimMergeAsync(Guid id, CancellationToken cancellationToken = default) => Inner.ClaimMergeAsync(id, cancellationToken);

    public virtual Task SetJobAsync(Guid id, ScreeningJob job, CancellationToken cancellationToken = default) => Inner.SetJobAsync(id, job, cancellationToken);

    public virtual Task<IReadOnlyList<ScreeningJob>> GetJobsAsync(Guid id, CancellationToken cancellationToken = default) => Inner.GetJobsAsync(id, cancellationToken);

    public virtual Task TouchAsync(Guid id, CancellationToken cancellationToken = default) => Inner.TouchAsync(id, cancellationToken);

    public virtual Task<int> AddRequeueAsync(Guid id, CancellationToken cancellationToken = default) => Inner.AddRequeueAsync(id, cancellationToken);

    public virtual Task<IReadOnlyList<Guid>> ListUncleanedAsync(CancellationToken cancellationToken = default) => Inner.ListUncleanedAsync(cancellationToken);

    public virtual Task<IReadOnlyList<TenantUsage>> UsageAsync(CancellationToken cancellationToken = default) => Inner.UsageAsync(cancellationToken);

    public virtual Task MarkCleanedAsync(Guid id, CancellationToken cancellationToken = default) => Inner.MarkCleanedAsync(id, cancellationToken);
}
