using MaterialsDb.Data;
using MaterialsDb.Database;
using MaterialsDb.Design.Campaigns;
using MaterialsDb.Design.Spec;

namespace MaterialsDb.Service.Materials;

/// <summary>
/// A campaign's view of the shared materials database: the entries a viewer sees, read page by page at one version
/// (so pages cannot shift under a concurrent contribution), with the entry fields and typed properties as values.
/// The database is opened on the first read, so campaigns that never ask pay nothing.
/// </summary>
public sealed class DatabaseObservationReader(Func<CancellationToken, Task<MaterialsDatabase>> open, Viewer viewer) : IObservationDatabase
{
    /// <inheritdoc />
    public async Task<DatabaseRecords> ReadAsync(DatabaseObservationQuery query, int limit, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        if (EnergySchemes.Find(query.Scheme) is null)
        {
            throw new InputDataException($"observations.database.scheme: '{query.Scheme}' is not a known scheme ({string.Join(", ", EnergySchemes.All.Select(s => s.Name))}).");
        }

        var database = await open(cancellationToken).ConfigureAwait(false);
        var version = await database.ResolveVersionAsync(viewer, query.Version, cancellationToken).ConfigureAwait(false);
        var page = MaterialsQuery.Parse(query.Formula, query.Chemsys, query.Elements, MaterialsQuery.MaxLimit) with { Scheme = query.Scheme, AsOfVersion = version };
        var records = new List<DatabaseRecord>();
        while (true)
        {
            var entries = await database.QueryAsync(page, viewer, cancellationToken).ConfigureAwait(false);
            foreach (var e in entries.Where(e => !e.Retracted))
            {
                records.Add(new DatabaseRecord(e.Id, e.Formula, Values(e)));
            }

            if (records.Count > limit)
            {
                throw new InputDataException($"observations.database: more than {limit:N0} entries of scheme '{query.Scheme}' match; narrow the query (chemsys, elements or formula).");
            }

            if (entries.Count < page.Limit)
            {
                return new DatabaseRecords(records, version);
            }

            page = page with { Offset = page.Offset + page.Limit };
        }
    }

    private static Dictionary<string, DatabaseValue> Values(MaterialEntry e)
    {
        var values = e.Properties.ToDictionary(p => p.Key, p => new DatabaseValue(p.Value.Value, p.Value.Unit), StringComparer.Ordinal);
        if (e.EFormPerAtom is { } ef)
        {
            values["e_form_per_atom"] = new DatabaseValue(ef, "eV/atom");
        }

        if (e.TotalEnergyPerAtom is { } total)
        {
            values["total_energy_per_atom"] = new DatabaseValue(total, "eV/atom");
        }

        if (e.BandGap is { } gap)
        {
            values["band_gap"] = new DatabaseValue(gap, "eV");
        }

        return values;
    }
}
