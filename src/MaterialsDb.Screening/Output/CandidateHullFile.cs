using System.Globalization;
using MaterialsDb.Chemistry;
using MaterialsDb.Data.Tables;
using MaterialsDb.Stability;

namespace MaterialsDb.Screening.Output;

/// <summary>
/// The candidates a self-consistent screening adds to its hulls, as a Parquet file: what a chunked service computes
/// once (first pass) and every chunk and the merge read back, bit for bit (atomic numbers, amounts written
/// round-trippably, energies as doubles).
/// </summary>
public static class CandidateHullFile
{
    /// <summary>Writes <paramref name="candidates"/> to <paramref name="path"/> (atomically).</summary>
    public static Task WriteAsync(IReadOnlyList<PhaseEntry> candidates, string path, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(candidates);
        var table = new ColumnTable(
        [
            new StringColumn("id", [.. candidates.Select(c => c.Id)]),
            new StringColumn("z", [.. candidates.Select(c => string.Join(' ', c.Composition.AtomicNumbers.ToArray()))]),
            new StringColumn("amounts", [.. candidates.Select(c => string.Join(' ', c.Composition.Amounts.ToArray().Select(a => a.ToString("R", CultureInfo.InvariantCulture))))]),
            new DoubleColumn("e_form", [.. candidates.Select(c => c.EFormPerAtomEv)]),
        ]);
        return TableWriter.WriteAsync(table, path, cancellationToken: cancellationToken);
    }

    /// <summary>Reads the candidates back, in the order written.</summary>
    public static async Task<IReadOnlyList<PhaseEntry>> ReadAsync(string path, CancellationToken cancellationToken = default)
    {
        var (table, _) = await ParquetTableReader.ReadAsync(path, cancellationToken).ConfigureAwait(false);
        var ids = table.GetStrings("id");
        var z = table.GetStrings("z");
        var amounts = table.GetStrings("amounts");
        var energies = table.GetDoubles("e_form");
        var entries = new PhaseEntry[ids.Length];
        for (var i = 0; i < entries.Length; i++)
        {
            var one = new CompositionBatch(1);
            one.Add([.. z[i]!.Split(' ').Select(s => byte.Parse(s, CultureInfo.InvariantCulture))], [.. amounts[i]!.Split(' ').Select(s => double.Parse(s, CultureInfo.InvariantCulture))]);
            entries[i] = new PhaseEntry(ids[i]!, one[0], energies[i], Engine.ScreeningPlan.CandidateSource);
        }

        return entries;
    }
}
