using System.Text.Json;
using MaterialsDb.Chemistry;
using MaterialsDb.Data.Catalog;
using MaterialsDb.Data.Downloads;
using MaterialsDb.Data.Tables;
using Npgsql;
using NpgsqlTypes;

namespace MaterialsDb.Service.Materials;

/// <summary>
/// The materials database in PostgreSQL: one row per dataset entry with its composition, chemical system, element
/// list and properties, indexed for formula, chemical-system and element queries. Every import bumps the database
/// version, which workers use to know when their hull snapshots are stale.
/// </summary>
public static class MaterialsDatabase
{
    private const string Schema = """
        CREATE SCHEMA IF NOT EXISTS materialsdb;
        CREATE TABLE IF NOT EXISTS materialsdb.materials (
            dataset text NOT NULL, dataset_sha256 text NOT NULL, row_number int NOT NULL, formula text NOT NULL,
            reduced_formula text NOT NULL, chemsys text NOT NULL, elements smallint[] NOT NULL, nelements smallint NOT NULL,
            e_form_per_atom double precision, properties jsonb NOT NULL, PRIMARY KEY (dataset, row_number));
        CREATE INDEX IF NOT EXISTS materials_reduced_formula ON materialsdb.materials (reduced_formula);
        CREATE INDEX IF NOT EXISTS materials_chemsys ON materialsdb.materials (chemsys);
        CREATE INDEX IF NOT EXISTS materials_elements ON materialsdb.materials USING gin (elements);
        CREATE TABLE IF NOT EXISTS materialsdb.database_version (id int PRIMARY KEY, version bigint NOT NULL);
        INSERT INTO materialsdb.database_version VALUES (1, 0) ON CONFLICT DO NOTHING;
        """;

    /// <summary>Creates the tables if needed.</summary>
    public static Task InitializeAsync(NpgsqlDataSource dataSource, CancellationToken cancellationToken = default) =>
        Store.PostgresSchema.ApplyAsync(dataSource ?? throw new ArgumentNullException(nameof(dataSource)), Store.PostgresSchema.MaterialsLock, Schema, cancellationToken);

    /// <summary>
    /// Loads a catalog dataset (a CSV with a formula column) into the table, replacing an earlier import of it, in one
    /// transaction; rows whose formula does not parse are skipped and counted. Returns (imported, skipped).
    /// </summary>
    public static async Task<(long Imported, long Skipped)> ImportAsync(NpgsqlDataSource dataSource, DatasetStore store, string datasetId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(dataSource);
        if (!DatasetCatalog.Default.TryGet(datasetId, out var dataset) || dataset.Format.Kind != "csv" || dataset.Format.FormulaColumn is null)
        {
            throw new InvalidOptionException($"'{datasetId}' is not a catalog table of compositions; import one of: {string.Join(", ", DatasetCatalog.Default.Datasets.Where(d => d.Format.Kind == "csv" && d.Format.FormulaColumn is not null).Select(d => d.Id))}.");
        }

        await InitializeAsync(dataSource, cancellationToken).ConfigureAwait(false);
        var path = await store.EnsureFileAsync(dataset, dataset.Files[0], cancellationToken: cancellationToken).ConfigureAwait(false);
        var table = CsvTableReader.Read(path, [dataset.Format.FormulaColumn]);
        var formulas = table.GetStrings(dataset.Format.FormulaColumn);
        var numeric = table.Columns.OfType<DoubleColumn>().ToArray();
        var energyColumn = dataset.Format.Units.GetValueOrDefault(dataset.Format.Target ?? string.Empty) == "eV/atom" ? table.GetDoubles(dataset.Format.Target!) : null;

        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var tx = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        await using (var delete = new NpgsqlCommand("DELETE FROM materialsdb.materials WHERE dataset = $1", connection, tx))
        {
            delete.Parameters.Add(new() { Value = datasetId });
            await delete.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        long imported = 0, skipped = 0;
        await using (var copy = await connection.BeginBinaryImportAsync("COPY materialsdb.materials (dataset, dataset_sha256, row_number, formula, reduced_formula, chemsys, elements, nelements, e_form_per_atom, properties) FROM STDIN (FORMAT BINARY)", cancellationToken).ConfigureAwait(false))
        {
            for (var i = 0; i < formulas.Length; i++)
            {
                if (formulas[i] is not { } f || !FormulaParser.TryParse(f, out var c, out _))
                {
                    skipped++;
                    continue;
                }

                await copy.StartRowAsync(cancellationToken).ConfigureAwait(false);
                await copy.WriteAsync(datasetId, NpgsqlDbType.Text, cancellationToken).ConfigureAwait(false);
                await copy.WriteAsync(dataset.Files[0].Sha256, NpgsqlDbType.Text, cancellationToken).ConfigureAwait(false);
                await copy.WriteAsync(i + 1, NpgsqlDbType.Integer, cancellationToken).ConfigureAwait(false);
                await copy.WriteAsync(f, NpgsqlDbType.Text, cancellationToken).ConfigureAwait(false);
                await copy.WriteAsync(c.ReducedFormula, NpgsqlDbType.Text, cancellationToken).ConfigureAwait(false);
                await copy.WriteAsync(c.ChemicalSystem, NpgsqlDbType.Text, cancellationToken).ConfigureAwait(false);
                await copy.WriteAsync(c.AtomicNumbers.ToArray().Select(z => (short)z).ToArray(), NpgsqlDbType.Array | NpgsqlDbType.Smallint, cancellationToken).ConfigureAwait(false);
                await copy.WriteAsync((short)c.ElementCount, NpgsqlDbType.Smallint, cancellationToken).ConfigureAwait(false);
                if (energyColumn is not null && double.IsFinite(energyColumn[i]))
                {
                    await copy.WriteAsync(energyColumn[i], NpgsqlDbType.Double, cancellationToken).ConfigureAwait(false);
                }
                else
                {
                    await copy.WriteNullAsync(cancellationToken).ConfigureAwait(false);
                }

                var properties = numeric.Where(col => double.IsFinite(col.Values[i])).ToDictionary(col => col.Name, col => col.Values[i]);
                await copy.WriteAsync(JsonSerializer.Serialize(properties), NpgsqlDbType.Jsonb, cancellationToken).ConfigureAwait(false);
                imported++;
            }

            await copy.CompleteAsync(cancellationToken).ConfigureAwait(false);
        }

        await using (var bump = new NpgsqlCommand("UPDATE materialsdb.database_version SET version = version + 1 WHERE id = 1", connection, tx))
        {
            await bump.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        await tx.CommitAsync(cancellationToken).ConfigureAwait(false);
        return (imported, skipped);
    }

    /// <summary>The database version: bumped by every import, so caches built from the database know when they are stale.</summary>
    public static async Task<long> VersionAsync(NpgsqlDataSource dataSource, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(dataSource);
        await using var command = dataSource.CreateCommand("SELECT version FROM materialsdb.database_version WHERE id = 1");
        try
        {
            return await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) is long v ? v : 0;
        }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.UndefinedTable)
        {
            return 0;
        }
    }

