using Hangfire;
using MaterialsDb.Service.Auth;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace MaterialsDb.Service.Api;

/// <summary>Operators' endpoints: the job system's servers, queues and counts.</summary>
internal static class OperatorsApi
{
    public static void Map(RouteGroupBuilder api)
    {
        api.MapGet("/workers", Workers).WithName("getWorkers").WithTags("Operators")
            .WithSummary("Hangfire servers (nodes), queue lengths and job counts")
            .RequireAuthorization(Policies.Operator)
            .Produces<WorkersInfo>().ProducesProblem(StatusCodes.Status403Forbidden);
        api.MapGet("/usage", UsageAsync).WithName("getUsage").WithTags("Operators")
            .WithSummary("Per-tenant usage: screenings, active ones, candidates screened, thread-seconds")
            .RequireAuthorization(Policies.Operator)
            .Produces<ListEnvelope<UsageInfo>>().ProducesProblem(StatusCodes.Status403Forbidden);
    }

    private static async Task<IResult> UsageAsync(HttpContext http, Store.IServiceStore store, CancellationToken ct)
    {
        var rows = (await store.UsageAsync(ct).ConfigureAwait(false)).Select(u => new UsageInfo(u.Tenant, u.Screenings, u.Active, u.Candidates, Math.Round(u.ThreadSeconds, 3))).ToList();
        return Envelopes.List(http, rows, rows.Count, null, null, []);
    }

    private static IResult Workers(JobStorage storage)
    {
        var monitor = storage.GetMonitoringApi();
        var s = monitor.GetStatistics();
        return TypedResults.Ok(new WorkersInfo(
            [.. monitor.Servers().Select(x => new WorkerServer(x.Name, x.WorkersCount, [.. x.Queues], x.Heartbeat))],
            [.. monitor.Queues().Select(q => new QueueInfo(q.Name, q.Length, q.Fetched))],
            new JobCounts(s.Enqueued, s.Scheduled, s.Processing, s.Succeeded, s.Failed, s.Deleted, s.Servers)));
    }
}
