using System.Text;
using System.Text.Json;
using MaterialsDb.Data.Tables;

namespace MaterialsDb.Service.Store;

/// <summary>
/// The embedded mode's key list: one JSON record per line (hashes only) in <c>$MATERIALSDB_HOME/service/keys.jsonl</c>,
/// written by <c>materialsdb keys</c> and read by <c>serve</c> whenever it changes.
/// </summary>
/// <remarks>
/// Every change rewrites the whole file under a temporary name and renames it into place while holding a lock file, so
/// a crash or a full disk leaves either the old file or the new one, never a torn line. Files written by older versions
/// (appends) may still end in a torn line: unreadable lines are skipped and reported, never fatal, so a key can always
/// be listed and revoked.
/// </remarks>
public sealed class KeyFile(string path)
{
    /// <summary>The default file.</summary>
    public static string DefaultPath => System.IO.Path.Combine(Data.Downloads.DatasetStoreOptions.FromEnvironment().Home, "service", "keys.jsonl");

    /// <summary>The file.</summary>
    public string Path { get; } = path;

    /// <summary>All records (a revoked key is stored with <c>Revoked = true</c>; the last record of an id wins).</summary>
    public IReadOnlyList<ApiKeyRecord> Read() => ReadWithProblems().Records;

    /// <summary>All records, and one message per line that could not be read (line number and reason).</summary>
    public (IReadOnlyList<ApiKeyRecord> Records, IReadOnlyList<string> Problems) ReadWithProblems()
    {
        if (!File.Exists(Path))
        {
            return ([], []);
        }

        var byId = new Dictionary<Guid, ApiKeyRecord>();
        var problems = new List<string>();
        var number = 0;
        foreach (var line in File.ReadLines(Path))
        {
            number++;
            if (line.Length == 0)
            {
                continue;
            }

            try
            {
                if (JsonSerializer.Deserialize<ApiKeyRecord>(line) is { Sha256.Length: 64, Tenant.Length: > 0 } record)
                {
                    byId[record.Id] = record;
                    continue;
                }

                problems.Add($"{Path}, line {number}: not a key record; skipped");
            }
            catch (JsonException e)
            {
                problems.Add($"{Path}, line {number}: unreadable ({e.Message.Split('.')[0]}), probably torn by a crash; skipped");
            }
        }

        return ([.. byId.Values.OrderBy(k => k.Created)], problems);
    }

    /// <summary>Adds a record, or replaces the record with the same id (revocation).</summary>
    public void Write(ApiKeyRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(Path))!);
        using var gate = Lock();
        var records = Read().Where(r => r.Id != record.Id).Append(record).OrderBy(r => r.Created).ToArray();
        var temp = AtomicFile.TempPathFor(Path);
        try
        {
            using (var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write))
            {
                var text = new StringBuilder();
                foreach (var r in records)
                {
                    text.Append(JsonSerializer.Serialize(r)).Append('\n');
                }

                stream.Write(Encoding.UTF8.GetBytes(text.ToString()));
                stream.Flush(flushToDisk: true);
            }

            File.Move(temp, Path, overwrite: true);
        }
        finally
        {
            AtomicFile.TryDelete(temp);
        }
    }

    /// <summary>Last write time (to reload when it changes).</summary>
    public DateTime Stamp => File.Exists(Path) ? File.GetLastWriteTimeUtc(Path) : DateTime.MinValue;

    // Two 'keys' commands at once must not both rewrite from the same old contents; FileShare.None is an flock on Unix.
    private FileStream Lock()
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (true)
        {
            try
            {
                return new FileStream(Path + ".lock", FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
            }
            catch (IOException) when (DateTime.UtcNow < deadline)
            {
                Thread.Sleep(50);
            }
        }
    }
}
