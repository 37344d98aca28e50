using MaterialsDb.Database;
using Npgsql;

namespace MaterialsDb.Service.Tests;

/// <summary>
/// PostgreSQL writers run side by side and still publish their versions in order: a reader at version v sees every
/// change up to v and nothing after it, so reading as of a version stays reproducible.
/// </summary>
public sealed class ConcurrentWritersTests(PostgresFixture postgres) : IClassFixture<PostgresFixture>
{
    private static readonly ContributionDefaults Dft = new() { Scheme = "mp2020", Licence = "CC-BY-4.0", Reference = "doi:10.0/test" };
    private static readonly Viewer Acme = new("acme", true); // an operator: may publish to public
    private static readonly MaterialsQuery All = new(null, null, null, 2000);

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task AChangeWaitsForEveryLowerVersionBeforeItIsPublished(bool slowWriterCommits)
    {
        var ct = TestContext.Current.CancellationToken;
        var (source, store, db) = await OpenAsync(ct);
        await using var _ = source;
        var first = await db.ContributeAsync([new ContributionRow { Formula = "Li2O", EFormPerAtom = -2.0, Visibility = "public" }], Dft, Acme, cancellationToken: ct);

        // A writer that took the next version and is still writing (as a large upload would be).
        await using var slow = await source.OpenConnectionAsync(ct);
        await using var slowTx = await slow.BeginTransactionAsync(ct);
        var held = await PostgresVersionOrder.AllocateAsync(slow, slowTx, 0);
        Assert.Equal(first.Version + 1, held.Version);

        var fast = db.ContributeAsync([new ContributionRow { Formula = "Li2O2", EFormPerAtom = -1.5, Visibility = "public" }], Dft, Acme, cancellationToken: ct);
        await WaitForAsync(async () => await CountAsync(source, "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted", ct) == 1, ct);

        // The later change has written its rows but is not published: readers stay at the first version.
        Assert.False(fast.IsCompleted);
        Assert.Equal(first.Version, await store.LatestVersionAsync(ct));
        Assert.Equal(first.Version, await db.ResolveVersionAsync(Viewer.Anonymous, null, ct));
        Assert.Single(await db.QueryAsync(All, Acme, ct));

        if (slowWriterCommits)
        {
            await slowTx.CommitAsync(ct);
        }
        else
        {
            await slowTx.RollbackAsync(ct);
        }

        var later = await fast.WaitAsync(TimeSpan.FromSeconds(30), ct);
        Assert.Equal(held.Version + 1, later.Version);
        Assert.Equal(later.Version, await store.LatestVersionAsync(ct));
        Assert.Equal(later.Version, await db.ResolveVersionAsync(Viewer.Anonymous, null, ct));
        Assert.Equal(["Li2O", "Li2O2"], (await db.QueryAsync(All, Acme, ct)).Select(e => e.Formula));
        Assert.Equal(["Li2O"], (await db.QueryAsync(All with { AsOfVersion = held.Version }, Acme, ct)).Select(e => e.Formula));
    }

    [Fact]
    public async Task ManyWritersAtOnceGiveEachChangeItsOwnVersionAndContiguousNumbers()
    {
        var ct = TestContext.Current.CancellationToken;
        var (source, store, db) = await OpenAsync(ct);
        await using var _ = source;
        string[] formulas = ["Li2O", "LiO2", "Li2O2", "Na2O", "NaO2", "K2O", "KO2", "MgO"];

        // Eight uploads of different sizes at once; the last two are one upload sent twice with the same idempotency key.
        var uploads = Enumerable.Range(0, 8).Select(i => Task.Run(
            () => db.ContributeAsync(
                [.. Enumerable.Range(0, 50 * (Math.Min(i, 6) + 1)).Select(j => new ContributionRow { Formula = formulas[(Math.Min(i, 6) + j) % formulas.Length], EFormPerAtom = -1 - (0.001 * j), Visibility = "public" })],
                Dft, Acme, i >= 6 ? new IdempotencyKey("same", "sha") : null, ct), ct)).ToArray();
        var all = await Task.WhenAll(uploads);

        Assert.Single(all, r => r.Replayed);
        Assert.Equal(all[6].Ids, all[7].Ids);
        var results = all.Where(r => !r.Replayed).ToArray();
        Assert.Equal(7, results.Select(r => r.Version).Distinct().Count());
        foreach (var r in results)
        {
            var numbers = r.Ids.Select(id => long.Parse(id["mdb-".Length..], System.Globalization.CultureInfo.InvariantCulture)).ToArray();
            Assert.Equal(Enumerable.Range(0, numbers.Length).Select(k => numbers[0] + k), numbers);
        }

        Assert.Equal(results.Sum(r => r.Ids.Count), results.SelectMany(r => r.Ids).Distinct().Count());

        // Each version holds exactly the changes up to it.
        foreach (var r in results)
        {
            var expected = results.Where(o => o.Version <= r.Version).Sum(o => o.Ids.Count);
            Assert.Equal(expected, (await db.QueryAsync(All with { AsOfVersion = r.Version }, Viewer.Anonymous, ct)).Count);
        }

        Assert.Equal(results.Max(r => r.Version), await store.LatestVersionAsync(ct));
    }

    // A new PostgreSQL database with the store's tables.
    private async Task<(NpgsqlDataSource Source, PostgresMaterialsStore Store, MaterialsDatabase Db)> OpenAsync(CancellationToken ct)
    {
        postgres.Require();
        var source = NpgsqlDataSource.Create(await postgres.CreateDatabaseAsync());
        var store = new PostgresMaterialsStore(source);
        await store.InitializeAsync(ct);
        return (source, store, new MaterialsDatabase(store));
    }

    private static async Task<long> CountAsync(NpgsqlDataSource source, string sql, CancellationToken ct)
    {
        await using var command = source.CreateCommand(sql);
        return (long)(await command.ExecuteScalarAsync(ct))!;
    }

    private static async Task WaitForAsync(Func<Task<bool>> condition, CancellationToken ct)
    {
        for (var i = 0; i < 600 && !await condition(); i++)
        {
            await Task.Delay(50, ct);
        }

        Assert.True(await condition(), "the condition did not hold within 30 s");
    }
}