    /// <summary>
    /// The entries of an imported dataset that carry a formation energy (eV/atom), as a hull reference; null when the
    /// dataset has not been imported (the caller falls back to the catalog file).
    /// </summary>
    public static async Task<Stability.PhaseEntrySet?> LoadReferenceAsync(NpgsqlDataSource dataSource, string datasetId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(dataSource);
        if (await VersionAsync(dataSource, cancellationToken).ConfigureAwait(false) == 0)
        {
            return null;
        }

        await using var command = dataSource.CreateCommand("SELECT row_number, formula, e_form_per_atom FROM materialsdb.materials WHERE dataset = $1 AND e_form_per_atom IS NOT NULL ORDER BY row_number");
        command.Parameters.Add(new() { Value = datasetId });
        var (formulas, energies, ids) = (new List<string?>(), new List<double>(), new List<string?>());
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false))
        {
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                ids.Add($"{datasetId}:{reader.GetInt32(0)}");
                formulas.Add(reader.GetString(1));
                energies.Add(reader.GetDouble(2));
            }
        }

        return formulas.Count == 0 ? null : Stability.PhaseEntrySet.FromColumns(formulas, energies, ids, datasetId);
    }

    /// <summary>True once anything has been imported.</summary>
    public static async Task<bool> HasEntriesAsync(NpgsqlDataSource dataSource, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(dataSource);
        await using var command = dataSource.CreateCommand("SELECT to_regclass('materialsdb.materials') IS NOT NULL AND EXISTS (SELECT 1 FROM materialsdb.materials LIMIT 1)");
        try
        {
            return await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) is true;
        }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.UndefinedTable)
        {
            return false;
        }
    }

    /// <summary>Entries matching <paramref name="query"/>, all values passed as parameters.</summary>
    public static async Task<IReadOnlyList<MaterialEntry>> QueryAsync(NpgsqlDataSource dataSource, MaterialsQuery query, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(dataSource);
        ArgumentNullException.ThrowIfNull(query);
        var (where, value) = query switch
        {
            { System: { } system } => ("chemsys = $1", (object)string.Join('-', system.Select(z => PeriodicTable.FromZ(z).Symbol).Order(StringComparer.Ordinal))),
            { Elements: { } elements } => ("elements @> $1", elements.Select(z => (short)z).ToArray()),
            _ => ("reduced_formula = $1", query.ReducedFormula!),
        };
        await using var command = dataSource.CreateCommand($"""
            SELECT dataset, row_number, formula, reduced_formula, chemsys, nelements, e_form_per_atom FROM materialsdb.materials
            WHERE {where} AND ($4::double precision IS NULL OR e_form_per_atom >= $4) AND ($5::double precision IS NULL OR e_form_per_atom <= $5)
              AND ($6::int IS NULL OR nelements >= $6) AND ($7::int IS NULL OR nelements <= $7)
            ORDER BY dataset, row_number LIMIT $2 OFFSET $3
            """);
        command.Parameters.Add(new() { Value = value });
        command.Parameters.Add(new() { Value = query.Limit });
        command.Parameters.Add(new() { Value = query.Offset });
        command.Parameters.Add(new() { Value = (object?)query.EFormMin ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Double });
        command.Parameters.Add(new() { Value = (object?)query.EFormMax ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Double });
        command.Parameters.Add(new() { Value = (object?)query.NElementsMin ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Integer });
        command.Parameters.Add(new() { Value = (object?)query.NElementsMax ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Integer });
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        var rows = new List<MaterialEntry>();
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            rows.Add(new MaterialEntry(reader.GetString(0), $"{reader.GetString(0)}:{reader.GetInt32(1)}", reader.GetString(2), reader.GetString(3), reader.GetString(4), reader.GetInt16(5), reader.IsDBNull(6) ? null : reader.GetDouble(6)));
        }

        return rows;
    }
}
