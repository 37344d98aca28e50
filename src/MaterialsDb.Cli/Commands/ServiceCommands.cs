using System.CommandLine;
using System.Globalization;
using MaterialsDb.Models.Packages;
using MaterialsDb.Service;
using MaterialsDb.Service.Auth;
using MaterialsDb.Service.Store;
using Npgsql;

namespace MaterialsDb.Cli.Commands;

/// <summary><c>serve</c>, <c>worker</c>, <c>keys</c> and <c>db import</c>: running the screening service.</summary>
internal static class ServiceCommands
{
    public static IEnumerable<Command> Create(CliContext context)
    {
        yield return Serve(context);
        yield return Worker(context);
        yield return Keys(context);
        yield return DatabaseCommand(context);
        yield return OpenApi(context);
    }

    // The API's OpenAPI document without a running service: a node is started on a loopback port of its own, asked
    // for the document, and stopped (so the file is exactly what a server answers).
    private static Command OpenApi(CliContext context)
    {
        var output = new Option<FileInfo?>("--output", "-o") { Description = "Write the document here (default: standard output)." };
        var command = new Command("openapi", "Print the service's OpenAPI 3.1 document (for client generators and validators).") { output };
        command.SetAction(async (parse, ct) =>
        {
            var scratch = Directory.CreateTempSubdirectory("materialsdb-openapi-");
            try
            {
                var options = new ServiceOptions { Urls = "http://127.0.0.1:0", Workers = 0, ResultsFolder = scratch.FullName };
                string document;
                await using (var app = ServiceHost.BuildServer(options, context.Store, ModelRegistry.FromEnvironment(), new MemoryStore()))
                {
                    await app.StartAsync(ct).ConfigureAwait(false);
                    using var http = new HttpClient { BaseAddress = new Uri(app.Urls.First()) };
                    document = await http.GetStringAsync(new Uri("/api/v1/openapi.json", UriKind.Relative), ct).ConfigureAwait(false);
                    await app.StopAsync(CancellationToken.None).ConfigureAwait(false);
                }

                if (parse.GetValue(output) is { } file)
                {
                    await File.WriteAllTextAsync(file.FullName, document, ct).ConfigureAwait(false);
                }
                else
                {
                    await context.Output.WriteLineAsync(document).ConfigureAwait(false);
                }

                return 0;
            }
            finally
            {
                scratch.Delete(recursive: true);
            }
        });
        return command;
    }

    private static Option<string?> PostgresOption(string description) => new("--postgres") { Description = description };

    // The plan job enforces the limit on the node that runs it, so API and worker nodes take the same option.
    private static Option<long> MaxCandidatesOption() => new("--max-candidates")
    {
        Description = "Largest space (candidates after the chemical filters) one screening may have; give API and worker nodes the same value.",
        DefaultValueFactory = _ => new ServiceOptions().MaxCandidates,
    };

    private static Command Serve(CliContext context)
    {
        var urls = new Option<string>("--urls") { Description = "Listen address.", DefaultValueFactory = _ => new ServiceOptions().Urls };
        var postgres = PostgresOption("PostgreSQL connection string: share jobs and state with worker nodes. Without it: embedded mode (in-memory jobs, nothing to install).");
        var results = new Option<string?>("--results") { Description = "Results folder (all nodes must reach it; default $MATERIALSDB_HOME/service/results)." };
        var workers = new Option<int>("--workers") { Description = "Local Hangfire workers (0: API only).", DefaultValueFactory = _ => Environment.ProcessorCount };
        var chunk = new Option<long>("--chunk-size") { Description = "Candidates per chunk job.", DefaultValueFactory = _ => new ServiceOptions().ChunkSize };
        var limit = MaxCandidatesOption();
        var command = new Command("serve", "Run the screening service: REST API under /api/v1 (OpenAPI at /api/v1/openapi.json), Hangfire dashboard at /hangfire (operators), local workers.")
        {
            urls, postgres, results, workers, chunk, limit,
        };
        command.SetAction(async (parse, ct) =>
        {
            var options = new ServiceOptions { Urls = parse.GetValue(urls)!, Postgres = parse.GetValue(postgres), Workers = parse.GetValue(workers), ChunkSize = parse.GetValue(chunk) }.WithMaxCandidates(parse.GetValue(limit));
            options = parse.GetValue(results) is { } r ? options with { ResultsFolder = Path.GetFullPath(r) } : options;
            IServiceStore? state = options.Postgres is null ? new MemoryStore(new KeyFile(KeyFile.DefaultPath)) : null;
            await using var app = ServiceHost.BuildServer(options, context.Store, ModelRegistry.FromEnvironment(), state);
            return await RunUntilStoppedAsync(app, () => $"MaterialsDb service on {string.Join(", ", app.Urls)} ({(options.Postgres is null ? "embedded: in-memory jobs; keys from " + KeyFile.DefaultPath : "PostgreSQL")}, {options.Workers} local worker(s), results in {options.ResultsFolder}).", context, ct).ConfigureAwait(false);
        });
        return command;
    }

