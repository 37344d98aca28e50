using MaterialsDb.Design.Spec;

namespace MaterialsDb.Design.Campaigns;

/// <summary>A value of a database entry with its unit.</summary>
public readonly record struct DatabaseValue(double Value, string Unit);

/// <summary>One entry of the shared materials database: its id, formula, and every value it carries by name.</summary>
/// <param name="Id">The entry's id (<c>mdb-12</c>).</param>
/// <param name="Formula">The formula as contributed.</param>
/// <param name="Values">The entry's fields (<c>e_form_per_atom</c>, <c>band_gap</c>, <c>total_energy_per_atom</c>) and typed properties.</param>
public sealed record DatabaseRecord(string Id, string Formula, IReadOnlyDictionary<string, DatabaseValue> Values);

/// <summary>The entries a query matched and the database version they were read at.</summary>
public sealed record DatabaseRecords(IReadOnlyList<DatabaseRecord> Records, long Version);

/// <summary>
/// The shared materials database as a campaign reads its first observations from it. The host supplies it (the CLI
/// its embedded or PostgreSQL database, the service the database in the campaign tenant's view), so the design engine
/// depends on no store.
/// </summary>
public interface IObservationDatabase
{
    /// <summary>The entries matching <paramref name="query"/> in the reader's view.</summary>
    /// <param name="query">Scheme, system or elements or formula, version.</param>
    /// <param name="limit">Refuse the query when more entries than this match.</param>
    /// <param name="cancellationToken">Stops the read.</param>
    /// <exception cref="MaterialsDb.Data.InputDataException">More than <paramref name="limit"/> entries match.</exception>
    Task<DatabaseRecords> ReadAsync(DatabaseObservationQuery query, int limit, CancellationToken cancellationToken = default);
}
