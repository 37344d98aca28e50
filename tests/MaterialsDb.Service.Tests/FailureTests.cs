using MaterialsDb.Service.Auth;
using MaterialsDb.Service.Store;
using MaterialsDb.TestSupport;

namespace MaterialsDb.Service.Tests;

public sealed class FailureTests
{
    [Fact]
    public async Task AChunkThatKeepsFailingFailsTheScreeningWithItsCause()
    {
        using var results = new TempDirectory();
        var store = new BrokenChunkStore(new MemoryStore());
        var (_, key) = await ApiKeys.CreateAsync(store, "fails", Role.Member, TestContext.Current.CancellationToken);
        await using var node = await ServiceNode.StartAsync(new ServiceOptions { ResultsFolder = results.Path, Workers = 1 }, store);
        var id = await node.SubmitAsync(LocalScreening.Spec, key);

        var status = await node.WaitAsync(id, key, TimeSpan.FromMinutes(1));

        Assert.Equal(States.Failed, status.GetProperty("state").GetString());
        Assert.Contains("chunk 0: the disk is full", status.GetProperty("error").GetString(), StringComparison.Ordinal);
        Assert.Equal(1 + ScreeningJobsAttempts, store.Attempts);
    }

    private const int ScreeningJobsAttempts = Jobs.ScreeningJobs.Attempts;

    // The real store, except that recording a chunk always fails (as a full disk or a lost database would).
    private sealed class BrokenChunkStore(IServiceStore inner) : IServiceStore
    {
        public int Attempts;

        public Task InitializeAsync(CancellationToken cancellationToken = default) => inner.InitializeAsync(cancellationToken);

        public Task AddKeyAsync(ApiKeyRecord key, CancellationToken cancellationToken = default) => inner.AddKeyAsync(key, cancellationToken);

        public Task<ApiKeyRecord?> FindKeyAsync(string sha256, CancellationToken cancellationToken = default) => inner.FindKeyAsync(sha256, cancellationToken);

        public Task<IReadOnlyList<ApiKeyRecord>> ListKeysAsync(CancellationToken cancellationToken = default) => inner.ListKeysAsync(cancellationToken);

        public Task<bool> RevokeKeyAsync(string idOrPrefix, CancellationToken cancellationToken = default) => inner.RevokeKeyAsync(idOrPrefix, cancellationToken);

        public Task AddScreeningAsync(ScreeningRecord screening, CancellationToken cancellationToken = default) => inner.AddScreeningAsync(screening, cancellationToken);

        public Task<ScreeningRecord?> GetScreeningAsync(Guid id, CancellationToken cancellationToken = default) => inner.GetScreeningAsync(id, cancellationToken);

        public Task<IReadOnlyList<ScreeningRecord>> ListScreeningsAsync(string tenant, (DateTimeOffset Created, Guid Id)? after, int limit, CancellationToken cancellationToken = default) => inner.ListScreeningsAsync(tenant, after, limit, cancellationToken);

        public Task<int> CountActiveAsync(string tenant, CancellationToken cancellationToken = default) => inner.CountActiveAsync(tenant, cancellationToken);

        public Task<bool> TransitionAsync(Guid id, string[] from, string state, string? error = null, CancellationToken cancellationToken = default) => inner.TransitionAsync(id, from, state, error, cancellationToken);

        public Task<int> RecordChunkAsync(Guid id, ChunkResult result, CancellationToken cancellationToken = default)
        {
            Interlocked.Increment(ref Attempts);
            throw new IOException("the disk is full");
        }

        public Task<IReadOnlyList<ChunkResult>> GetChunksAsync(Guid id, CancellationToken cancellationToken = default) => inner.GetChunksAsync(id, cancellationToken);

        public Task<bool> ClaimMergeAsync(Guid id, CancellationToken cancellationToken = default) => inner.ClaimMergeAsync(id, cancellationToken);
    }
}
