using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using MaterialsDb.Data.Tables;
using MaterialsDb.Design.Campaigns;

namespace MaterialsDb.Service.Jobs;

/// <summary>A campaign's service-side status (<c>service.json</c> beside its campaign folder).</summary>
public sealed class CampaignStatus
{
    /// <summary>The campaign.</summary>
    public Guid Id { get; set; }

    /// <summary>The owning tenant.</summary>
    public string Tenant { get; set; } = string.Empty;

    /// <summary>The spec's name.</summary>
    public string Name { get; set; } = string.Empty;

    /// <summary><c>queued</c> or <c>running</c> (a round is being proposed), <c>ready</c>, or <c>failed</c>.</summary>
    public string State { get; set; } = CampaignStates.Queued;

    /// <summary>The round the pending or last job proposes.</summary>
    public int Round { get; set; }

    /// <summary>Why the last job failed.</summary>
    public string? Error { get; set; }

    /// <summary>The key that created it.</summary>
    public Guid SubmittedBy { get; set; }

    /// <summary>Created.</summary>
    public DateTimeOffset Created { get; set; }

    /// <summary>Last change.</summary>
    public DateTimeOffset Updated { get; set; }
}

/// <summary>Campaign states.</summary>
public static class CampaignStates
{
    /// <summary>A round job is waiting.</summary>
    public const string Queued = "queued";

    /// <summary>A round job is running.</summary>
    public const string Running = "running";

    /// <summary>The latest round is proposed; results may be reported.</summary>
    public const string Ready = "ready";

    /// <summary>The last round job failed (its error says why); results may still be reported and another round asked for.</summary>
    public const string Failed = "failed";

    /// <summary>True while a round job is pending.</summary>
    public static bool Busy(string state) => state is Queued or Running;
}

/// <summary>
/// Where campaigns live: under the results folder that every node of a cluster shares, one folder per tenant (named by
/// a hash of the tenant, never by text from a request) and one per campaign (its id), holding <c>service.json</c>,
/// <c>uploads/</c> and the campaign folder of <see cref="CampaignRunner"/>.
/// </summary>
public sealed class CampaignFolders(ServiceOptions options)
{
    private static readonly JsonSerializerOptions Json = new() { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower, WriteIndented = true };

    /// <summary>The root of every campaign.</summary>
    public string Root { get; } = Path.Combine(Path.GetFullPath(options.ResultsFolder), "campaigns");

    /// <summary>A tenant's campaigns.</summary>
    public string Tenant(string tenant) => Path.Combine(Root, Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(tenant)))[..24]);

    /// <summary>A campaign's folder.</summary>
    public string Folder(string tenant, Guid id) => Path.Combine(Tenant(tenant), id.ToString("N"));

    /// <summary>The campaign folder proper (spec, state, batches).</summary>
    public string Campaign(string tenant, Guid id) => Path.Combine(Folder(tenant, id), "campaign");

    /// <summary>Files uploaded with the spec, under the names the spec gives them.</summary>
    public string Uploads(string tenant, Guid id) => Path.Combine(Folder(tenant, id), "uploads");

    /// <summary>The spec as submitted.</summary>
    public string Spec(string tenant, Guid id) => Path.Combine(Folder(tenant, id), "spec.yaml");

    /// <summary>The status, or null when the tenant has no such campaign.</summary>
    public async Task<CampaignStatus?> ReadAsync(string tenant, Guid id, CancellationToken cancellationToken)
    {
        var path = Path.Combine(Folder(tenant, id), "service.json");
        if (!File.Exists(path))
        {
            return null;
        }

        await using var stream = File.OpenRead(path);
        var status = await JsonSerializer.DeserializeAsync<CampaignStatus>(stream, Json, cancellationToken).ConfigureAwait(false);
        return status?.Tenant == tenant ? status : null;
    }

    /// <summary>Rounds the campaign has proposed (0 before its first state is saved).</summary>
    public async Task<int> RoundsDoneAsync(string tenant, Guid id, CancellationToken cancellationToken)
    {
        var folder = Campaign(tenant, id);
        return File.Exists(Path.Combine(folder, CampaignRunner.StateFile))
            ? (await CampaignRunner.LoadAsync(folder, cancellationToken).ConfigureAwait(false)).State.Rounds.Count
            : 0;
    }

    /// <summary>Every campaign of a tenant, newest first.</summary>
    public async Task<List<CampaignStatus>> ListAsync(string tenant, CancellationToken cancellationToken)
    {
        var folder = Tenant(tenant);
        var list = new List<CampaignStatus>();
        if (!Directory.Exists(folder))
        {
            return list;
        }

        foreach (var dir in Directory.EnumerateDirectories(folder))
        {
            if (Guid.TryParseExact(Path.GetFileName(dir), "N", out var id) && await ReadAsync(tenant, id, cancellationToken).ConfigureAwait(false) is { } status)
            {
                list.Add(status);
            }
        }

        return [.. list.OrderByDescending(s => s.Created).ThenByDescending(s => s.Id)];
    }

    /// <summary>Replaces the status atomically.</summary>
    public async Task WriteAsync(CampaignStatus status, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(status);
        var path = Path.Combine(Folder(status.Tenant, status.Id), "service.json");
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        status.Updated = DateTimeOffset.UtcNow;
        var temp = AtomicFile.TempPathFor(path);
        try
        {
            await File.WriteAllTextAsync(temp, JsonSerializer.Serialize(status, Json), cancellationToken).ConfigureAwait(false);
            File.Move(temp, path, overwrite: true);
        }
        finally
        {
            AtomicFile.TryDelete(temp);
        }
    }

    /// <summary>
    /// Takes the campaign's lock (an exclusive open of its <c>.lock</c> file) so that a report and a round never write
    /// its state at once; waits up to <paramref name="timeout"/>, then returns null.
    /// </summary>
    public async Task<IDisposable?> LockAsync(string tenant, Guid id, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var path = Path.Combine(Folder(tenant, id), ".lock");
        var until = DateTimeOffset.UtcNow + timeout;
        while (true)
        {
            try
            {
                return new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
            }
            catch (IOException) when (DateTimeOffset.UtcNow < until)
            {
                await Task.Delay(100, cancellationToken).ConfigureAwait(false);
            }
            catch (IOException)
            {
                return null;
            }
        }
    }
}
