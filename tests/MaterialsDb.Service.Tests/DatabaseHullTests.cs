using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using MaterialsDb.Service.Auth;
using MaterialsDb.Service.Materials;
using MaterialsDb.Service.Store;
using MaterialsDb.TestSupport;
using Npgsql;

namespace MaterialsDb.Service.Tests;

/// <summary>Workers' hulls come from the imported materials database (a database of its own: this test edits it).</summary>
public sealed class DatabaseHullTests(PostgresFixture postgres) : IClassFixture<PostgresFixture>
{
    [Fact]
    public async Task WorkersBuildHullsFromTheImportedDatabaseAndRebuildAfterAnImport()
    {
        postgres.Require();
        await using var dataSource = NpgsqlDataSource.Create(postgres.ConnectionString);
        await MaterialsDatabase.ImportAsync(dataSource, SharedFiles.MirrorStore(), "mp_e_form", TestContext.Current.CancellationToken);
        var store = await ServiceHost.OpenStoreAsync(postgres.ConnectionString, TestContext.Current.CancellationToken);
        var (_, key) = await ApiKeys.CreateAsync(store, "hulls", Role.Member, TestContext.Current.CancellationToken);
        using var results = new TempDirectory();
        await using var node = await ServiceNode.StartAsync(new ServiceOptions { Postgres = postgres.ConnectionString, ResultsFolder = results.Path, Workers = 2, ChunkSize = 100 });

        // The imported database holds the same entries as the catalog file: the same result as a local screen.
        var first = await node.SubmitAsync(LocalScreening.Spec, key);
        Assert.Equal(States.Succeeded, (await node.WaitAsync(first, key)).GetProperty("state").GetString());
        var local = await LocalScreening.RunAsync(LocalScreening.Spec);
        LocalScreening.AssertSameRows(local, await LocalScreening.ReadParquetAsync(await (await node.SendAsync(HttpMethod.Get, $"/api/v1/screenings/{first}/results", key)).Content.ReadAsByteArrayAsync(TestContext.Current.CancellationToken)));

        // Lower every Li-Cl-O entry by 1 eV/atom and publish a new database version: the next screening sees it.
        await using (var edit = dataSource.CreateCommand("UPDATE materialsdb.materials SET e_form_per_atom = e_form_per_atom - 1 WHERE dataset = 'mp_e_form' AND chemsys = 'Cl-Li-O'; UPDATE materialsdb.database_version SET version = version + 1"))
        {
            await edit.ExecuteNonQueryAsync(TestContext.Current.CancellationToken);
        }

        var second = await node.SubmitAsync(LocalScreening.Spec, key);
        Assert.Equal(States.Succeeded, (await node.WaitAsync(second, key)).GetProperty("state").GetString());
        var after = await LocalScreening.ReadParquetAsync(await (await node.SendAsync(HttpMethod.Get, $"/api/v1/screenings/{second}/results", key)).Content.ReadAsByteArrayAsync(TestContext.Current.CancellationToken));
        Assert.DoesNotContain("Cl-Li-O", after.GetStrings("chemsys"));
        Assert.Contains("Cl-Li-O", local.GetStrings("chemsys"));
    }
}
