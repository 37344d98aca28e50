using Hangfire;
using MaterialsDb.Data.Downloads;
using MaterialsDb.Design.Campaigns;
using MaterialsDb.Models.Packages;
using MaterialsDb.Service.Materials;
using Microsoft.Extensions.Logging;

namespace MaterialsDb.Service.Jobs;

/// <summary>
/// The Hangfire job that proposes a campaign's round. It names the round it proposes, so a job run twice (a worker
/// killed after saving, the job handed to another) finds the round done and does nothing more; a job killed before
/// saving reruns the same seeded round and writes the same batch.
/// </summary>
public sealed class CampaignJobs(CampaignFolders folders, DatasetStore datasets, ModelRegistry registry, SharedDatabase shared, ILogger<CampaignJobs> log)
{
    /// <summary>Proposes round <paramref name="round"/> of a tenant's campaign (1 starts it).</summary>
    [AutomaticRetry(Attempts = 2)]
    public async Task ProposeAsync(string tenant, Guid id, int round, CancellationToken cancellationToken)
    {
        using var held = await folders.LockAsync(tenant, id, TimeSpan.FromMinutes(5), cancellationToken).ConfigureAwait(false)
            ?? throw new TimeoutException($"Campaign {id} stayed locked for 5 minutes.");
        if (await folders.ReadAsync(tenant, id, cancellationToken).ConfigureAwait(false) is not { } status)
        {
            return;
        }

        var folder = folders.Campaign(tenant, id);
        // Observations queried from the shared database are read in the tenant's own view, like its screenings.
        var runner = new CampaignRunner(datasets, registry, new DatabaseObservationReader(shared.ReadyAsync, new Database.Viewer(tenant)));
        var done = await folders.RoundsDoneAsync(tenant, id, cancellationToken).ConfigureAwait(false);
        try
        {
            if (done < round)
            {
                status.State = CampaignStates.Running;
                await folders.WriteAsync(status, cancellationToken).ConfigureAwait(false);
                if (round == 1)
                {
                    var spec = await File.ReadAllTextAsync(folders.Spec(tenant, id), cancellationToken).ConfigureAwait(false);
                    await runner.StartAsync(spec, folders.Uploads(tenant, id), folder, cancellationToken).ConfigureAwait(false);
                }
                else
                {
                    await runner.NextAsync(folder, cancellationToken).ConfigureAwait(false);
                }
            }

            (status.State, status.Error) = (CampaignStates.Ready, null);
        }
        catch (MaterialsDbException e)
        {
            // The campaign's own problem (nothing feasible, a bad data file): retrying changes nothing. The message
            // names files by their place in the campaign, never by the server's path.
            (status.State, status.Error) = (CampaignStates.Failed, e.Message.Replace(folders.Folder(tenant, id), "<campaign>", StringComparison.Ordinal));
            log.LogInformation("Campaign {Id} round {Round} failed: {Error}", id, round, status.Error);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // A bug or the environment: the job is retried (which sets Running again); until then the caller sees why.
            (status.State, status.Error) = (CampaignStates.Failed, "the round failed on the server; it is retried, and an operator has the details in the log");
            await folders.WriteAsync(status, CancellationToken.None).ConfigureAwait(false);
            log.LogError(e, "Campaign {Id} round {Round} failed", id, round);
            throw;
        }

        await folders.WriteAsync(status, CancellationToken.None).ConfigureAwait(false);
    }
}
