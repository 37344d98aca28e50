namespace MaterialsDb.Data.Catalog;

/// <summary>A dataset of the catalog: what it is, where its files come from, under which licence and how to cite it.</summary>
public sealed record DatasetEntry(
    string Id,
    string Title,
    string Description,
    string License,
    string Citation,
    DatasetFormat Format,
    IReadOnlyList<DatasetFile> Files)
{
    /// <summary>Total bytes of the dataset's files.</summary>
    public long Size => Files.Sum(f => f.Size);

    /// <summary>The file with this name.</summary>
    /// <exception cref="MaterialsDbException">The dataset has no such file.</exception>
    public DatasetFile File(string name) =>
        Files.FirstOrDefault(f => f.Name == name)
        ?? throw new MaterialsDbException($"Dataset '{Id}' has no file '{name}'; it has: {string.Join(", ", Files.Select(f => f.Name))}.");
}
