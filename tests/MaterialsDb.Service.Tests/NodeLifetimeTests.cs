using MaterialsDb.Service.Auth;
using MaterialsDb.Service.Store;
using MaterialsDb.TestSupport;

namespace MaterialsDb.Service.Tests;

/// <summary>Nodes that start and stop in one process (tests, the load test) must not break each other.</summary>
public sealed class NodeLifetimeTests
{
    [Fact]
    public async Task ANodeStoppedBeforeAnotherDoesNotBreakItsJobs()
    {
        using var first = new TempDirectory();
        using var second = new TempDirectory();
        var store = new MemoryStore();
        var (_, key) = await ApiKeys.CreateAsync(store, "lifetime", Role.Member, TestContext.Current.CancellationToken);
        await using var running = await ServiceNode.StartAsync(new ServiceOptions { ResultsFolder = first.Path, Workers = 1 }, store);

        // Hangfire keeps one process-wide log provider: the node built last (and stopped first) must not leave a
        // disposed logger factory behind for the running node's job creation.
        await using (await ServiceNode.StartAsync(new ServiceOptions { ResultsFolder = second.Path, Workers = 0 }, new MemoryStore()))
        {
        }

        var id = await running.SubmitAsync("name: after\ncandidates: {formulas: [NaCl, LiF]}\npredict: [band-gap-pbe]\n", key);
        Assert.Equal(States.Succeeded, (await running.WaitAsync(id, key)).GetProperty("state").GetString());
    }
}
