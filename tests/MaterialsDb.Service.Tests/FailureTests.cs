using MaterialsDb.Service.Auth;
using MaterialsDb.Service.Store;
using MaterialsDb.TestSupport;

namespace MaterialsDb.Service.Tests;

public sealed class FailureTests
{
    [Fact]
    public async Task AChunkThatKeepsFailingFailsTheScreeningWithItsCauseAfterTheConfiguredRetries()
    {
        using var results = new TempDirectory();
        var store = new BrokenChunkStore(new MemoryStore());
        var (_, key) = await ApiKeys.CreateAsync(store, "fails", Role.Member, TestContext.Current.CancellationToken);
        TimeSpan[] delays = [TimeSpan.Zero, TimeSpan.FromMilliseconds(200), TimeSpan.Zero];
        await using var node = await ServiceNode.StartAsync(new ServiceOptions { ResultsFolder = results.Path, Workers = 1, RetryDelays = delays }, store);
        var id = await node.SubmitAsync(LocalScreening.Spec, key);

        var status = await node.WaitAsync(id, key, TimeSpan.FromMinutes(1));

        Assert.Equal(States.Failed, status.GetProperty("state").GetString());
        Assert.Contains("chunk 0: the disk is full", status.GetProperty("error").GetString(), StringComparison.Ordinal);
        Assert.Equal(1 + delays.Length, store.Attempts);
    }

    [Fact]
    public async Task ErrorsShownToTenantsNameNoServerPath()
    {
        using var results = new TempDirectory();
        var store = new BrokenChunkStore(new MemoryStore()) { Message = $"cannot write {Path.Combine(results.Path, "x", "part-00000.parquet")} or /var/lib/secret/file" };
        var (_, key) = await ApiKeys.CreateAsync(store, "paths", Role.Member, TestContext.Current.CancellationToken);
        await using var node = await ServiceNode.StartAsync(new ServiceOptions { ResultsFolder = results.Path, Workers = 1, RetryDelays = [] }, store);
        var id = await node.SubmitAsync(LocalScreening.Spec, key);
        var error = (await node.WaitAsync(id, key, TimeSpan.FromMinutes(1))).GetProperty("error").GetString()!;
        Assert.DoesNotContain(results.Path, error, StringComparison.Ordinal);
        Assert.DoesNotContain("/var/lib", error, StringComparison.Ordinal);
        Assert.Contains("<results>", error, StringComparison.Ordinal);
    }

    // The real store, except that recording a chunk always fails (as a full disk or a lost database would).
    private sealed class BrokenChunkStore(IServiceStore inner) : DelegatingStore(inner)
    {
        public int Attempts;

        public string Message { get; init; } = "the disk is full";

        public override Task<ChunkProgress> RecordChunkAsync(Guid id, ChunkResult result, CancellationToken cancellationToken = default)
        {
            Interlocked.Increment(ref Attempts);
            throw new IOException(Message);
        }
    }
}
