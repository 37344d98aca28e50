using System.Collections.Concurrent;
using MaterialsDb.Chemistry;

namespace MaterialsDb.Stability;

/// <summary>
/// Hulls of a reference set, built on first use and shared: one per chemical system, thread-safe, each built once
/// even when many threads ask for it at the same time.
/// </summary>
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
    /// <exception cref="ArgumentException">A symbol is not an element.</exception>
    public PhaseDiagram For(string chemicalSystem)
    {
        ArgumentNullException.ThrowIfNull(chemicalSystem);
        var symbols = chemicalSystem.Split('-', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        if (symbols.Length == 0)
        {
            throw new ArgumentException($"'{chemicalSystem}' names no elements; write a system like Fe-Li-O-P.", nameof(chemicalSystem));
        }

        return For(symbols.Select(s => PeriodicTable.TryFromSymbol(s, out var e)
            ? e.Z
            : throw new ArgumentException($"'{s}' in chemical system '{chemicalSystem}' is not an element symbol.", nameof(chemicalSystem))));
    }

    /// <summary>The hull of a system given by atomic numbers.</summary>
    public PhaseDiagram For(IEnumerable<int> system)
    {
        var zs = system.Distinct().Order().ToArray();
        var key = string.Join('-', zs);
        return _diagrams.GetOrAdd(key, _ => new Lazy<PhaseDiagram>(() => PhaseDiagram.Build(zs, Reference.InSystem(zs)))).Value;
    }
}
