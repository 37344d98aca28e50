using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using MaterialsDb.Service.Auth;
using MaterialsDb.Service.Materials;
using MaterialsDb.Service.Store;
using MaterialsDb.TestSupport;
using Npgsql;

namespace MaterialsDb.Service.Tests;

/// <summary>`db import` and the materials endpoint on PostgreSQL (a database of its own: the imports would disturb other tests).</summary>
public sealed class MaterialsQueryTests(PostgresFixture postgres) : IClassFixture<PostgresFixture>
{
    [Fact]
    public async Task ImportedDatasetsAnswerMaterialsQueries()
    {
        postgres.Require();
        await using var dataSource = NpgsqlDataSource.Create(postgres.ConnectionString);
        var (imported, skipped) = await MaterialsDatabase.ImportAsync(dataSource, SharedFiles.MirrorStore(), "steels_yield", TestContext.Current.CancellationToken);
        Assert.Equal(312, imported + skipped);
        Assert.Equal((imported, skipped), await MaterialsDatabase.ImportAsync(dataSource, SharedFiles.MirrorStore(), "steels_yield", TestContext.Current.CancellationToken));

        var store = await ServiceHost.OpenStoreAsync(postgres.ConnectionString, TestContext.Current.CancellationToken);
        var (_, key) = await ApiKeys.CreateAsync(store, "db", Role.Member, TestContext.Current.CancellationToken);
        using var results = new TempDirectory();
        await using var node = await ServiceNode.StartAsync(new ServiceOptions { Postgres = postgres.ConnectionString, ResultsFolder = results.Path, Workers = 0 });
        var found = await (await node.SendAsync(HttpMethod.Get, "/api/v1/materials?elements=Fe,Cr,Ni&limit=1000", key)).Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken);
        var items = found.GetProperty("data").EnumerateArray().ToArray();
        Assert.NotEmpty(items);
        Assert.All(items, m => Assert.Equal("steels_yield", m.GetProperty("dataset").GetString()));
        Assert.All(items, m => Assert.Contains("Cr", m.GetProperty("chemsys").GetString()!, StringComparison.Ordinal));
        Assert.Equal(HttpStatusCode.BadRequest, (await node.SendAsync(HttpMethod.Get, "/api/v1/materials?chemsys=Fe-Cr');DELETE FROM materialsdb.materials;--", key)).StatusCode);
        Assert.True(await MaterialsDatabase.HasEntriesAsync(dataSource, TestContext.Current.CancellationToken));
    }
}
