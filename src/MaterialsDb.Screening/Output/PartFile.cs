using System.Globalization;
using MaterialsDb.Data;
using MaterialsDb.Data.Tables;
using MaterialsDb.Screening.Engine;

namespace MaterialsDb.Screening.Output;

/// <summary>
/// The survivors of one chunk of a distributed screening, as a Parquet part: each row's stream position, exact
/// composition and every quantity, so that merging parts and ranking again gives what one run over the whole stream gives.
/// </summary>
public static class PartFile
{
    /// <summary>Writes <paramref name="rows"/> atomically (temporary name, then rename), so a retried chunk overwrites, never duplicates.</summary>
    public static Task WriteAsync(IReadOnlyList<CandidateRow> rows, Quantities quantities, string path, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(rows);
        ArgumentNullException.ThrowIfNull(quantities);
        var columns = new List<Column>
        {
            new LongColumn("sequence", [.. rows.Select(r => r.Sequence)]),
            new StringColumn("atomic_numbers", [.. rows.Select(r => string.Join(' ', r.AtomicNumbers))]),
            new StringColumn("amounts", [.. rows.Select(r => string.Join(' ', r.Amounts.Select(a => a.ToString("R", CultureInfo.InvariantCulture))))]),
            new StringColumn("source_formula", [.. rows.Select(r => r.SourceFormula)]),
        };
        columns.AddRange(quantities.Names.Select((name, q) => new DoubleColumn(name, [.. rows.Select(r => r.Values[q])])));
        return TableWriter.WriteAsync(new ColumnTable(columns), path, cancellationToken: cancellationToken);
    }

    /// <summary>Reads a part written by <see cref="WriteAsync"/> for the same spec.</summary>
    /// <exception cref="InputDataException">The part does not match the spec's quantities.</exception>
    public static async Task<List<CandidateRow>> ReadAsync(string path, Quantities quantities, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(quantities);
        var (table, _) = await ParquetTableReader.ReadAsync(path, cancellationToken).ConfigureAwait(false);
        if (!quantities.Names.All(table.Contains) || !table.Contains("sequence"))
        {
            throw new InputDataException($"{path}: not a part of this screening (its columns are {string.Join(", ", table.Columns.Select(c => c.Name))}).");
        }

        var sequence = ((LongColumn)table["sequence"]).Values;
        var z = table.GetStrings("atomic_numbers");
        var amounts = table.GetStrings("amounts");
        var sources = table.GetStrings("source_formula");
        var values = quantities.Names.Select(table.GetDoubles).ToArray();
        var rows = new List<CandidateRow>(sequence.Length);
        for (var i = 0; i < sequence.Length; i++)
        {
            rows.Add(new CandidateRow(
                sequence[i],
                [.. z[i]!.Split(' ').Select(s => byte.Parse(s, CultureInfo.InvariantCulture))],
                [.. amounts[i]!.Split(' ').Select(s => double.Parse(s, CultureInfo.InvariantCulture))],
                [.. values.Select(v => v[i])],
                sources[i]));
        }

        return rows;
    }
}
