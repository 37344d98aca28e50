using MaterialsDb.Data.Catalog;
using MaterialsDb.Data.Downloads;

namespace MaterialsDb.Data.Tables;

/// <summary>Loads named element tables (e.g. Magpie's <c>&lt;Property&gt;.table</c> files) of a catalog dataset.</summary>
public static class ElementTableSet
{
    /// <summary>
    /// Fetches the dataset if needed and reads <c>&lt;property&gt;.table</c> for each property: values by atomic number
    /// (index Z − 1), NaN where missing.
    /// </summary>
    /// <exception cref="MaterialsDbException">The dataset has no table for a property; the message names it.</exception>
    public static async Task<IReadOnlyDictionary<string, double[]>> LoadAsync(DatasetStore store, DatasetEntry dataset, IEnumerable<string> properties, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(dataset);
        ArgumentNullException.ThrowIfNull(properties);
        var tables = new Dictionary<string, double[]>(StringComparer.Ordinal);
        foreach (var property in properties)
        {
            var file = dataset.File(property + ".table");
            var path = await store.EnsureFileAsync(dataset, file, cancellationToken: cancellationToken).ConfigureAwait(false);
            tables[property] = ElementTableReader.ReadValues(path);
        }

        return tables;
    }
}
