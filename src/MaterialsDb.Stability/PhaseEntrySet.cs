using System.Globalization;
using MaterialsDb.Chemistry;
using MaterialsDb.Stability.Internal;

namespace MaterialsDb.Stability;

/// <summary>
/// The reference set of known phases that hulls are built from. Entries with the same composition are all kept (the
/// hull uses the lowest). Each element of a system counts at formation energy 0 — its reference state — whether the
/// set lists it or not.
/// </summary>
public sealed class PhaseEntrySet
{
    // Systems up to this size are answered by looking up each of their subsystems; larger ones by a scan.
    private const int MaxSubsetLookup = 12;

    /// <summary>
    /// Largest |formation energy| accepted, in eV/atom. Known compounds lie within about ±5 eV/atom (Materials Project:
    /// −4.6 to +2.5 in mp_e_form); a value beyond ±10 is a unit or data error (eV per formula unit, kJ/mol), and an
    /// extreme one would also break the hull's numerics.
    /// </summary>
    public const double MaxAbsFormationEnergyEvPerAtom = 10.0;

    private readonly PhaseEntry[] _entries;
    private readonly SystemMask[] _systems;
    private readonly Dictionary<SystemMask, List<int>> _bySystem = [];

    private PhaseEntrySet(PhaseEntry[] entries)
    {
        _entries = entries;
        _systems = new SystemMask[entries.Length];
        for (var i = 0; i < entries.Length; i++)
        {
            var system = _systems[i] = SystemMask.Of(entries[i].Composition);
            if (!_bySystem.TryGetValue(system, out var list))
            {
                _bySystem[system] = list = [];
            }

            list.Add(i);
        }
    }

    /// <summary>All entries, in the order given.</summary>
    public IReadOnlyList<PhaseEntry> Entries => _entries;

    /// <summary>Validates and indexes entries.</summary>
    /// <exception cref="ReferenceDataException">Two entries share an id, or an energy is NaN or infinite; the message names them.</exception>
    public static PhaseEntrySet Create(IEnumerable<PhaseEntry> entries)
    {
        ArgumentNullException.ThrowIfNull(entries);
        var list = entries.ToArray();
        var problems = new List<string>();
        var seen = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < list.Length; i++)
        {
            var e = list[i];
            if (!seen.TryAdd(e.Id, i))
            {
                problems.Add($"entries {seen[e.Id] + 1} and {i + 1} share the id '{e.Id}'");
            }

            if (EnergyProblem(e.EFormPerAtomEv) is { } why)
            {
                problems.Add($"entry {i + 1} ('{e.Id}', {e.Composition.ReducedFormula}): {why}");
            }
        }

        return problems.Count > 0 ? throw Problems(problems) : new PhaseEntrySet(list);
    }

    /// <summary>
    /// Builds a set from columns as read from a file: formulas, energies (eV/atom) and optional ids (default
    /// <c>{source}:{row}</c>). Row numbers in messages count data rows from 1 (the header is row 0).
    /// </summary>
    /// <exception cref="ReferenceDataException">Any formula fails to parse, any energy is missing or not finite, or ids repeat.</exception>
    public static PhaseEntrySet FromColumns(IReadOnlyList<string?> formulas, IReadOnlyList<double> energies, IReadOnlyList<string?>? ids, string source)
    {
        ArgumentNullException.ThrowIfNull(formulas);
        ArgumentNullException.ThrowIfNull(energies);
        var problems = new List<string>();
        var entries = new List<PhaseEntry>(formulas.Count);
        for (var i = 0; i < formulas.Count; i++)
        {
            var row = i + 1;
            if (!FormulaParser.TryParse(formulas[i] ?? string.Empty, out var composition, out var error))
            {
                problems.Add($"row {row}: formula '{formulas[i]}' {error.Message}");
                continue;
            }

            if (EnergyProblem(energies[i]) is { } why)
            {
                problems.Add($"row {row} ({formulas[i]}): {why}");
                continue;
            }

            var id = ids?[i];
            entries.Add(new PhaseEntry(string.IsNullOrWhiteSpace(id) ? $"{source}:{row}" : id, composition, energies[i], source));
        }

        return problems.Count > 0 ? throw Problems(problems) : Create(entries);
    }

    /// <summary>Why a formation energy cannot be a reference value (not finite, or beyond ±<see cref="MaxAbsFormationEnergyEvPerAtom"/>), or null.</summary>
    public static string? EnergyProblem(double eFormPerAtomEv) =>
        !double.IsFinite(eFormPerAtomEv) ? $"formation energy is {(double.IsNaN(eFormPerAtomEv) ? "missing or not a number" : eFormPerAtomEv.ToString(CultureInfo.InvariantCulture))}"
        : Math.Abs(eFormPerAtomEv) > MaxAbsFormationEnergyEvPerAtom ? $"formation energy {eFormPerAtomEv.ToString(CultureInfo.InvariantCulture)} eV/atom is outside ±{MaxAbsFormationEnergyEvPerAtom} eV/atom (a unit error?)"
        : null;

    /// <summary>Entries whose chemical system is exactly <paramref name="system"/> (atomic numbers), in the set's order.</summary>
    public IEnumerable<PhaseEntry> InExactSystem(IEnumerable<int> system) => InExactSystem(SystemMask.Of(system));

    /// <summary>True when some entry's chemical system is exactly <paramref name="system"/>.</summary>
    public bool HasExactSystem(IEnumerable<int> system) => HasExactSystem(SystemMask.Of(system));

    /// <summary>True when some entry's chemical system is exactly <paramref name="system"/>.</summary>
    internal bool HasExactSystem(SystemMask system) => _bySystem.ContainsKey(system);

    /// <summary>Entries whose chemical system is exactly <paramref name="system"/>, in the set's order.</summary>
    internal IEnumerable<PhaseEntry> InExactSystem(SystemMask system) =>
        _bySystem.TryGetValue(system, out var list) ? list.Select(i => _entries[i]) : [];

    /// <summary>The indices of the entries whose chemical system is exactly <paramref name="system"/>, in the set's order.</summary>
    internal ReadOnlySpan<int> ExactSystemIndices(SystemMask system) =>
        _bySystem.TryGetValue(system, out var list) ? System.Runtime.InteropServices.CollectionsMarshal.AsSpan(list) : [];

    /// <summary>Entries whose elements all belong to <paramref name="system"/> (atomic numbers), in the set's order.</summary>
    public IEnumerable<PhaseEntry> InSystem(IEnumerable<int> system)
    {
        var mask = SystemMask.Of(system);
        if (mask.Count <= MaxSubsetLookup)
        {
            // Every non-empty subsystem is a key of the index: 2^n − 1 lookups instead of a scan of all entries.
            var found = new List<int>();
            foreach (var sub in mask.ProperSubsystems().Append(mask))
            {
                if (_bySystem.TryGetValue(sub, out var list))
                {
                    found.AddRange(list);
                }
            }

            found.Sort();
            return [.. found.Select(i => _entries[i])];
        }

        var result = new List<PhaseEntry>();
        for (var i = 0; i < _entries.Length; i++)
        {
            if (mask.Contains(_systems[i]))
            {
                result.Add(_entries[i]);
            }
        }

        return result;
    }

    private static ReferenceDataException Problems(List<string> problems) =>
        new($"The reference data has {problems.Count} problem(s): {string.Join("; ", problems.Take(10))}{(problems.Count > 10 ? "; ..." : string.Empty)}.");
}
