using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using MaterialsDb.Service.Auth;
using MaterialsDb.Service.Materials;
using MaterialsDb.Service.Store;
using MaterialsDb.TestSupport;
using Npgsql;

namespace MaterialsDb.Service.Tests;

/// <summary>PostgreSQL mode with real processes: an API node, worker nodes, a worker killed mid-job, an API restart.</summary>
public sealed class PostgresServiceTests(PostgresFixture postgres) : IClassFixture<PostgresFixture>
{
    // About 12,000 candidates in chunks of 1,500: long enough to kill a worker in the middle.
    private const string BigSpec = """
        name: cluster-test
        candidates:
          enumerate:
            elements: [Li, Na, Mg, Ca, Al, O, S, Cl, N]
            n_elements: [2, 3]
            max_coefficient: 6
        predict: [band-gap-pbe]
        stability: {reference: mp_e_form, model: formation-energy}
        constraints:
          e_above_hull: {max: 0.3}
        rank: {by: [e_above_hull, -band-gap-pbe]}
        top: 200
        """;

    [Fact]
    public async Task KeysFromTheCommandLineAuthenticateAndRevoke()
    {
        postgres.Require();
        var (exit, output) = await RunCliAsync("keys", "create", "--postgres", postgres.ConnectionString, "--tenant", "cli-keys", "--role", "operator");
        Assert.Equal(0, exit);
        var key = output.Trim().Split('\n')[^1].Trim();
        Assert.StartsWith("mdb_", key, StringComparison.Ordinal);

        using var results = new TempDirectory();
        await using var node = await ServiceNode.StartAsync(new ServiceOptions { Postgres = postgres.ConnectionString, ResultsFolder = results.Path, Workers = 0 });
        Assert.Equal(HttpStatusCode.OK, (await node.SendAsync(HttpMethod.Get, "/api/v1/workers", key)).StatusCode);

        var (_, listed) = await RunCliAsync("keys", "list", "--postgres", postgres.ConnectionString);
        Assert.DoesNotContain(key, listed, StringComparison.Ordinal);
        var id = listed.Split('\n').First(l => l.Contains("\tcli-keys\t", StringComparison.Ordinal)).Split('\t')[0];
        Assert.Equal(0, (await RunCliAsync("keys", "revoke", "--postgres", postgres.ConnectionString, id[..8])).Exit);
        Assert.Equal(HttpStatusCode.Unauthorized, (await node.SendAsync(HttpMethod.Get, "/api/v1/models", key)).StatusCode);
    }

    [Fact]
    public async Task ASelfConsistentScreeningOnPostgresEqualsOneProcess()
    {
        postgres.Require();
        using var results = new TempDirectory();
        var store = await ServiceHost.OpenStoreAsync(postgres.ConnectionString, TestContext.Current.CancellationToken);
        var (_, key) = await ApiKeys.CreateAsync(store, "consistent", Role.Member, TestContext.Current.CancellationToken);
        await using var node = await ServiceNode.StartAsync(new ServiceOptions { Postgres = postgres.ConnectionString, ResultsFolder = results.Path, Workers = 2, ChunkSize = 50 });
        var id = await node.SubmitAsync(LocalScreening.SelfConsistentSpec, key);
        var status = await node.WaitAsync(id, key);
        Assert.Equal(States.Succeeded, status.GetProperty("state").GetString());
        Assert.Equal(5, status.GetProperty("chunks").GetInt32());
        using var response = await node.SendAsync(HttpMethod.Get, $"/api/v1/screenings/{id}/results", key);
        LocalScreening.AssertSameRows(await LocalScreening.RunAsync(LocalScreening.SelfConsistentSpec), await LocalScreening.ReadParquetAsync(await response.Content.ReadAsByteArrayAsync(TestContext.Current.CancellationToken)));
    }

    [Fact]
    public async Task AKilledWorkersChunkIsFinishedByAnotherWithNothingLostOrDuplicated()
    {
        postgres.Require();
        using var results = new TempDirectory();
        var store = await ServiceHost.OpenStoreAsync(postgres.ConnectionString, TestContext.Current.CancellationToken);
        var (_, key) = await ApiKeys.CreateAsync(store, "acme", Role.Member, TestContext.Current.CancellationToken);
        await using var node = await ServiceNode.StartAsync(new ServiceOptions { Postgres = postgres.ConnectionString, ResultsFolder = results.Path, Workers = 0, ChunkSize = 1500 });
        var id = await node.SubmitAsync(BigSpec, key);

        // Worker A takes chunks; once it has finished one (so it is surely inside the next), kill it.
        using var a = StartWorker(results.Path);
        var deadline = DateTime.UtcNow.AddMinutes(2);
        while ((await store.GetScreeningAsync(id, TestContext.Current.CancellationToken))!.ChunksDone < 1 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(100, TestContext.Current.CancellationToken);
        }

        a.Kill(entireProcessTree: true);
        await a.WaitForExitAsync(TestContext.Current.CancellationToken);

        var afterKill = (await store.GetScreeningAsync(id, TestContext.Current.CancellationToken))!;
        Assert.True(afterKill.ChunksDone < afterKill.Chunks, "worker A finished everything before it was killed; the test needs more chunks");


        // Worker B picks up what is left, including the chunk A held (after the invisibility timeout).
        using var b = StartWorker(results.Path);
        try
        {
            // Stops early when B is gone: its output then says why.
            var status = await node.WaitAsync(id, key, TimeSpan.FromMinutes(4), giveUp: () => b.HasExited);
            var state = status.GetProperty("state").GetString();
            Assert.True(state == States.Succeeded, $"the screening is {state} ({status}); worker A printed:\n{a.Log}\nworker B printed:\n{b.Log}");
            Assert.Equal(status.GetProperty("candidates").GetInt64(), status.GetProperty("processed").GetInt64());
        }
        finally
        {
            b.Kill(entireProcessTree: true);
        }

        using var response = await node.SendAsync(HttpMethod.Get, $"/api/v1/screenings/{id}/results", key);
        var served = await LocalScreening.ReadParquetAsync(await response.Content.ReadAsByteArrayAsync(TestContext.Current.CancellationToken));
        LocalScreening.AssertSameRows(await LocalScreening.RunAsync(BigSpec), served);
    }

