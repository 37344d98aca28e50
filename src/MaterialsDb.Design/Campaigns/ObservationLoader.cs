using MaterialsDb.Chemistry;
using MaterialsDb.Data;
using MaterialsDb.Data.Catalog;
using MaterialsDb.Data.Downloads;
using MaterialsDb.Data.Tables;
using MaterialsDb.Design.Spec;

namespace MaterialsDb.Design.Campaigns;

/// <summary>Observations read from a file or the database: one formula and, per property, a value or NaN.</summary>
/// <param name="Formulas">One formula per row.</param>
/// <param name="Values">Per row, a value per property (NaN: not measured).</param>
/// <param name="Ignored">Columns of the file that are no property.</param>
/// <param name="DatabaseVersion">Read from the shared materials database: the version read.</param>
public sealed record ObservationRows(IReadOnlyList<string> Formulas, IReadOnlyList<double[]> Values, IReadOnlyList<string> Ignored, long? DatabaseVersion = null);

/// <summary>Reads observations (a campaign's first data, or reported results) from a CSV file, a catalog dataset or the shared database.</summary>
public static class ObservationLoader
{
    /// <summary>Most rows one file may add.</summary>
    public const int MaxRows = 1_000_000;

    /// <summary>Loads the campaign's initial observations.</summary>
    /// <param name="source">The spec's observations.</param>
    /// <param name="properties">The modelled properties.</param>
    /// <param name="units">Each property's units as the spec gives them (checked against database entries).</param>
    /// <param name="store">The dataset store (catalog datasets).</param>
    /// <param name="database">The shared materials database, for a database source.</param>
    /// <param name="baseDirectory">Where a CSV's relative path starts.</param>
    /// <param name="seed">Draws the sample.</param>
    /// <param name="cancellationToken">Stops the read.</param>
    /// <exception cref="InputDataException">The data lack a column, or a row is unusable (the message names up to five).</exception>
    public static async Task<ObservationRows> LoadAsync(ObservationSource source, IReadOnlyList<string> properties, IReadOnlyDictionary<string, string?> units, DatasetStore store, IObservationDatabase? database, string baseDirectory, int seed, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(properties);
        ArgumentNullException.ThrowIfNull(store);
        string path, formulaColumn;
        var columns = new Dictionary<string, string>(source.Columns, StringComparer.Ordinal);
        if (source.Database is { } query)
        {
            var read = database is null
                ? throw new InputDataException("observations.database: this campaign runs without the shared materials database; give --postgres or --results (the CLI), or run it through the service.")
                : await database.ReadAsync(query, MaxRows, cancellationToken).ConfigureAwait(false);
            return Sample(DatabaseObservations.Rows(read, query, properties, columns, units), source.Sample, seed);
        }

        if (source.Dataset is { } id)
        {
            if (!DatasetCatalog.Default.TryGet(id, out var entry) || entry.Format.Kind != "csv")
            {
                throw new InputDataException($"observations.dataset: '{id}' is not a table of the catalog; the tables are: {string.Join(", ", DatasetCatalog.Default.Datasets.Where(d => d.Format.Kind == "csv").Select(d => d.Id))}.");
            }

            path = await store.EnsureFileAsync(entry, entry.Files[0], cancellationToken: cancellationToken).ConfigureAwait(false);
            formulaColumn = source.FormulaColumn ?? entry.Format.FormulaColumn ?? "formula";
            // One objective and no mapping: the dataset's target is the property.
            if (properties.Count == 1 && columns.Count == 0 && entry.Format.Target is { } target)
            {
                columns[properties[0]] = target;
            }
        }
        else
        {
            path = Path.GetFullPath(source.Csv!, baseDirectory);
            formulaColumn = source.FormulaColumn ?? "formula";
        }

        return Sample(Read(path, formulaColumn, properties, columns), source.Sample, seed);
    }

    private static ObservationRows Sample(ObservationRows rows, int? sample, int seed)
    {
        if (sample is not { } n || n >= rows.Formulas.Count)
        {
            return rows;
        }

        var random = new Random(seed);
        var pick = Enumerable.Range(0, rows.Formulas.Count).OrderBy(_ => random.Next()).Take(n).Order().ToArray();
        return rows with { Formulas = [.. pick.Select(i => rows.Formulas[i])], Values = [.. pick.Select(i => rows.Values[i])] };
    }

