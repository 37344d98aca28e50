using System.Globalization;
using System.Text.Json;
using MaterialsDb.Chemistry;
using MaterialsDb.Data.Tables;
using MaterialsDb.Screening.Engine;

namespace MaterialsDb.Screening.Output;

/// <summary>
/// The ranked result as a table with fixed columns, plus Parquet footer metadata: units per column, the spec, and
/// provenance (models with their file checksums, reference dataset checksum, counts per stage). No timestamps, so the
/// same screening gives the same bytes.
/// </summary>
public static class ResultTable
{
    /// <summary>Footer key holding a JSON object of column → unit.</summary>
    public const string UnitsKey = "materialsdb.units";

    /// <summary>Footer key holding the spec text as submitted.</summary>
    public const string SpecKey = "materialsdb.spec";

    /// <summary>Footer key holding provenance JSON.</summary>
    public const string ProvenanceKey = "materialsdb.provenance";

    /// <summary>Columns present in every result, in order; each predicted model adds <c>&lt;id&gt;</c> and <c>&lt;id&gt;_std</c> after <c>n_elements</c>.</summary>
    public static IReadOnlyList<string> FixedColumns { get; } =
    [
        "rank", "formula", "source_formula", "chemical_system", "n_elements",
        Quantities.FormationEnergy, Quantities.FormationEnergy + "_std", Quantities.EAboveHull, Quantities.HullEnergy,
        "decomposition", "known", "known_e_form", "known_phases_in_system",
        Quantities.HhiProduction, Quantities.HhiReserve, Quantities.Probability,
    ];

    /// <summary>Builds the table and its metadata.</summary>
    public static (ColumnTable Table, Dictionary<string, string> Metadata) Build(ScreeningResult result, string specText)
    {
        ArgumentNullException.ThrowIfNull(result);
        var plan = result.Plan;
        var rows = result.Rows;
        var q = plan.Quantities;
        var n = rows.Count;
        var batch = new CompositionBatch(Math.Max(1, n));
        foreach (var r in rows)
        {
            batch.Add(r.AtomicNumbers, r.Amounts);
        }

        var compositions = Enumerable.Range(0, n).Select(i => batch[i]).ToArray();
        var columns = new List<Column>
        {
            new LongColumn("rank", [.. Enumerable.Range(1, n).Select(i => (long)i)]),
            new StringColumn("formula", [.. compositions.Select(c => c.ReducedFormula)]),
            new StringColumn("source_formula", [.. rows.Select(r => r.SourceFormula)]),
            new StringColumn("chemical_system", [.. compositions.Select(c => c.ChemicalSystem)]),
            new LongColumn("n_elements", [.. compositions.Select(c => (long)c.ElementCount)]),
        };
        var units = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var model in plan.Models.Where(m => !m.IsStability || plan.Spec.Predict.Contains(m.Id)))
        {
            columns.Add(Values(model.Id, rows, q[model.Id]));
            columns.Add(Values(model.Id + "_std", rows, q[model.Id + "_std"]));
            units[model.Id] = units[model.Id + "_std"] = model.Model.Manifest.Units;
        }

        // Reorder predicted columns as the spec lists them.
        var predicted = plan.Spec.Predict.Distinct().SelectMany(id => new[] { id, id + "_std" }).ToArray();
        var head = columns.Take(5).ToList();
        head.AddRange(predicted.Select(name => columns.First(c => c.Name == name)));

        var stability = plan.Spec.Stability is not null;
        foreach (var name in new[] { Quantities.FormationEnergy, Quantities.FormationEnergy + "_std", Quantities.EAboveHull, Quantities.HullEnergy })
        {
            head.Add(stability ? Values(name, rows, q[name]) : new DoubleColumn(name, Nan(n)));
            units[name] = "eV/atom";
        }

