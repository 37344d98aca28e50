using System.Text.Json;

namespace MaterialsDb.Service.Store;

/// <summary>
/// The embedded mode's key list: one JSON record per line (hashes only) in <c>$MATERIALSDB_HOME/service/keys.jsonl</c>,
/// written by <c>materialsdb keys</c> and read by <c>serve</c> whenever it changes.
/// </summary>
public sealed class KeyFile(string path)
{
    /// <summary>The default file.</summary>
    public static string DefaultPath => System.IO.Path.Combine(Data.Downloads.DatasetStoreOptions.FromEnvironment().Home, "service", "keys.jsonl");

    /// <summary>The file.</summary>
    public string Path { get; } = path;

    /// <summary>All records (a revoked key appears again with <c>Revoked = true</c>; the last line wins).</summary>
    public IReadOnlyList<ApiKeyRecord> Read()
    {
        if (!File.Exists(Path))
        {
            return [];
        }

        var byId = new Dictionary<Guid, ApiKeyRecord>();
        foreach (var line in File.ReadLines(Path).Where(l => l.Length > 0))
        {
            var record = JsonSerializer.Deserialize<ApiKeyRecord>(line) ?? throw new InvalidDataException($"{Path}: a line is not a key record.");
            byId[record.Id] = record;
        }

        return [.. byId.Values.OrderBy(k => k.Created)];
    }

    /// <summary>Appends a record.</summary>
    public void Append(ApiKeyRecord record)
    {
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(Path)!);
        using var stream = new FileStream(Path, FileMode.Append, FileAccess.Write, FileShare.Read);
        using var writer = new StreamWriter(stream);
        writer.WriteLine(JsonSerializer.Serialize(record));
    }

    /// <summary>Last write time (to reload when it changes).</summary>
    public DateTime Stamp => File.Exists(Path) ? File.GetLastWriteTimeUtc(Path) : DateTime.MinValue;
}
