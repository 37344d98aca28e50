using System.Globalization;
using System.Text.Json;
using MaterialsDb.Chemistry;
using MaterialsDb.Data.Tables;
using MaterialsDb.Screening.Engine;
using MaterialsDb.Screening.Spec;

namespace MaterialsDb.Screening.Output;

/// <summary>
/// The ranked result as a table with fixed columns, plus Parquet footer metadata: units per column, the spec, and
/// provenance (software version, models with their file checksums and training data, reference dataset checksum,
/// counts and thread time per stage, wall time).
/// </summary>
public static class ResultTable
{
    /// <summary>Footer key holding a JSON object of column → unit.</summary>
    public const string UnitsKey = "materialsdb.units";

    /// <summary>Footer key holding the spec text as submitted.</summary>
    public const string SpecKey = "materialsdb.spec";

    /// <summary>Prefix of one footer key per column with a unit (<c>materialsdb.unit.e_above_hull</c> = <c>eV/atom</c>).</summary>
    public const string UnitKeyPrefix = "materialsdb.unit.";

    /// <summary>Footer key holding provenance JSON.</summary>
    public const string ProvenanceKey = "materialsdb.provenance";

    /// <summary>Footer key holding a JSON object of model column → model id (<c>band_gap_pbe</c> → <c>band-gap-pbe</c>).</summary>
    public const string ModelsKey = "materialsdb.models";

    /// <summary>
    /// Columns of every result, in order; each model (the predicted ones, then the stability model) adds its column
    /// (<see cref="ScreeningSpec.ColumnOf"/>) and <c>&lt;column&gt;_std</c> after <c>fractions</c>. Quantities a
    /// screening did not compute are null (not absent), so every result has the same schema for the same models.
    /// <c>fractions</c> is a map element → atomic fraction; <c>decomposition</c> a list of (formula, fraction).
    /// </summary>
    public static IReadOnlyList<string> FixedColumns { get; } =
    [
        "rank", "formula", "chemsys", "n_elements", "fractions",
        Quantities.EAboveHull, Quantities.EAboveHull + "_std", "decomposition", "known", "known_e_form",
        Quantities.HhiProduction, Quantities.HhiReserve, Quantities.Probability, Quantities.Score,
        "source_formula", Quantities.HullEnergy, "known_phases_in_system", Quantities.PStable, "decomposition_candidates",
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
        var units = new Dictionary<string, string>(StringComparer.Ordinal);
        var columns = new List<Column>
        {
            new LongColumn("rank", [.. Enumerable.Range(1, n).Select(i => (long)i)]),
            new StringColumn("formula", [.. compositions.Select(c => c.ReducedFormula)]),
            new StringColumn("chemsys", [.. compositions.Select(c => c.ChemicalSystem)]),
            new LongColumn("n_elements", [.. compositions.Select(c => (long)c.ElementCount)]),
            new PairsColumn("fractions", [.. compositions.Select(Fractions)], PairsLayout.Map),
        };
        var modelColumns = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var id in q.Models)
        {
            var column = ScreeningSpec.ColumnOf(id);
            modelColumns[column] = id;
            columns.Add(Values(column, rows, q[id]));
            columns.Add(Values(column + "_std", rows, q[id + "_std"]));
            units[column] = units[column + "_std"] = plan.Resources.Models[id].Manifest.Units;
        }

        var stability = plan.Spec.Stability is not null;
        foreach (var name in new[] { Quantities.EAboveHull, Quantities.EAboveHull + "_std" })
        {
            columns.Add(stability ? Values(name, rows, q[name]) : new DoubleColumn(name, Nan(n)));
            units[name] = "eV/atom";
        }

        var decomposition = new KeyValuePair<string, double>[]?[n];
        var known = new bool[n];
        var knownEnergy = Nan(n);
        var phases = new long[n];
        var fromCandidates = new string?[n];
        if (stability)
        {
            // Novelty against the known phases only, even when the hulls include the screening's own candidates.
            var reference = plan.Resources.Hulls!.Reference;
            for (var i = 0; i < n; i++)
            {
                var system = compositions[i].AtomicNumbers.ToArray().Select(z => (int)z).ToArray();
                var entries = reference.InExactSystem(system).ToArray();
                var same = entries.Where(e => e.Composition.Equals(compositions[i])).ToArray();
                known[i] = same.Length > 0;
                knownEnergy[i] = same.Length > 0 ? same.Min(e => e.EFormPerAtomEv) : double.NaN;
                phases[i] = entries.Length;
                var eForm = rows[i].Values[q[q.StabilityModel!]];
                if (double.IsFinite(eForm))
                {
                    var parts = plan.HullFor(system, compositions[i]).GetDecompositionAndEAboveHull(compositions[i], eForm).Decomposition;
                    decomposition[i] = [.. parts.Select(p => new KeyValuePair<string, double>(p.Phase.ReducedFormula, p.Fraction))];
                    if (plan.WithCandidates)
                    {
                        fromCandidates[i] = string.Join(' ', parts.Where(p => p.Phase.Source == ScreeningPlan.CandidateSource).Select(p => p.Phase.ReducedFormula));
                    }
                }
            }
        }

