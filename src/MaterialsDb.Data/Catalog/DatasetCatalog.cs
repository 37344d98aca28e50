using System.Text.Json;
using System.Text.RegularExpressions;

namespace MaterialsDb.Data.Catalog;

/// <summary>The datasets MaterialsDb knows: read from <c>datasets/catalog.json</c>, which is embedded in this assembly.</summary>
public sealed partial class DatasetCatalog
{
    private static readonly JsonSerializerOptions JsonOptions = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        PropertyNameCaseInsensitive = false,
        UnmappedMemberHandling = System.Text.Json.Serialization.JsonUnmappedMemberHandling.Skip,
    };

    private static readonly Lazy<DatasetCatalog> DefaultCatalog = new(LoadEmbedded);

    private readonly Dictionary<string, DatasetEntry> _byId;

    private DatasetCatalog(IReadOnlyList<DatasetEntry> datasets)
    {
        Datasets = datasets;
        _byId = datasets.ToDictionary(d => d.Id, StringComparer.Ordinal);
    }

    /// <summary>The catalog shipped with this build.</summary>
    public static DatasetCatalog Default => DefaultCatalog.Value;

    /// <summary>Every dataset, in catalog order.</summary>
    public IReadOnlyList<DatasetEntry> Datasets { get; }

    /// <summary>The dataset with this id.</summary>
    /// <exception cref="MaterialsDbException">Unknown id; the message lists the known ones.</exception>
    public DatasetEntry Get(string id) =>
        _byId.TryGetValue(id, out var entry)
            ? entry
            : throw new MaterialsDbException($"Unknown dataset '{id}'. Known datasets: {string.Join(", ", _byId.Keys)}.");

    /// <summary>Looks up a dataset by id.</summary>
    public bool TryGet(string id, out DatasetEntry entry) => _byId.TryGetValue(id, out entry!);

    /// <summary>Reads and validates a catalog from JSON.</summary>
    /// <exception cref="InvalidDataException">A field is missing or malformed; the message names the dataset and field.</exception>
    public static DatasetCatalog Parse(Stream json)
    {
        var file = JsonSerializer.Deserialize<CatalogFile>(json, JsonOptions)
            ?? throw new InvalidDataException("The catalog is empty.");
        var entries = new List<DatasetEntry>();
        foreach (var d in file.Datasets ?? throw new InvalidDataException("The catalog has no 'datasets' array."))
        {
            entries.Add(Validate(d));
        }

        var duplicate = entries.GroupBy(e => e.Id).FirstOrDefault(g => g.Count() > 1);
        return duplicate is not null
            ? throw new InvalidDataException($"Dataset id '{duplicate.Key}' appears more than once in the catalog.")
            : new DatasetCatalog(entries);
    }

    private static DatasetCatalog LoadEmbedded()
    {
        using var stream = typeof(DatasetCatalog).Assembly.GetManifestResourceStream("MaterialsDb.Data.catalog.json")
            ?? throw new InvalidOperationException("The dataset catalog resource is missing from this build.");
        return Parse(stream);
    }

    private static DatasetEntry Validate(CatalogDataset d)
    {
        var id = Required(d.Id, "(unnamed)", "id");
        if (!IdPattern().IsMatch(id))
        {
            throw new InvalidDataException($"Dataset id '{id}' must be lowercase letters, digits and underscores.");
        }

        var title = Required(d.Title, id, "title");
        var description = Required(d.Description, id, "description");
        var license = Required(d.License, id, "license");
        var citation = Required(d.Citation, id, "citation");
        var format = d.Format ?? throw new InvalidDataException($"Dataset '{id}': missing field 'format'.");
        var files = (d.Files ?? []).Select(f =>
        {
            var name = Required(f.Name, id, "files[].name");
            if (name.Contains('/') || name.Contains('\\') || name.StartsWith('.'))
            {
                throw new InvalidDataException($"Dataset '{id}': file name '{name}' must be a plain file name.");
            }

            var url = Required(f.Url, id, $"files[{name}].url");
            if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.Scheme != Uri.UriSchemeHttps)
            {
                throw new InvalidDataException($"Dataset '{id}': file '{name}' has URL '{url}', which is not an absolute https:// URL.");
            }

            var sha = Required(f.Sha256, id, $"files[{name}].sha256");
            if (!Sha256Pattern().IsMatch(sha))
            {
                throw new InvalidDataException($"Dataset '{id}': file '{name}' has SHA-256 '{sha}', which is not 64 lowercase hex digits.");
            }

            return f.Size is > 0
                ? new DatasetFile(name, uri, sha, f.Size.Value)
                : throw new InvalidDataException($"Dataset '{id}': file '{name}' needs a positive 'size'.");
        }).ToArray();
        if (files.Length == 0)
        {
            throw new InvalidDataException($"Dataset '{id}' lists no files.");
        }

        return new DatasetEntry(
            id,
            title,
            description,
            license,
            citation,
            new DatasetFormat(Required(format.Kind, id, "format.kind"), format.Columns, format.FormulaColumn, format.Target, format.Task, format.Units ?? new Dictionary<string, string>()),
            files);
    }

    private static string Required(string? value, string id, string field) =>
        string.IsNullOrWhiteSpace(value) ? throw new InvalidDataException($"Dataset '{id}': missing field '{field}'.") : value;

    [GeneratedRegex("^[a-z0-9_]+$")]
    private static partial Regex IdPattern();

    [GeneratedRegex("^[0-9a-f]{64}$")]
    private static partial Regex Sha256Pattern();

    // The JSON shape; validated into the public records above.
    private sealed record CatalogFile(int Version, List<CatalogDataset>? Datasets);

    private sealed record CatalogDataset(string? Id, string? Title, string? Description, string? License, string? Citation, CatalogFormat? Format, List<CatalogFileEntry>? Files);

    private sealed record CatalogFormat(string? Kind, List<string>? Columns, string? FormulaColumn, string? Target, string? Task, Dictionary<string, string>? Units);

    private sealed record CatalogFileEntry(string? Name, string? Url, string? Sha256, long? Size);
}