        var decomposition = new string?[n];
        var known = new bool[n];
        var knownEnergy = Nan(n);
        var phases = new long[n];
        if (stability)
        {
            var hulls = plan.Resources.Hulls!;
            for (var i = 0; i < n; i++)
            {
                var system = compositions[i].AtomicNumbers.ToArray().Select(z => (int)z).ToArray();
                var entries = hulls.Reference.InExactSystem(system).ToArray();
                var same = entries.Where(e => e.Composition.Equals(compositions[i])).ToArray();
                known[i] = same.Length > 0;
                knownEnergy[i] = same.Length > 0 ? same.Min(e => e.EFormPerAtomEv) : double.NaN;
                phases[i] = entries.Length;
                var eForm = rows[i].Values[q[Quantities.FormationEnergy]];
                if (double.IsFinite(eForm))
                {
                    var parts = hulls.For(system).GetDecompositionAndEAboveHull(compositions[i], eForm).Decomposition;
                    decomposition[i] = string.Join(" + ", parts.Select(p => string.Create(CultureInfo.InvariantCulture, $"{p.Phase.ReducedFormula} ({p.Fraction:0.####})")));
                }
            }
        }

        head.Add(new StringColumn("decomposition", decomposition));
        head.Add(new BoolColumn("known", known));
        head.Add(new DoubleColumn("known_e_form", knownEnergy));
        head.Add(new LongColumn("known_phases_in_system", phases));
        units["known_e_form"] = "eV/atom";
        foreach (var name in new[] { Quantities.HhiProduction, Quantities.HhiReserve, Quantities.Probability })
        {
            head.Add(Values(name, rows, q[name]));
        }

        units[Quantities.HhiProduction] = units[Quantities.HhiReserve] = "HHI (0-10000)";
        units[Quantities.Probability] = "probability";

        var provenance = new
        {
            materialsdb = typeof(ResultTable).Assembly.GetName().Version?.ToString(),
            name = plan.Spec.Name,
            models = plan.Models.Select(m => new { id = m.Id, version = m.Model.Manifest.Version, target = m.Model.Manifest.Target, units = m.Model.Manifest.Units, preset = m.Preset, files = m.Model.Manifest.Files.Select(f => f.Sha256) }),
            reference = plan.Spec.Stability is { } s ? new { id = s.Reference, sha256 = plan.Resources.ReferenceSha256 } : null,
            oxidation_states = plan.Resources.OxidationStates?.Name,
            processed = result.Processed,
            survivors = result.Survivors,
            errors = result.Errors.Count,
            stages = result.Stages.Select(st => new { stage = st.Stage, passed = st.Passed }),
        };
        var metadata = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            [UnitsKey] = JsonSerializer.Serialize(units.OrderBy(u => u.Key, StringComparer.Ordinal).ToDictionary()),
            [SpecKey] = specText ?? string.Empty,
            [ProvenanceKey] = JsonSerializer.Serialize(provenance),
        };
        return (new ColumnTable(head), metadata);
    }

    /// <summary>Writes the result (Parquet with metadata, or CSV) atomically.</summary>
    public static async Task WriteAsync(ScreeningResult result, string specText, string path, CancellationToken cancellationToken = default)
    {
        var (table, metadata) = Build(result, specText);
        await TableWriter.WriteAsync(table, path, metadata, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Writes the rows of a candidate list that could not be screened (row, formula, error) as CSV.</summary>
    public static Task WriteErrorsAsync(IReadOnlyList<CandidateError> errors, string path, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(errors);
        var table = new ColumnTable(
        [
            new LongColumn("row", [.. errors.Select(e => e.Row)]),
            new StringColumn("formula", [.. errors.Select(e => e.Formula)]),
            new StringColumn("error", [.. errors.Select(e => e.Error)]),
        ]);
        return TableWriter.WriteAsync(table, path, cancellationToken: cancellationToken);
    }

    private static DoubleColumn Values(string name, IReadOnlyList<CandidateRow> rows, int index) => new(name, [.. rows.Select(r => r.Values[index])]);

    private static double[] Nan(int n)
    {
        var a = new double[n];
        Array.Fill(a, double.NaN);
        return a;
    }
}