        columns.Add(new PairsColumn("decomposition", decomposition, PairsLayout.StructList, "formula", "fraction"));
        columns.Add(new BoolColumn("known", known));
        columns.Add(new DoubleColumn("known_e_form", knownEnergy));
        units["known_e_form"] = "eV/atom";
        foreach (var name in new[] { Quantities.HhiProduction, Quantities.HhiReserve, Quantities.Probability, Quantities.Score })
        {
            columns.Add(Values(name, rows, q[name]));
        }

        units[Quantities.HhiProduction] = units[Quantities.HhiReserve] = "HHI (0-10000)";
        units[Quantities.Probability] = "probability";
        columns.Add(new StringColumn("source_formula", [.. rows.Select(r => r.SourceFormula)]));
        columns.Add(stability ? Values(Quantities.HullEnergy, rows, q[Quantities.HullEnergy]) : new DoubleColumn(Quantities.HullEnergy, Nan(n)));
        units[Quantities.HullEnergy] = "eV/atom";
        columns.Add(new LongColumn("known_phases_in_system", phases));
        columns.Add(stability ? Values(Quantities.PStable, rows, q[Quantities.PStable]) : new DoubleColumn(Quantities.PStable, Nan(n)));
        columns.Add(new StringColumn("decomposition_candidates", fromCandidates));
        units[Quantities.PStable] = "probability";

        var provenance = new
        {
            software = "MaterialsDb " + typeof(ResultTable).Assembly.GetName().Version,
            name = plan.Spec.Name,
            models = plan.Models.Select(m => new { id = m.Id, column = ScreeningSpec.ColumnOf(m.Id), version = m.Model.Manifest.Version, target = m.Model.Manifest.Target, units = m.Model.Manifest.Units, preset = m.Preset, sha256 = m.Model.Manifest.Files.Select(f => f.Sha256), trained_on = m.Model.Manifest.Dataset, engine = m.Model.Engine.ToString() }),
            reference = plan.Spec.Stability is { } s ? new { id = s.Reference, sha256 = plan.Resources.ReferenceSha256, scheme = s.Scheme, database_version = s.DatabaseVersion, p_stable_threshold = s.PStableThreshold, e_above_hull_std_factor = plan.StabilityStdFactor, self_consistent = s.SelfConsistent, candidates_on_hull = plan.WithCandidates ? plan.Hulls!.Reference.Entries.Count - plan.Resources.Hulls!.Reference.Entries.Count : 0 } : null,
            oxidation_states = plan.Resources.OxidationStates?.Name,
            processed = result.Processed,
            survivors = result.Survivors,
            errors = result.Errors.Count,
            stages = result.Stages.Select(st => new { stage = st.Stage, passed = st.Passed, thread_seconds = Math.Round(st.Seconds, 3) }),
            wall_seconds = Math.Round(result.Elapsed.TotalSeconds, 3),
        };
        var metadata = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            [UnitsKey] = JsonSerializer.Serialize(units.OrderBy(u => u.Key, StringComparer.Ordinal).ToDictionary()),
            [SpecKey] = specText ?? string.Empty,
            [ProvenanceKey] = JsonSerializer.Serialize(provenance),
            [ModelsKey] = JsonSerializer.Serialize(modelColumns),
        };
        foreach (var (column, unit) in units)
        {
            metadata[UnitKeyPrefix + column] = unit;
        }

        return (new ColumnTable(columns), metadata);
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

    // Element → atomic fraction, by atomic number (as the composition command writes them).
    private static KeyValuePair<string, double>[] Fractions(Composition c) =>
        [.. c.AsPairs().Select(p => new KeyValuePair<string, double>(p.Key.Symbol, p.Value / c.NumAtoms))];

    private static DoubleColumn Values(string name, IReadOnlyList<CandidateRow> rows, int index) => new(name, [.. rows.Select(r => r.Values[index])]);

    private static double[] Nan(int n)
    {
        var a = new double[n];
        Array.Fill(a, double.NaN);
        return a;
    }
}
