using MaterialsDb.Service.Auth;
using MaterialsDb.Service.Store;
using MaterialsDb.TestSupport;

namespace MaterialsDb.Service.Tests;

/// <summary>One embedded-mode node (in-memory Hangfire, two workers, small chunks) with keys for three tenants.</summary>
public sealed class EmbeddedFixture : IAsyncLifetime
{
    private readonly TempDirectory _results = new();

    public ServiceNode Node { get; private set; } = null!;

    public string Acme { get; private set; } = null!;

    public string Other { get; private set; } = null!;

    public string Operator { get; private set; } = null!;

    public string Admin { get; private set; } = null!;

    public async ValueTask InitializeAsync()
    {
        var store = new MemoryStore();
        Acme = (await ApiKeys.CreateAsync(store, "acme", Role.Member)).Key;
        Other = (await ApiKeys.CreateAsync(store, "other", Role.Member)).Key;
        Operator = (await ApiKeys.CreateAsync(store, "ops", Role.Operator)).Key;
        Admin = (await ApiKeys.CreateAsync(store, "root", Role.Admin)).Key;
        Node = await ServiceNode.StartAsync(new ServiceOptions { ResultsFolder = _results.Path, Workers = 2, ChunkSize = 60, MaxBodyBytes = 20_000, MaxActivePerTenant = 10, RetryDelays = [TimeSpan.Zero] }, store);
    }

    public async ValueTask DisposeAsync()
    {
        await Node.DisposeAsync();
        _results.Dispose();
    }
}