    [Fact]
    public async Task RestartingTheApiNodeLosesNoSubmittedJob()
    {
        postgres.Require();
        using var results = new TempDirectory();
        var store = await ServiceHost.OpenStoreAsync(postgres.ConnectionString, TestContext.Current.CancellationToken);
        var (_, key) = await ApiKeys.CreateAsync(store, "restart", Role.Member, TestContext.Current.CancellationToken);
        var options = new ServiceOptions { Postgres = postgres.ConnectionString, ResultsFolder = results.Path, Workers = 0, ChunkSize = 100 };
        Guid id;
        await using (var first = await ServiceNode.StartAsync(options))
        {
            id = await first.SubmitAsync(LocalScreening.Spec, key);
        }

        // A new API node, this time with workers: the job submitted to the old one runs to the end.
        await using var second = await ServiceNode.StartAsync(options with { Workers = 2 });
        var status = await second.WaitAsync(id, key);
        Assert.Equal(States.Succeeded, status.GetProperty("state").GetString());
        Assert.Equal(status.GetProperty("submitted_by").GetGuid(), (await store.FindKeyAsync(ApiKeys.Hash(key), TestContext.Current.CancellationToken))!.Id);

        // Operators' usage, aggregated in SQL: this tenant's one screening, its candidates and some thread time.
        var (_, ops) = await ApiKeys.CreateAsync(store, "ops", Role.Operator, TestContext.Current.CancellationToken);
        using var usage = await second.SendAsync(HttpMethod.Get, "/api/v1/usage", ops);
        var mine = (await ServiceNode.JsonAsync(usage)).GetProperty("data").EnumerateArray().Single(u => u.GetProperty("tenant").GetString() == "restart");
        Assert.Equal(1, mine.GetProperty("screenings").GetInt64());
        Assert.Equal(0, mine.GetProperty("active").GetInt64());
        Assert.Equal(status.GetProperty("processed").GetInt64(), mine.GetProperty("candidates").GetInt64());
        Assert.True(mine.GetProperty("thread_seconds").GetDouble() > 0);
        using var forbidden = await second.SendAsync(HttpMethod.Get, "/api/v1/usage", key);
        Assert.Equal(HttpStatusCode.Forbidden, forbidden.StatusCode);

        using var response = await second.SendAsync(HttpMethod.Get, $"/api/v1/screenings/{id}/results", key);
        LocalScreening.AssertSameRows(await LocalScreening.RunAsync(LocalScreening.Spec), await LocalScreening.ReadParquetAsync(await response.Content.ReadAsByteArrayAsync(TestContext.Current.CancellationToken)));
    }

    private WorkerProcess StartWorker(string results)
    {
        var info = new ProcessStartInfo("dotnet", [Path.Combine(AppContext.BaseDirectory, "materialsdb.dll"), "worker", "--postgres", postgres.ConnectionString, "--workers", "1", "--results", results, "--invisibility-timeout", "5"])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        info.Environment["MATERIALSDB_MIRROR"] = SharedFiles.Mirror();
        return new WorkerProcess(Process.Start(info)!);
    }

    private static async Task<(int Exit, string Output)> RunCliAsync(params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var exit = await Cli.CliApp.RunAsync(args, output, error, SharedFiles.MirrorStore(), TestContext.Current.CancellationToken);
        return (exit, output + error.ToString());
    }
}

/// <summary>A worker node in its own process, its output kept for the message of a failed test.</summary>
internal sealed class WorkerProcess : IDisposable
{
    private readonly Process _process;
    private readonly System.Collections.Concurrent.ConcurrentQueue<string> _lines = new();

    public WorkerProcess(Process process)
    {
        _process = process;
        _process.OutputDataReceived += (_, e) => Keep(e.Data);
        _process.ErrorDataReceived += (_, e) => Keep(e.Data);
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    /// <summary>The last lines it printed.</summary>
    public string Log => string.Join('\n', _lines);

    public bool HasExited => _process.HasExited;

    public void Kill(bool entireProcessTree) => _process.Kill(entireProcessTree);

    public Task WaitForExitAsync(CancellationToken cancellationToken) => _process.WaitForExitAsync(cancellationToken);

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
        }

        _process.Dispose();
    }

    private void Keep(string? line)
    {
        if (line is null)
        {
            return;
        }

        _lines.Enqueue(line);
        while (_lines.Count > 200 && _lines.TryDequeue(out _))
        {
        }
    }
}
