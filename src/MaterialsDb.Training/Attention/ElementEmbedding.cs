using System.Globalization;
using MaterialsDb.Chemistry;
using MaterialsDb.Data;
using MaterialsDb.Data.Catalog;
using MaterialsDb.Data.Downloads;
using MaterialsDb.Features;

namespace MaterialsDb.Training.Attention;

/// <summary>
/// A fixed vector per element (row Z − 1 for Z = 1 … <see cref="ElementFractionFeaturizer.MaxZ"/>, the elements the
/// fraction features cover), read from a catalog dataset of kind <c>element-embedding</c>: a CSV whose rows are a
/// symbol followed by the vector. The attention network learns a linear map from it and never changes it.
/// </summary>
/// <param name="Id">The catalog dataset it came from.</param>
/// <param name="Width">Values per element.</param>
/// <param name="Values">Row-major [<see cref="ElementFractionFeaturizer.MaxZ"/>, <paramref name="Width"/>].</param>
public sealed record ElementEmbedding(string Id, int Width, float[] Values)
{
    /// <summary>The catalog's default embedding: mat2vec.</summary>
    public const string DefaultId = "mat2vec";

    /// <summary>Rows it holds: one per element the fraction features cover.</summary>
    public static int Elements => ElementFractionFeaturizer.MaxZ;

    /// <summary>The vector of atomic number <paramref name="z"/>.</summary>
    public ReadOnlySpan<float> Of(int z) => Values.AsSpan((z - 1) * Width, Width);

    /// <summary>Downloads (or finds in the cache) and reads the embedding dataset <paramref name="id"/>.</summary>
    /// <exception cref="InvalidOptionException">The catalog has no element embedding of this id.</exception>
    /// <exception cref="InputDataException">The file is not one vector per element, each finite and of one width.</exception>
    public static async Task<ElementEmbedding> LoadAsync(string id, DatasetStore store, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(store);
        if (!DatasetCatalog.Default.TryGet(id, out var entry) || entry.Format.Kind != "element-embedding")
        {
            throw new InvalidOptionException($"'{id}' is not an element embedding of the catalog; pick one of: {string.Join(", ", DatasetCatalog.Default.Datasets.Where(d => d.Format.Kind == "element-embedding").Select(d => d.Id))}.");
        }

        var path = await store.EnsureFileAsync(entry, entry.Files[0], cancellationToken: cancellationToken).ConfigureAwait(false);
        return Parse(id, await File.ReadAllLinesAsync(path, cancellationToken).ConfigureAwait(false));
    }

    /// <summary>Reads the CSV lines (header first).</summary>
    /// <exception cref="InputDataException">A row is malformed, or an element of Z ≤ <see cref="Elements"/> has no row.</exception>
    public static ElementEmbedding Parse(string id, IReadOnlyList<string> lines)
    {
        ArgumentNullException.ThrowIfNull(lines);
        if (lines.Count < 2)
        {
            throw new InputDataException($"Element embedding '{id}' has no rows.");
        }

        var width = lines[0].Split(',').Length - 1;
        if (width < 1)
        {
            throw new InputDataException($"Element embedding '{id}': the header names no columns after the symbol.");
        }

        var values = new float[Elements * width];
        var seen = new bool[Elements];
        for (var n = 1; n < lines.Count; n++)
        {
            if (lines[n].Length == 0)
            {
                continue;
            }

            var cells = lines[n].Split(',');
            if (cells.Length != width + 1 || !PeriodicTable.TryFromSymbol(cells[0], out var element))
            {
                throw new InputDataException($"Element embedding '{id}', line {n + 1}: expected an element symbol and {width} numbers, got '{Clip(lines[n])}'.");
            }

            if (element.Z > Elements)
            {
                continue;
            }

            for (var k = 0; k < width; k++)
            {
                if (!float.TryParse(cells[k + 1], NumberStyles.Float, CultureInfo.InvariantCulture, out var v) || !float.IsFinite(v))
                {
                    throw new InputDataException($"Element embedding '{id}', line {n + 1} ({cells[0]}), column {k + 1}: '{Clip(cells[k + 1])}' is not a finite number.");
                }

                values[((element.Z - 1) * width) + k] = v;
            }

            seen[element.Z - 1] = true;
        }

        var missing = Enumerable.Range(1, Elements).Where(z => !seen[z - 1]).Select(z => PeriodicTable.FromZ(z).Symbol).ToArray();
        return missing.Length == 0
            ? new ElementEmbedding(id, width, values)
            : throw new InputDataException($"Element embedding '{id}' has no row for {string.Join(", ", missing.Take(5))}{(missing.Length > 5 ? $" and {missing.Length - 5} more" : "")}.");
    }

    private static string Clip(string text) => text.Length <= 40 ? text : text[..40] + "…";
}
