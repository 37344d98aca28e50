using System.Net;
using System.Net.Http.Json;
using Hangfire;
using MaterialsDb.Screening.Engine;
using MaterialsDb.Screening.Spec;
using MaterialsDb.Service.Auth;
using MaterialsDb.Service.Jobs;
using MaterialsDb.Service.Store;
using MaterialsDb.TestSupport;
using Microsoft.Extensions.DependencyInjection;

namespace MaterialsDb.Service.Tests;

/// <summary>
/// Jobs never stick and nothing counts twice, on real PostgreSQL with real processes: concurrent chunk completions, a
/// tenant's parallel submissions, jobs that vanish, an API node killed in the middle of submissions, nodes starting
/// together on a fresh database.
/// </summary>
public sealed class JobRobustnessTests(PostgresFixture postgres) : IClassFixture<PostgresFixture>
{
    private static readonly ServiceOptions Fast = new() { RetryDelays = [TimeSpan.Zero], SweepInterval = TimeSpan.FromMilliseconds(500), SweepGrace = TimeSpan.FromSeconds(1) };

    [Fact]
    public async Task ConcurrentChunkCompletionsCompleteTheSetExactlyOnce()
    {
        // The old count could not see a chunk committed at the same moment: two last chunks each saw N-1 and no merge ran.
        postgres.Require();
        var store = await ServiceHost.OpenStoreAsync(postgres.ConnectionString, TestContext.Current.CancellationToken);
        const int Chunks = 8;
        for (var iteration = 0; iteration < 60; iteration++)
        {
            var id = await NewScreeningAsync(store, $"race-{iteration % 7}", Chunks);
            var outcomes = await Task.WhenAll(Enumerable.Range(0, Chunks * 2).Select(i => Task.Run(
                () => store.RecordChunkAsync(id, new ChunkResult(i % Chunks, 10, 1, [10, 5], [0.1, 0.2], 0.5), TestContext.Current.CancellationToken), TestContext.Current.CancellationToken)));
            Assert.Single(outcomes, o => o.CompletedTheSet);
            Assert.Equal(Chunks, outcomes.Count(o => o.Recorded));
            Assert.Equal(Chunks, outcomes.Max(o => o.Done));
            var claims = await Task.WhenAll(Enumerable.Range(0, 6).Select(_ => store.ClaimMergeAsync(id, TestContext.Current.CancellationToken)));
            Assert.Single(claims, c => c);
            var after = (await store.GetScreeningAsync(id, TestContext.Current.CancellationToken))!;
            Assert.Equal((Chunks, Chunks * 10L, (long)Chunks), (after.ChunksDone, after.Processed, after.Survivors));
            await store.TransitionAsync(id, States.Active, States.Succeeded, cancellationToken: TestContext.Current.CancellationToken);
        }
    }

    [Fact]
    public async Task ParallelSubmissionsRespectTheTenantLimit()
    {
        postgres.Require();
        using var results = new TempDirectory();
        var store = await ServiceHost.OpenStoreAsync(postgres.ConnectionString, TestContext.Current.CancellationToken);
        var (_, key) = await ApiKeys.CreateAsync(store, "parallel", Role.Member, TestContext.Current.CancellationToken);
        await using var node = await ServiceNode.StartAsync(new ServiceOptions { Postgres = postgres.ConnectionString, ResultsFolder = results.Path, Workers = 0, MaxActivePerTenant = 4 });
        const string Spec = "name: c\ncandidates: {enumerate: {elements: [Na, Cl], n_elements: [2, 2], max_coefficient: 2}}\n";
        var responses = await Task.WhenAll(Enumerable.Range(0, 16).Select(_ => node.SendAsync(HttpMethod.Post, "/api/v1/screenings", key, Spec)));
        Assert.Equal(4, responses.Count(r => r.StatusCode == HttpStatusCode.Accepted));
        Assert.Equal(12, responses.Count(r => r.StatusCode == HttpStatusCode.TooManyRequests));
        Assert.All(responses.Where(r => r.StatusCode == HttpStatusCode.TooManyRequests), r => Assert.NotNull(r.Headers.RetryAfter));
    }

