using MaterialsDb.Service.Store;
using MaterialsDb.TestSupport;
using Npgsql;

namespace MaterialsDb.Service.Tests;

/// <summary>
/// A fresh database on the PostgreSQL server named by MATERIALSDB_TEST_POSTGRES (which .ci/run starts), dropped
/// afterwards. Without that variable the PostgreSQL tests are skipped — and fail in CI.
/// </summary>
public sealed class PostgresFixture : IAsyncLifetime
{
    public const string Variable = "MATERIALSDB_TEST_POSTGRES";

    private string? _server;
    private string? _database;

    /// <summary>Connection string of the test database.</summary>
    public string ConnectionString { get; private set; } = string.Empty;

    public async ValueTask InitializeAsync()
    {
        _server = Environment.GetEnvironmentVariable(Variable);
        if (string.IsNullOrEmpty(_server))
        {
            return;
        }

        _database = "mdb_test_" + Guid.NewGuid().ToString("N")[..12];
        await using var connection = new NpgsqlConnection(_server);
        await connection.OpenAsync();
        await using (var create = new NpgsqlCommand($"CREATE DATABASE {_database}", connection))
        {
            await create.ExecuteNonQueryAsync();
        }

        ConnectionString = new NpgsqlConnectionStringBuilder(_server) { Database = _database, Pooling = false }.ConnectionString;
    }

    private readonly List<string> _extra = [];

    /// <summary>A further fresh database on the same server (dropped with the fixture), for tests that need an empty one.</summary>
    public async Task<string> CreateDatabaseAsync()
    {
        Require();
        var name = "mdb_test_" + Guid.NewGuid().ToString("N")[..12];
        await using var connection = new NpgsqlConnection(_server);
        await connection.OpenAsync();
        await using (var create = new NpgsqlCommand($"CREATE DATABASE {name}", connection))
        {
            await create.ExecuteNonQueryAsync();
        }

        _extra.Add(name);
        return new NpgsqlConnectionStringBuilder(_server) { Database = name, Pooling = false }.ConnectionString;
    }

    /// <summary>Skips the test (fails it in CI) when no server is configured.</summary>
    public void Require()
    {
        if (ConnectionString.Length > 0)
        {
            return;
        }

        if (SharedFiles.InCi)
        {
            throw new InvalidOperationException($"{Variable} is not set; .ci/run must start PostgreSQL.");
        }

        Assert.Skip($"{Variable} is not set (see .ci/run for starting a throwaway PostgreSQL).");
    }

    public async ValueTask DisposeAsync()
    {
        if (_database is null)
        {
            return;
        }

        NpgsqlConnection.ClearAllPools();
        await using var connection = new NpgsqlConnection(_server);
        await connection.OpenAsync();
        foreach (var name in _extra.Append(_database))
        {
            await using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS {name} WITH (FORCE)", connection);
            await drop.ExecuteNonQueryAsync();
        }
    }

    /// <summary>A node's store and options in a mode: "embedded" (memory, no server) or "postgres" (a new database).</summary>
    public async Task<(IServiceStore Store, ServiceOptions Options)> ModeAsync(string mode, string results)
    {
        if (mode == "embedded")
        {
            return (new MemoryStore(), new ServiceOptions { ResultsFolder = results });
        }

        var connection = await CreateDatabaseAsync();
        return (await ServiceHost.OpenStoreAsync(connection, TestContext.Current.CancellationToken), new ServiceOptions { Postgres = connection, ResultsFolder = results });
    }

    /// <summary>An opened materials store: "memory" (with a journal in a new folder under <paramref name="folder"/>) or "postgres" (a new database).</summary>
    public async Task<MaterialsDb.Database.IMaterialsStore> OpenMaterialsStoreAsync(string kind, string folder)
    {
        MaterialsDb.Database.IMaterialsStore store = kind == "memory"
            ? new MaterialsDb.Database.MemoryMaterialsStore(Path.Combine(folder, Guid.NewGuid().ToString("N")))
            : new MaterialsDb.Database.PostgresMaterialsStore(NpgsqlDataSource.Create(await CreateDatabaseAsync()));
        await store.InitializeAsync(TestContext.Current.CancellationToken);
        return store;
    }
}
