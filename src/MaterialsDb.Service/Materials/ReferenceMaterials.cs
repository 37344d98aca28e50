using MaterialsDb.Data.Downloads;
using MaterialsDb.Screening.Resources;
using MaterialsDb.Stability;

namespace MaterialsDb.Service.Materials;

/// <summary>The embedded mode's materials database: the default reference dataset, loaded on first use and indexed in memory.</summary>
public sealed class ReferenceMaterials(DatasetStore store) : IMaterialsSource
{
    private readonly Lazy<Task<PhaseEntrySet>> _entries = new(() => ReferenceSetLoader.LoadAsync(ReferenceSetLoader.DefaultReference, store));

    public async Task<IReadOnlyList<MaterialEntry>> QueryAsync(MaterialsQuery query, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        var set = await _entries.Value.WaitAsync(cancellationToken).ConfigureAwait(false);
        IEnumerable<PhaseEntry> found = query switch
        {
            { System: { } system } => set.InExactSystem(system),
            { Elements: { } elements } => set.Entries.Where(e => elements.All(z => e.Composition.AtomicNumbers.Contains((byte)z))),
            _ => set.Entries.Where(e => e.ReducedFormula == query.ReducedFormula),
        };
        return [.. found.Where(e => query.InRanges(e.EFormPerAtomEv, e.Composition.ElementCount)).Skip(query.Offset).Take(query.Limit)
            .Select(e => new MaterialEntry(ReferenceSetLoader.DefaultReference, e.Id, e.Composition.Formula, e.ReducedFormula, e.Composition.ChemicalSystem, e.Composition.ElementCount, e.EFormPerAtomEv))];
    }
}
