using MaterialsDb.Data.Tables;

namespace MaterialsDb.Database;

/// <summary>
/// Contributed rows from a table (CSV or Parquet): a header with at least <c>formula</c> and <c>e_form_per_atom</c>;
/// optional columns <c>scheme</c>, <c>visibility</c>, <c>source_kind</c>, <c>total_energy_per_atom</c>,
/// <c>band_gap</c>, <c>code</c>, <c>functional</c>, <c>label</c>, <c>reference</c>, <c>licence</c>,
/// <c>contributor</c>. Any other column is refused by name, so a misspelt column never drops values silently.
/// </summary>
public static class ContributionTable
{
    /// <summary>Columns read as text.</summary>
    public static readonly string[] TextColumns = ["formula", "scheme", "visibility", "source_kind", "code", "functional", "label", "reference", "licence", "contributor"];

    /// <summary>Columns read as numbers.</summary>
    public static readonly string[] NumberColumns = ["e_form_per_atom", "total_energy_per_atom", "band_gap"];

    /// <summary>Reads the rows.</summary>
    /// <exception cref="ContributionException">A required column is missing, a column is unknown, or there are too many rows.</exception>
    public static IReadOnlyList<ContributionRow> Rows(ColumnTable table)
    {
        ArgumentNullException.ThrowIfNull(table);
        var problems = new List<FieldProblem>();
        foreach (var required in new[] { "formula", "e_form_per_atom" }.Where(c => !table.Contains(c)))
        {
            problems.Add(new FieldProblem("header", $"no '{required}' column"));
        }

        foreach (var unknown in table.Columns.Select(c => c.Name).Where(n => !TextColumns.Contains(n) && !NumberColumns.Contains(n)))
        {
            problems.Add(new FieldProblem("header", $"unknown column '{(unknown.Length > 40 ? unknown[..40] + "…" : unknown)}' (known: {string.Join(", ", TextColumns.Concat(NumberColumns))})"));
        }

        foreach (var number in NumberColumns.Where(n => table.Contains(n) && table[n] is not DoubleColumn and not LongColumn))
        {
            problems.Add(new FieldProblem("header", $"column '{number}' holds text; it must hold numbers"));
        }

        if (problems.Count > 0)
        {
            throw new ContributionException("The contribution's header is not usable: " + string.Join("; ", problems) + ".", problems);
        }

        if (table.RowCount > ContributionValidator.MaxRows)
        {
            throw new ContributionException($"A contribution may carry at most {ContributionValidator.MaxRows:N0} rows, not {table.RowCount:N0}; split it.", [new FieldProblem("rows", $"more than {ContributionValidator.MaxRows:N0} rows")]);
        }

        string? Text(string name, int i) => table.Contains(name) ? table[name] switch
        {
            StringColumn s => string.IsNullOrWhiteSpace(s.Values[i]) ? null : s.Values[i],
            _ => null,
        } : null;
        double? Number(string name, int i) => table.Contains(name) ? table[name] switch
        {
            DoubleColumn d => double.IsNaN(d.Values[i]) ? null : d.Values[i],
            LongColumn l => l.Values[i],
            _ => null,
        } : null;

        var rows = new ContributionRow[table.RowCount];
        for (var i = 0; i < rows.Length; i++)
        {
            var (code, functional) = (Text("code", i), Text("functional", i));
            rows[i] = new ContributionRow
            {
                Formula = Text("formula", i),
                EFormPerAtom = Number("e_form_per_atom", i),
                TotalEnergyPerAtom = Number("total_energy_per_atom", i),
                BandGap = Number("band_gap", i),
                Scheme = Text("scheme", i),
                Visibility = Text("visibility", i),
                SourceKind = Text("source_kind", i),
                Method = code is null && functional is null ? null : new MethodInfo(code, functional),
                Label = Text("label", i),
                Reference = Text("reference", i),
                Licence = Text("licence", i),
                Contributor = Text("contributor", i),
            };
        }

        return rows;
    }
}