    [Fact]
    public async Task TheSweeperPlansAScreeningWhoseSubmitterDiedBeforeEnqueuing()
    {
        postgres.Require();
        using var results = new TempDirectory();
        var store = await ServiceHost.OpenStoreAsync(postgres.ConnectionString, TestContext.Current.CancellationToken);
        var (_, key) = await ApiKeys.CreateAsync(store, "orphan", Role.Member, TestContext.Current.CancellationToken);

        // Inserted as the API does it, then nothing: the process died before it enqueued the plan job.
        var spec = SpecParser.Parse(LocalScreening.Spec, SpecOrigin.Service);
        var id = Guid.CreateVersion7();
        Assert.True(await store.TryAddScreeningAsync(new ScreeningRecord
        {
            Id = id,
            Tenant = "orphan",
            Name = spec.Name,
            Spec = LocalScreening.Spec,
            Queue = "default",
            State = States.Queued,
            Stages = ScreeningPlan.StageNamesFor(spec),
            ChunkSize = 100,
            Created = DateTimeOffset.UtcNow,
            Updated = DateTimeOffset.UtcNow,
        }, 4, TestContext.Current.CancellationToken));

        await using var node = await ServiceNode.StartAsync(Fast with { Postgres = postgres.ConnectionString, ResultsFolder = results.Path, Workers = 2 });
        var status = await node.WaitAsync(id, key);
        Assert.Equal(States.Succeeded, status.GetProperty("state").GetString());
        LocalScreening.AssertSameRows(await LocalScreening.RunAsync(LocalScreening.Spec), await LocalScreening.ReadParquetAsync(await (await node.SendAsync(HttpMethod.Get, $"/api/v1/screenings/{id}/results", key)).Content.ReadAsByteArrayAsync(TestContext.Current.CancellationToken)));
    }

    [Fact]
    public async Task TheSweeperReEnqueuesAJobThatWasDeleted()
    {
        postgres.Require();
        using var results = new TempDirectory();
        var store = await ServiceHost.OpenStoreAsync(postgres.ConnectionString, TestContext.Current.CancellationToken);
        var (_, key) = await ApiKeys.CreateAsync(store, "deleted", Role.Member, TestContext.Current.CancellationToken);
        Guid id;
        await using (var api = await ServiceNode.StartAsync(Fast with { Postgres = postgres.ConnectionString, ResultsFolder = results.Path, Workers = 0, SweepInterval = TimeSpan.FromHours(1), SweepGrace = TimeSpan.Zero }))
        {
            id = await api.SubmitAsync(LocalScreening.Spec, key);
            var plan = (await store.GetJobsAsync(id, TestContext.Current.CancellationToken)).Single(j => j.Kind == JobKind.Plan);
            Assert.True(api.Services.GetRequiredService<IBackgroundJobClient>().Delete(plan.JobId));

            var sweeper = api.Services.GetRequiredService<ScreeningSweeper>();
            var report = await sweeper.SweepOnceAsync(TestContext.Current.CancellationToken);
            Assert.Equal(1, report.Requeued);
            var again = (await store.GetJobsAsync(id, TestContext.Current.CancellationToken)).Single(j => j.Kind == JobKind.Plan);
            Assert.NotEqual(plan.JobId, again.JobId);

            // A job that is merely waiting in its queue is alive: nothing is enqueued twice.
            Assert.Equal(0, (await sweeper.SweepOnceAsync(TestContext.Current.CancellationToken)).Requeued);
        }

        await using var workers = await ServiceNode.StartAsync(Fast with { Postgres = postgres.ConnectionString, ResultsFolder = results.Path, Workers = 2 });
        Assert.Equal(States.Succeeded, (await workers.WaitAsync(id, key)).GetProperty("state").GetString());
    }

