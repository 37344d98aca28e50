using System.Collections.Concurrent;
using MaterialsDb.Chemistry;
using MaterialsDb.Stability.Internal;

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
    private readonly ConcurrentDictionary<SystemMask, Lazy<PhaseDiagram>> _diagrams = new();

    /// <summary>The reference set the hulls come from.</summary>
    public PhaseEntrySet Reference { get; } = reference ?? throw new ArgumentNullException(nameof(reference));

    /// <summary>Hulls built so far.</summary>
    public int Count => _diagrams.Count;

    /// <summary>The hull of the system spanned by <paramref name="composition"/>'s elements.</summary>
    public PhaseDiagram For(Composition composition)
    {
        ArgumentNullException.ThrowIfNull(composition);
        return For(SystemMask.Of(composition));
    }

    /// <summary>The hull of the system spanned by these elements (atomic numbers, any order; a <c>CompositionBatch</c> row's).</summary>
    public PhaseDiagram For(ReadOnlySpan<byte> atomicNumbers) => For(SystemMask.Of(atomicNumbers));

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
    public PhaseDiagram For(IEnumerable<int> system) => For(SystemMask.Of(system));

    /// <summary>
    /// Builds the hulls of <paramref name="systems"/> and of every subsystem with entries they rest on, level by level
    /// (all unaries, then all binaries, …) on <paramref name="threads"/> threads (−1: all cores). Within a level no
    /// build waits for another, so the work spreads evenly over the threads; asking for the systems one by one in
    /// parallel instead leaves threads waiting on the shared subsystems another thread is building.
    /// </summary>
    /// <returns>The number of hulls the cache holds afterwards.</returns>
    public int BuildAll(IEnumerable<IEnumerable<int>> systems, int threads = -1, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(systems);
        var needed = new HashSet<SystemMask>();
        foreach (var system in systems)
        {
            var mask = SystemMask.Of(system);
            if (needed.Add(mask))
            {
                foreach (var sub in mask.ProperSubsystems())
                {
                    if (Reference.HasExactSystem(sub))
                    {
                        needed.Add(sub);
                    }
                }
            }
        }

        var options = new ParallelOptions { MaxDegreeOfParallelism = threads, CancellationToken = cancellationToken };
        foreach (var level in needed.GroupBy(m => m.Count).OrderBy(g => g.Key))
        {
            // In element order, so that neighbours share subsystems whose hulls are still in the cache (in the set's
            // hash order a 2,000,000-entry database built a fifth slower); each thread takes a contiguous range.
            Parallel.ForEach(level.OrderBy(m => m.Bits).ToArray(), options, m => For(m));
        }

        return Count;
    }

    /// <summary>
    /// A cache over this reference plus <paramref name="added"/> that keeps every hull the additions cannot change —
    /// a system's hull changes only when an added entry lies in it (the entry's elements are among the system's) — and
    /// builds the others again on first use. Adding entries to one system thus rebuilds only the systems that contain
    /// it; the hulls kept are shared, built or not.
    /// </summary>
    /// <exception cref="ReferenceDataException">An added entry repeats an id of the reference.</exception>
    public PhaseDiagramCache WithEntries(IEnumerable<PhaseEntry> added)
    {
        ArgumentNullException.ThrowIfNull(added);
        var additions = added.ToList();
        var cache = new PhaseDiagramCache(PhaseEntrySet.Create(Reference.Entries.Concat(additions)));
        var touched = additions.Select(e => SystemMask.Of(e.Composition)).ToHashSet();
        foreach (var (system, diagram) in _diagrams)
        {
            if (!touched.Any(system.Contains))
            {
                cache._diagrams[system] = diagram;
            }
        }

        return cache;
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

    // A lookup first: GetOrAdd's factory is a new closure on every call, and subsystems are looked up far more often
    // than built.
    private PhaseDiagram For(SystemMask system) =>
        (_diagrams.TryGetValue(system, out var known) ? known : _diagrams.GetOrAdd(system, m => new Lazy<PhaseDiagram>(() => PhaseDiagram.BuildOf(m.Elements(), Candidates(m))))).Value;

    // The system's own entries and, from each proper subsystem that has entries of its own, those of them that are
    // stable in it (elemental reference states are added by Build anyway), in one array of the exact size.
    private PhaseEntry[] Candidates(SystemMask system)
    {
        var own = Reference.ExactSystemIndices(system);
        var count = own.Length;
        foreach (var sub in system.ProperSubsystems())
        {
            if (Reference.HasExactSystem(sub))
            {
                count += For(sub).StableOfWholeSystem.Length;
            }
        }

        var candidates = new PhaseEntry[count];
        var filled = 0;
        foreach (var i in own)
        {
            candidates[filled++] = Reference.Entries[i];
        }

        foreach (var sub in system.ProperSubsystems())
        {
            if (Reference.HasExactSystem(sub))
            {
                var stable = For(sub).StableOfWholeSystem;
                stable.CopyTo(candidates.AsSpan(filled));
                filled += stable.Length;
            }
        }

        return candidates;
    }
}
