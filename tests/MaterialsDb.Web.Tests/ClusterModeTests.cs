using System.Text.RegularExpressions;
using MaterialsDb.Service;
using MaterialsDb.Service.Auth;
using MaterialsDb.Service.Store;
using MaterialsDb.TestSupport;
using Microsoft.Playwright;
using Npgsql;

namespace MaterialsDb.Web.Tests;

/// <summary>The same application on a cluster-mode node (PostgreSQL state and Hangfire queue), in a database of its own.</summary>
public sealed class ClusterModeTests(WebFixture web)
{
    [Fact]
    public async Task AScreeningRunsAndIsExploredOnAClusterNode()
    {
        var server = Environment.GetEnvironmentVariable("MATERIALSDB_TEST_POSTGRES");
        if (string.IsNullOrEmpty(server))
        {
            Assert.SkipWhen(!SharedFiles.InCi, "MATERIALSDB_TEST_POSTGRES is not set (see .ci/run)");
            Assert.Fail("MATERIALSDB_TEST_POSTGRES is not set; .ci/run must start PostgreSQL.");
        }

        var database = "mdb_web_" + Guid.NewGuid().ToString("N")[..12];
        await using (var admin = new NpgsqlConnection(server))
        {
            await admin.OpenAsync(TestContext.Current.CancellationToken);
            await using var create = new NpgsqlCommand($"CREATE DATABASE {database}", admin);
            await create.ExecuteNonQueryAsync(TestContext.Current.CancellationToken);
        }

        var connection = new NpgsqlConnectionStringBuilder(server) { Database = database, Pooling = false }.ConnectionString;
        try
        {
            using var results = new TempDirectory();
            var store = await ServiceHost.OpenStoreAsync(connection, TestContext.Current.CancellationToken);
            var (_, key) = await ApiKeys.CreateAsync(store, "cluster", Role.Member, TestContext.Current.CancellationToken);
            await using var node = await WebFixture.StartNodeAsync(new ServiceOptions { Postgres = connection, ResultsFolder = results.Path, Workers = 2, ChunkSize = 3 }, store);
            var address = node.Urls.First();

            var page = await web.NewPageAsync();
            await page.GotoAsync(address + "/signin?return_url=%2Fscreenings%2Fnew");
            await page.GetByLabel("API key").FillAsync(key);
            await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
            await page.Locator("#spec").FillAsync("name: cluster-run\ncandidates: {formulas: [LiFePO4, Li2O, LiCoO2, Li3PO4, LiCl, Li2S, Li3N]}\npredict: [band-gap-pbe]\nstability: {reference: mp_e_form, model: formation-energy}\n");
            await page.GetByRole(AriaRole.Button, new() { Name = "Submit" }).ClickAsync();
            await Assertions.Expect(page.Locator("#state")).ToHaveTextAsync("Succeeded", new() { Timeout = 120_000 });
            await Assertions.Expect(page.Locator("#matching")).ToContainTextAsync("7 of 7 candidates match");
            await page.Locator("#results-table tbody tr td:nth-child(2) a").First.ClickAsync();
            await Assertions.Expect(page).ToHaveURLAsync(new Regex("/candidates/1$"));

            // The first read of an empty cluster database imports the catalog's entries (once per database).
            await Assertions.Expect(page.Locator("#phase-diagram")).ToContainTextAsync("Stable phases", new() { Timeout = 120_000 });
            Assert.True(web.ConsoleErrors[page].Count == 0, string.Join("\n", web.ConsoleErrors[page]));
        }
        finally
        {
            NpgsqlConnection.ClearAllPools();
            await using var admin = new NpgsqlConnection(server);
            await admin.OpenAsync(CancellationToken.None);
            await using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS {database} WITH (FORCE)", admin);
            await drop.ExecuteNonQueryAsync(CancellationToken.None);
        }
    }
}