    [Fact]
    public async Task AnApiNodeKilledInTheMiddleOfSubmissionsLosesNoScreening()
    {
        postgres.Require();
        using var results = new TempDirectory();
        var store = await ServiceHost.OpenStoreAsync(postgres.ConnectionString, TestContext.Current.CancellationToken);
        var keys = new List<string>();
        for (var t = 0; t < 4; t++)
        {
            keys.Add((await ApiKeys.CreateAsync(store, $"killed-{t}", Role.Member, TestContext.Current.CancellationToken)).Key);
        }

        var port = CliProcess.FreePort();
        var accepted = new List<Guid>();
        using (var api = CliProcess.Start("serve", "--postgres", postgres.ConnectionString, "--results", results.Path, "--workers", "0", "--urls", $"http://127.0.0.1:{port}"))
        {
            Assert.True(await api.WaitForAsync("MaterialsDb service on", TimeSpan.FromMinutes(1)), api.Output);
            using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
            var submissions = keys.SelectMany(k => Enumerable.Range(0, 3).Select(async i =>
            {
                using var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/screenings") { Content = new StringContent(LocalScreening.Spec.Replace("service-test", $"killed-{i}", StringComparison.Ordinal), System.Text.Encoding.UTF8, "application/yaml") };
                request.Headers.Add(ApiKeys.Header, k);
                try
                {
                    using var response = await http.SendAsync(request, TestContext.Current.CancellationToken);
                    if (response.StatusCode == HttpStatusCode.Accepted)
                    {
                        var body = await response.Content.ReadFromJsonAsync<System.Text.Json.JsonElement>(TestContext.Current.CancellationToken);
                        lock (accepted)
                        {
                            accepted.Add(body.GetProperty("id").GetGuid());
                        }
                    }
                }
                catch (HttpRequestException)
                {
                    // Killed while this one was in flight.
                }
            })).ToArray();

            // Kill it as soon as the first submission is through, while the others are on their way.
            var deadline = DateTime.UtcNow.AddSeconds(30);
            while (accepted.Count == 0 && DateTime.UtcNow < deadline)
            {
                await Task.Delay(5, TestContext.Current.CancellationToken);
            }

            api.Kill();
            await Task.WhenAll(submissions);
        }

        // Whatever was stored — with or without its plan job — is finished by the next node's sweeper and workers.
        await using var node = await ServiceNode.StartAsync(Fast with { Postgres = postgres.ConnectionString, ResultsFolder = results.Path, Workers = 2 });
        var stored = (await store.ListActiveAsync(TestContext.Current.CancellationToken)).Where(s => s.Tenant.StartsWith("killed-", StringComparison.Ordinal)).Select(s => s.Id).ToList();
        Assert.All(accepted, id => Assert.Contains(id, stored.Concat(accepted)));
        foreach (var id in stored.Union(accepted))
        {
            var s = (await store.GetScreeningAsync(id, TestContext.Current.CancellationToken))!;
            var key = keys[int.Parse(s.Tenant["killed-".Length..], System.Globalization.CultureInfo.InvariantCulture)];
            Assert.Equal(States.Succeeded, (await node.WaitAsync(id, key, TimeSpan.FromMinutes(3))).GetProperty("state").GetString());
        }

        Assert.NotEmpty(accepted);
    }

    [Fact]
    public async Task NodesStartingTogetherOnAFreshDatabaseRaceNoSchemaInstall()
    {
        postgres.Require();
        var fresh = await postgres.CreateDatabaseAsync();
        using var results = new TempDirectory();
        var port = CliProcess.FreePort();
        using var api = CliProcess.Start("serve", "--postgres", fresh, "--results", results.Path, "--workers", "1", "--urls", $"http://127.0.0.1:{port}");
        using var first = CliProcess.Start("worker", "--postgres", fresh, "--results", results.Path, "--workers", "1");
        using var second = CliProcess.Start("worker", "--postgres", fresh, "--results", results.Path, "--workers", "1");
        Assert.True(await api.WaitForAsync("MaterialsDb service on", TimeSpan.FromMinutes(1)), api.Output);
        Assert.True(await first.WaitForAsync("MaterialsDb worker", TimeSpan.FromMinutes(1)), first.Output);
        Assert.True(await second.WaitForAsync("MaterialsDb worker", TimeSpan.FromMinutes(1)), second.Output);
        await Task.Delay(2000, TestContext.Current.CancellationToken);
        foreach (var node in new[] { api, first, second })
        {
            Assert.DoesNotContain("duplicate key value", node.Output, StringComparison.Ordinal);
            Assert.DoesNotContain("Exception", node.Output, StringComparison.Ordinal);
            Assert.False(node.Process.HasExited, node.Output);
        }
    }

    private static async Task<Guid> NewScreeningAsync(IServiceStore store, string tenant, int chunks)
    {
        var id = Guid.CreateVersion7();
        Assert.True(await store.TryAddScreeningAsync(new ScreeningRecord
        {
            Id = id,
            Tenant = tenant,
            Name = "race",
            Spec = "name: race",
            Queue = "default",
            State = States.Running,
            Stages = ["candidates", "features"],
            ChunkSize = 10,
            Created = DateTimeOffset.UtcNow,
            Updated = DateTimeOffset.UtcNow,
        }, int.MaxValue, TestContext.Current.CancellationToken));
        Assert.True(await store.SetPlanAsync(id, chunks * 10, new string?[chunks], TestContext.Current.CancellationToken));
        Assert.False(await store.SetPlanAsync(id, 1, [null], TestContext.Current.CancellationToken));
        return id;
    }
}