    private static Command Worker(CliContext context)
    {
        var postgres = PostgresOption("PostgreSQL connection string of the cluster (required).");
        postgres.Required = true;
        var queues = new Option<string[]>("--queues") { Description = "Queues to take jobs from, highest priority first.", DefaultValueFactory = _ => [.. new ServiceOptions().Queues], AllowMultipleArgumentsPerToken = true };
        var workers = new Option<int>("--workers") { Description = "Hangfire workers (each screens one chunk on one thread).", DefaultValueFactory = _ => Environment.ProcessorCount };
        var results = new Option<string?>("--results") { Description = "The shared results folder." };
        var invisibility = new Option<int>("--invisibility-timeout") { Description = "Seconds after which a job held by a dead worker goes to another one.", DefaultValueFactory = _ => (int)new ServiceOptions().InvisibilityTimeout.TotalSeconds };
        var limit = MaxCandidatesOption();
        var command = new Command("worker", "Run a worker node: takes chunk and merge jobs from the shared PostgreSQL queue.") { postgres, queues, workers, results, invisibility, limit };
        command.SetAction(async (parse, ct) =>
        {
            var options = new ServiceOptions { Postgres = parse.GetValue(postgres), Queues = parse.GetValue(queues)!, Workers = parse.GetValue(workers), InvisibilityTimeout = TimeSpan.FromSeconds(Math.Max(5, parse.GetValue(invisibility))) }.WithMaxCandidates(parse.GetValue(limit));
            options = parse.GetValue(results) is { } r ? options with { ResultsFolder = Path.GetFullPath(r) } : options;
            using var host = ServiceHost.BuildWorker(options, context.Store, ModelRegistry.FromEnvironment());
            return await RunUntilStoppedAsync(host, () => $"MaterialsDb worker: {options.Workers} worker(s) on queues {string.Join(", ", options.Queues)}.", context, ct).ConfigureAwait(false);
        });
        return command;
    }

