using MaterialsDb.Service.Auth;
using MaterialsDb.Service.Store;
using MaterialsDb.TestSupport;

namespace MaterialsDb.Service.Tests;

/// <summary>The sweeper in embedded mode: a merge that was never enqueued, and the leftovers of a cancelled screening.</summary>
public sealed class SweeperTests
{
    [Fact]
    public async Task AMergeNeverEnqueuedIsEnqueuedByTheSweeper()
    {
        // The last chunk recorded itself and died before enqueuing the merge (here: its claim is lost).
        using var results = new TempDirectory();
        var store = new LostMergeStore(new MemoryStore());
        var (_, key) = await ApiKeys.CreateAsync(store, "merge", Role.Member, TestContext.Current.CancellationToken);
        await using var node = await ServiceNode.StartAsync(new ServiceOptions { ResultsFolder = results.Path, Workers = 2, ChunkSize = 60, SweepInterval = TimeSpan.FromMilliseconds(300), SweepGrace = TimeSpan.FromSeconds(1) }, store);
        var id = await node.SubmitAsync(LocalScreening.Spec, key);
        var status = await node.WaitAsync(id, key);
        Assert.Equal(States.Succeeded, status.GetProperty("state").GetString());
        Assert.True(store.Claims > 0);
        LocalScreening.AssertSameRows(await LocalScreening.RunAsync(LocalScreening.Spec), await LocalScreening.ReadParquetAsync(await (await node.SendAsync(HttpMethod.Get, $"/api/v1/screenings/{id}/results", key)).Content.ReadAsByteArrayAsync(TestContext.Current.CancellationToken)));
        Assert.Empty(Directory.GetFiles(Path.Combine(results.Path, id.ToString("N")), "part-*"));
    }

    [Fact]
    public async Task ACancelledScreeningLeavesNoParts()
    {
        using var results = new TempDirectory();
        var store = new MemoryStore();
        var (_, key) = await ApiKeys.CreateAsync(store, "cancel", Role.Member, TestContext.Current.CancellationToken);
        await using var node = await ServiceNode.StartAsync(new ServiceOptions { ResultsFolder = results.Path, Workers = 2, ChunkSize = 500, SweepInterval = TimeSpan.FromMilliseconds(300), SweepGrace = TimeSpan.FromSeconds(1) }, store);
        var spec = "name: big\ncandidates: {enumerate: {elements: [Li, Na, K, Mg, Ca, Al, O, S, Cl, N], n_elements: [2, 4], max_coefficient: 6}}\npredict: [band-gap-pbe]\n";
        var id = await node.SubmitAsync(spec, key);
        var folder = Path.Combine(results.Path, id.ToString("N"));
        var deadline = DateTime.UtcNow.AddMinutes(1);
        while ((!Directory.Exists(folder) || Directory.GetFiles(folder, "part-*").Length == 0) && DateTime.UtcNow < deadline)
        {
            await Task.Delay(50, TestContext.Current.CancellationToken);
        }

        Assert.NotEmpty(Directory.GetFiles(folder, "part-*"));
        Assert.Equal(System.Net.HttpStatusCode.OK, (await node.SendAsync(HttpMethod.Delete, $"/api/v1/screenings/{id}", key)).StatusCode);
        Assert.Equal(States.Cancelled, (await node.WaitAsync(id, key)).GetProperty("state").GetString());
        deadline = DateTime.UtcNow.AddSeconds(30);
        while (Directory.GetFiles(folder, "part-*").Length > 0 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(100, TestContext.Current.CancellationToken);
        }

        Assert.Empty(Directory.GetFiles(folder, "part-*"));
    }

    private sealed class LostMergeStore(IServiceStore inner) : DelegatingStore(inner)
    {
        public int Claims;

        // The first claim "succeeds" for a process that then dies: it is recorded but nothing is enqueued.
        public override async Task<bool> ClaimMergeAsync(Guid id, CancellationToken cancellationToken = default)
        {
            Interlocked.Increment(ref Claims);
            await base.ClaimMergeAsync(id, cancellationToken);
            return false;
        }
    }
}
