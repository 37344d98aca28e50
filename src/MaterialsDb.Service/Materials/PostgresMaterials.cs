using Npgsql;

namespace MaterialsDb.Service.Materials;

/// <summary>
/// The shared materials database in PostgreSQL (<c>materialsdb.materials</c>, filled by <c>materialsdb db import</c>),
/// falling back to the built-in reference while nothing has been imported.
/// </summary>
public sealed class PostgresMaterials(NpgsqlDataSource dataSource, IMaterialsSource fallback) : IMaterialsSource
{
    public async Task<IReadOnlyList<MaterialEntry>> QueryAsync(MaterialsQuery query, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        if (!await MaterialsDatabase.HasEntriesAsync(dataSource, cancellationToken).ConfigureAwait(false))
        {
            return await fallback.QueryAsync(query, cancellationToken).ConfigureAwait(false);
        }

        return await MaterialsDatabase.QueryAsync(dataSource, query, cancellationToken).ConfigureAwait(false);
    }
}