    /// <summary>
    /// Reads a CSV of observations: a formula column and a column per property (named as the property unless
    /// <paramref name="columns"/> maps it). An empty cell is "not measured"; every row needs at least one value.
    /// </summary>
    /// <exception cref="InputDataException">A column is missing, or rows are unusable.</exception>
    public static ObservationRows Read(string path, string formulaColumn, IReadOnlyList<string> properties, IReadOnlyDictionary<string, string>? columns = null)
    {
        ArgumentNullException.ThrowIfNull(properties);
        if (!File.Exists(path))
        {
            throw new InputDataException($"'{path}' does not exist.");
        }

        if (new FileInfo(path).Length == 0)
        {
            throw new InputDataException($"{path}: the file is empty; it needs a header with '{formulaColumn}' and a property column ({string.Join(", ", properties)}).");
        }

        // Every column is read as text so that "NaN" and "inf" are reported, not taken for an empty cell.
        var columnOf = properties.ToDictionary(p => p, p => columns?.GetValueOrDefault(p) ?? p, StringComparer.Ordinal);
        var table = CsvTableReader.Read(path, [formulaColumn, .. columnOf.Values]);
        if (!table.Contains(formulaColumn))
        {
            throw new InputDataException($"{path}: no '{formulaColumn}' column; the columns are: {string.Join(", ", table.Columns.Select(c => c.Name))}.");
        }

        if (table.RowCount > MaxRows)
        {
            throw new InputDataException($"{path}: {table.RowCount:N0} rows; at most {MaxRows:N0} per file.");
        }

        var present = properties.Where(p => table.Contains(columnOf[p])).ToArray();
        if (present.Length == 0)
        {
            throw new InputDataException($"{path}: no column for any property ({string.Join(", ", properties.Select(p => columnOf[p] == p ? p : $"{p} as '{columnOf[p]}'"))}); the columns are: {string.Join(", ", table.Columns.Select(c => c.Name))}.");
        }

        var formulas = table.GetStrings(formulaColumn);
        var values = properties.Select(p => present.Contains(p) ? Doubles(table, columnOf[p], path) : null).ToArray();
        var problems = new List<string>();
        var outRows = new List<double[]>(formulas.Length);
        for (var i = 0; i < formulas.Length; i++)
        {
            var row = new double[properties.Count];
            for (var p = 0; p < properties.Count; p++)
            {
                row[p] = values[p]?[i] ?? double.NaN;
                if (double.IsInfinity(row[p]))
                {
                    problems.Add($"row {i + 1}: {properties[p]} is not finite");
                }
            }

            if (string.IsNullOrWhiteSpace(formulas[i]))
            {
                problems.Add($"row {i + 1}: no formula");
            }
            else if (!FormulaParser.TryParse(formulas[i], out _, out var error))
            {
                problems.Add($"row {i + 1}: '{formulas[i]}': {error.Message}");
            }
            else if (row.All(double.IsNaN))
            {
                problems.Add($"row {i + 1}: no value for any property");
            }

            outRows.Add(row);
        }

        if (problems.Count > 0)
        {
            throw new InputDataException($"{path}: {problems.Count} unusable row(s): {string.Join("; ", problems.Take(5))}{(problems.Count > 5 ? "; ..." : string.Empty)}.");
        }

        var used = new HashSet<string>(present.Select(p => columnOf[p]).Append(formulaColumn), StringComparer.Ordinal);
        return new ObservationRows([.. formulas.Select(f => f!)], outRows, [.. table.Columns.Select(c => c.Name).Where(c => !used.Contains(c))]);
    }

    // Numbers only; text such as "n/a" or "NaN" is an error that names the row, an empty cell is NaN (not measured).
    private static double[] Doubles(ColumnTable table, string column, string path)
    {
        var text = table.GetStrings(column);
        var result = new double[text.Length];
        for (var i = 0; i < text.Length; i++)
        {
            if (string.IsNullOrWhiteSpace(text[i]))
            {
                result[i] = double.NaN;
            }
            else if (!double.TryParse(text[i], System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out result[i]) || double.IsNaN(result[i]))
            {
                throw new InputDataException($"{path}: row {i + 1}: {column} '{text[i]}' is not a number (leave the cell empty when it was not measured).");
            }
        }

        return result;
    }
}