    private static Command Keys(CliContext context)
    {
        var postgres = PostgresOption("PostgreSQL connection string (default: the embedded mode's key file).");
        var tenant = new Option<string>("--tenant") { Description = "Tenant the key belongs to.", Required = true };
        var role = new Option<Role>("--role") { Description = "member, operator or admin.", DefaultValueFactory = _ => Role.Member };
        var create = new Command("create", "Create an API key; the key is printed alone on the last line and never shown again.") { postgres, tenant, role };
        create.SetAction(async (parse, ct) =>
        {
            var store = await OpenAsync(parse.GetValue(postgres), ct).ConfigureAwait(false);
            var (record, key) = await ApiKeys.CreateAsync(store, parse.GetValue(tenant)!, parse.GetValue(role), ct).ConfigureAwait(false);
            await context.Output.WriteLineAsync($"Created key {record.Id} for tenant '{record.Tenant}' ({record.Role.ToString().ToLowerInvariant()}). Store it now:").ConfigureAwait(false);
            await context.Output.WriteLineAsync(key).ConfigureAwait(false);
            return 0;
        });

        var listPostgres = PostgresOption("PostgreSQL connection string (default: the embedded mode's key file).");
        var list = new Command("list", "List keys: id, tenant, role, created, revoked (never the key).") { listPostgres };
        list.SetAction(async (parse, ct) =>
        {
            var store = await OpenAsync(parse.GetValue(listPostgres), ct).ConfigureAwait(false);
            if (parse.GetValue(listPostgres) is null)
            {
                foreach (var problem in new KeyFile(KeyFile.DefaultPath).ReadWithProblems().Problems)
                {
                    await context.Error.WriteLineAsync($"materialsdb: warning: {problem}").ConfigureAwait(false);
                }
            }

            foreach (var k in await store.ListKeysAsync(ct).ConfigureAwait(false))
            {
                await context.Output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"{k.Id}\t{k.Tenant}\t{k.Role.ToString().ToLowerInvariant()}\t{k.Created:u}\t{(k.Revoked ? "revoked" : "active")}")).ConfigureAwait(false);
            }

            return 0;
        });

        var revokePostgres = PostgresOption("PostgreSQL connection string (default: the embedded mode's key file).");
        var id = new Argument<string>("id") { Description = "Key id, or a unique prefix of at least 4 characters." };
        var revoke = new Command("revoke", "Revoke a key: it stops working at once.") { revokePostgres, id };
        revoke.SetAction(async (parse, ct) =>
        {
            var store = await OpenAsync(parse.GetValue(revokePostgres), ct).ConfigureAwait(false);
            if (!await store.RevokeKeyAsync(parse.GetValue(id)!, ct).ConfigureAwait(false))
            {
                throw new MaterialsDbException($"No single key matches '{parse.GetValue(id)}'; 'materialsdb keys list' shows the ids.");
            }

            await context.Output.WriteLineAsync($"Revoked {parse.GetValue(id)}.").ConfigureAwait(false);
            return 0;
        });
        return new Command("keys", "Manage API keys (stored hashed).") { create, list, revoke };
    }

    private static Command DatabaseCommand(CliContext context)
    {
        var postgres = DatabaseOptions.Postgres();
        var results = DatabaseOptions.Results();
        var datasets = new Argument<string[]>("datasets") { Description = "Catalog datasets to load: " + string.Join(", ", MaterialsDb.Database.EnergySchemes.All.Where(s => s.CatalogDataset is not null).Select(s => s.CatalogDataset)) + ".", Arity = ArgumentArity.OneOrMore };
        var import = new Command("import", "Load catalog datasets as public entries of their energy scheme (once; a repeat changes nothing).") { postgres, results, datasets };
        import.SetAction(async (parse, ct) =>
        {
            var (database, dispose) = await OpenDatabaseAsync(parse.GetValue(postgres), parse.GetValue(results), ct).ConfigureAwait(false);
            await using var _ = dispose;
            foreach (var dataset in parse.GetValue(datasets)!)
            {
                var (imported, skipped, version) = await database.ImportCatalogAsync(context.Store, dataset, ct).ConfigureAwait(false);
                await context.Output.WriteLineAsync(imported == 0
                    ? string.Create(CultureInfo.InvariantCulture, $"{dataset}: already imported (database version {version}).")
                    : string.Create(CultureInfo.InvariantCulture, $"{dataset}: {imported:N0} entries imported as database version {version}{(skipped > 0 ? $", {skipped:N0} rows skipped (unparseable formula or implausible energy)" : string.Empty)}.")).ConfigureAwait(false);
            }

            return 0;
        });

        var file = new Argument<FileInfo>("file") { Description = "CSV or Parquet with columns formula, e_form_per_atom and optionally scheme, visibility, source_kind, total_energy_per_atom, band_gap, code, functional, label, reference, licence, contributor." };
        var filing = DatabaseOptions.FilingOptions("Energy scheme of rows that name none: ", " of rows that name none", "Dataset or batch label (default: the file name).");
        var tenant = DatabaseOptions.Tenant();
        var contribute = new Command("contribute", "Add computed or measured entries to the materials database in one transaction (all rows or none).") { file, tenant, postgres, results };
        foreach (var option in filing.All)
        {
            contribute.Options.Add(option);
        }

        contribute.SetAction(async (parse, ct) =>
        {
            var path = parse.GetValue(file)!;
            if (!path.Exists)
            {
                throw new InvalidOptionException($"{path.FullName} does not exist.");
            }

            var table = path.Extension.Equals(".parquet", StringComparison.OrdinalIgnoreCase)
                ? (await Data.Tables.ParquetTableReader.ReadAsync(path.FullName, ct).ConfigureAwait(false)).Table
                : Data.Tables.CsvTableReader.Read(path.FullName, MaterialsDb.Database.ContributionTable.TextColumns);
            var rows = MaterialsDb.Database.ContributionTable.Rows(table);
            var (database, dispose) = await OpenDatabaseAsync(parse.GetValue(postgres), parse.GetValue(results), ct).ConfigureAwait(false);
            await using var _ = dispose;
            // Whoever runs this command has the database itself in hand: it acts as an operator (may publish).
            var result = await database.ContributeAsync(rows, filing.Defaults(parse, path.Name), new MaterialsDb.Database.Viewer(parse.GetValue(tenant), IsOperator: true), null, ct).ConfigureAwait(false);
            await context.Output.WriteLineAsync(result.Ids.Count == 1
                ? string.Create(CultureInfo.InvariantCulture, $"1 entry contributed as database version {result.Version}: {result.Ids[0]}.")
                : string.Create(CultureInfo.InvariantCulture, $"{result.Ids.Count:N0} entries contributed as database version {result.Version}: {result.Ids[0]} to {result.Ids[^1]}.")).ConfigureAwait(false);
            return 0;
        });
        return new Command("db", "The shared materials database (embedded, or PostgreSQL with --postgres).") { import, contribute };
    }

    internal static async Task<(MaterialsDb.Database.MaterialsDatabase Database, IAsyncDisposable Dispose)> OpenDatabaseAsync(string? postgres, string? results, CancellationToken ct)
    {
        if (postgres is not null)
        {
            var source = NpgsqlDataSource.Create(postgres);
            var pg = new MaterialsDb.Database.PostgresMaterialsStore(source);
            await pg.InitializeAsync(ct).ConfigureAwait(false);
            return (new MaterialsDb.Database.MaterialsDatabase(pg), source);
        }

        var options = results is null ? new ServiceOptions() : new ServiceOptions { ResultsFolder = results };
        var memory = new MaterialsDb.Database.MemoryMaterialsStore(options.DatabaseFolderInEffect, Data.Downloads.DatasetStore.FromEnvironment());
        await memory.InitializeAsync(ct).ConfigureAwait(false);
        return (new MaterialsDb.Database.MaterialsDatabase(memory), new Disposer(memory));
    }

    private sealed class Disposer(IDisposable inner) : IAsyncDisposable
    {
        public ValueTask DisposeAsync()
        {
            inner.Dispose();
            return ValueTask.CompletedTask;
        }
    }

    // Starts the host, says where it runs, and stops it cleanly on Ctrl-C (the cancellation of the command).
    private static async Task<int> RunUntilStoppedAsync(Microsoft.Extensions.Hosting.IHost host, Func<string> banner, CliContext context, CancellationToken ct)
    {
        await host.StartAsync(ct).ConfigureAwait(false);
        await context.Output.WriteLineAsync(banner()).ConfigureAwait(false);
        try
        {
            await Task.Delay(Timeout.Infinite, ct).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }

        await host.StopAsync(CancellationToken.None).ConfigureAwait(false);
        return 0;
    }

    private static async Task<IServiceStore> OpenAsync(string? postgres, CancellationToken ct) =>
        postgres is null ? new MemoryStore(new KeyFile(KeyFile.DefaultPath)) : await ServiceHost.OpenStoreAsync(postgres, ct).ConfigureAwait(false);
}
