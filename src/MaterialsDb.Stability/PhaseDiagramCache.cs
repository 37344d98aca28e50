using System.Collections.Concurrent;
using MaterialsDb.Chemistry;

namespace MaterialsDb.Stability;

/// <summary>
/// Hulls of a reference set, built on first use and shared: one per chemical system, thread-safe, each built once
/// even when many threads ask for it at the same time.
/// </summary>
/// <remarks>
/// An entry is a vertex of a system's hull exactly when it is a vertex of the hull of its own chemical system (that
/// hull is a face of the larger one). So the hull of a system is built from the entries of that exact system plus the
/// stable phases of each of its subsystems, which the cache builds first: large systems then see tens of candidate
/// points instead of thousands, with the same hull.
/// </remarks>
public sealed class PhaseDiagramCache(PhaseEntrySet reference)
{
    private readonly ConcurrentDictionary<string, Lazy<PhaseDiagram>> _diagrams = new(StringComparer.Ordinal);

    /// <summary>The reference set the hulls come from.</summary>
    public PhaseEntrySet Reference { get; } = reference ?? throw new ArgumentNullException(nameof(reference));

    /// <summary>Hulls built so far.</summary>
    public int Count => _diagrams.Count;

    /// <summary>The hull of the system spanned by <paramref name="composition"/>'s elements.</summary>
    public PhaseDiagram For(Composition composition)
    {
        ArgumentNullException.ThrowIfNull(composition);
        return For(composition.AtomicNumbers.ToArray().Select(z => (int)z));
    }

    /// <summary>The hull of a system given as <c>Fe-Li-O-P</c> (any order).</summary>
    /// <exception cref="MaterialsDbException">A symbol is not an element.</exception>
    public PhaseDiagram For(string chemicalSystem)
    {
        ArgumentNullException.ThrowIfNull(chemicalSystem);
        var symbols = chemicalSystem.Split('-', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        if (symbols.Length == 0)
        {
            throw new MaterialsDbException($"'{chemicalSystem}' names no elements; write a system like Fe-Li-O-P.");
        }

        return For(symbols.Select(s => PeriodicTable.TryFromSymbol(s, out var e)
            ? e.Z
            : throw new MaterialsDbException($"'{s}' in chemical system '{chemicalSystem}' is not an element symbol.")));
    }

    /// <summary>The hull of a system given by atomic numbers.</summary>
    public PhaseDiagram For(IEnumerable<int> system)
    {
        var zs = system.Distinct().Order().ToArray();
        var key = string.Join('-', zs);
        return _diagrams.GetOrAdd(key, _ => new Lazy<PhaseDiagram>(() => PhaseDiagram.Build(zs, Candidates(zs)))).Value;
    }

    /// <summary>
    /// The hull of a system without the entries <paramref name="excluded"/> picks, all of that exact system (a phase
    /// judged against its competitors). When none of them is a hull vertex, the cached hull itself; else one built
    /// from the system's other entries and its subsystems' stable phases (removing interior vertices changes the hull
    /// only inside the system).
    /// </summary>
    public PhaseDiagram Without(IEnumerable<int> system, Func<PhaseEntry, bool> excluded)
    {
        ArgumentNullException.ThrowIfNull(excluded);
        var zs = system.Distinct().Order().ToArray();
        var diagram = For(zs);
        if (!diagram.StableEntries.Any(excluded))
        {
            return diagram;
        }

        var competitors = Reference.InExactSystem(zs).Where(e => !excluded(e))
            .Concat(diagram.StableEntries.Where(e => e.Source != PhaseDiagram.ElementalReferenceSource && e.Composition.ElementCount < zs.Length));
        return PhaseDiagram.Build(zs, competitors);
    }

    private List<PhaseEntry> Candidates(int[] system)
    {
        var candidates = new List<PhaseEntry>(Reference.InExactSystem(system));
        if (system.Length == 1)
        {
            return candidates;
        }

        // Each proper subsystem that has entries of its own contributes those of them that are stable in it
        // (elemental reference states are added by Build anyway).
        var full = (1 << system.Length) - 1;
        for (var subset = 1; subset < full; subset++)
        {
            var sub = Enumerable.Range(0, system.Length).Where(k => (subset & (1 << k)) != 0).Select(k => system[k]).ToArray();
            if (Reference.HasExactSystem(sub))
            {
                candidates.AddRange(For(sub).StableEntries.Where(e => e.Source != PhaseDiagram.ElementalReferenceSource && e.Composition.ElementCount == sub.Length));
            }
        }

        return candidates;
    }
}
