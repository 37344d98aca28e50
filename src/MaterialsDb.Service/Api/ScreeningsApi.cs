using System.Globalization;
using System.Text;
using System.Text.Json;
using Hangfire;
using Hangfire.States;
using MaterialsDb.Data.Tables;
using MaterialsDb.Screening.Engine;
using MaterialsDb.Screening.Spec;
using MaterialsDb.Service.Auth;
using MaterialsDb.Service.Jobs;
using MaterialsDb.Service.Store;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace MaterialsDb.Service.Api;

/// <summary><c>/api/v1/screenings</c>: submit, list, inspect, cancel, download.</summary>
internal static class ScreeningsApi
{
    public static void Map(IEndpointRouteBuilder api)
    {
        api.MapPost("/screenings", SubmitAsync).WithSummary("Submit a screening spec (JSON or YAML, the CLI's schema); 202 with its id.");
        api.MapGet("/screenings", ListAsync).WithSummary("The caller's tenant's screenings, newest first; pass `next` as `cursor` for the following page.");
        api.MapGet("/screenings/{id:guid}", GetAsync).WithSummary("State, progress, counts and timings per stage, error.");
        api.MapDelete("/screenings/{id:guid}", CancelAsync).WithSummary("Cancel: remaining chunks stop; state Cancelled.");
        api.MapGet("/screenings/{id:guid}/results", ResultsAsync).WithSummary("The ranked result: format=parquet (default), csv or json; top=N.");
    }

    private static async Task<IResult> SubmitAsync(HttpContext http, IServiceStore store, ResourceCache resources, ServiceOptions options, IBackgroundJobClient jobs, string? queue, CancellationToken ct)
    {
        var caller = Caller.Of(http);
        string text;
        using (var reader = new StreamReader(http.Request.Body, Encoding.UTF8))
        {
            text = await reader.ReadToEndAsync(ct).ConfigureAwait(false);
        }

        queue ??= "default";
        if (!options.Queues.Contains(queue))
        {
            return ApiErrors.BadRequest($"unknown queue '{queue}'", [$"queue: one of {string.Join(", ", options.Queues)}"]);
        }

        ScreeningSpec spec;
        ScreeningPlan plan;
        try
        {
            spec = SpecParser.Parse(text);
            if (spec.List is not null)
            {
                return ApiErrors.BadRequest("invalid screening spec", ["candidates.list: the service screens enumerated spaces; screen a list locally with 'materialsdb screen'"]);
            }

            plan = await resources.PlanAsync(spec, ct).ConfigureAwait(false);
        }
        catch (SpecException e)
        {
            return ApiErrors.BadRequest("invalid screening spec", e.Texts);
        }

        var candidates = ScreeningEngine.CountEnumerated(plan.Space!);
        if (candidates > options.MaxCandidates)
        {
            return ApiErrors.BadRequest("space too large", [string.Create(CultureInfo.InvariantCulture, $"candidates.enumerate: {candidates:N0} candidates pass the chemical filters; the limit is {options.MaxCandidates:N0}")]);
        }

        if (await store.CountActiveAsync(caller.Tenant, ct).ConfigureAwait(false) >= options.MaxActivePerTenant)
        {
            return ApiErrors.TooMany($"tenant '{caller.Tenant}' already has {options.MaxActivePerTenant} screenings queued or running");
        }

        var chunks = (int)Math.Max(1, (candidates + options.ChunkSize - 1) / options.ChunkSize);
        var record = new ScreeningRecord
        {
            Id = Guid.CreateVersion7(), Tenant = caller.Tenant, Name = spec.Name, Spec = text, Queue = queue, State = States.Queued,
            Candidates = candidates, Chunks = chunks, ChunkSize = options.ChunkSize, Created = DateTimeOffset.UtcNow, Updated = DateTimeOffset.UtcNow,
        };
        await store.AddScreeningAsync(record, ct).ConfigureAwait(false);
        for (var c = 0; c < chunks; c++)
        {
            var chunk = c;
            jobs.Create<ScreeningJobs>(j => j.RunChunkAsync(record.Id, chunk, null, CancellationToken.None), new EnqueuedState(queue));
        }

        return Results.Accepted($"/api/v1/screenings/{record.Id}", new { id = record.Id, state = record.State, candidates, chunks });
    }

    private static async Task<IResult> ListAsync(HttpContext http, IServiceStore store, string? cursor, int? limit, CancellationToken ct)
    {
        var caller = Caller.Of(http);
        (DateTimeOffset, Guid)? after = null;
        if (cursor is not null)
        {
            if (!TryDecodeCursor(cursor, out var decoded))
            {
                return ApiErrors.BadRequest("invalid cursor", ["cursor: pass the 'next' value of the previous page"]);
            }

            after = decoded;
        }

        var size = Math.Clamp(limit ?? 50, 1, 200);
        var rows = await store.ListScreeningsAsync(caller.Tenant, after, size, ct).ConfigureAwait(false);
        var next = rows.Count == size ? EncodeCursor(rows[^1].Created, rows[^1].Id) : null;
        return Results.Json(new { items = rows.Select(Summary), next });
    }

    private static async Task<IResult> GetAsync(HttpContext http, IServiceStore store, ResourceCache resources, Guid id, CancellationToken ct)
    {
        var s = await OwnAsync(http, store, id, ct).ConfigureAwait(false);
        if (s is null)
        {
            return ApiErrors.NotFound("screening");
        }

        var chunks = await store.GetChunksAsync(id, ct).ConfigureAwait(false);
        var plan = await resources.PlanAsync(SpecParser.Parse(s.Spec), ct).ConfigureAwait(false);
        var stages = plan.StageNames.Select((name, i) => new { stage = name, passed = chunks.Sum(c => c.Passed[i]), thread_seconds = Math.Round(chunks.Sum(c => c.Seconds[i]), 3) });
        return Results.Json(new
        {
            summary = Summary(s),
            progress = new { chunks_done = s.ChunksDone, chunks = s.Chunks, candidates_processed = s.Processed, candidates = s.Candidates, survivors = s.Survivors },
            stages,
            chunk_wall_seconds = Math.Round(chunks.Sum(c => c.WallSeconds), 3),
        });
    }

    private static async Task<IResult> CancelAsync(HttpContext http, IServiceStore store, Guid id, CancellationToken ct)
    {
        var s = await OwnAsync(http, store, id, ct).ConfigureAwait(false);
        if (s is null)
        {
            return ApiErrors.NotFound("screening");
        }

        return await store.TransitionAsync(id, [States.Queued, States.Running], States.Cancelled, "cancelled by the caller", ct).ConfigureAwait(false)
            ? Results.Json(new { id, state = States.Cancelled })
            : ApiErrors.Conflict($"screening is already {s.State}");
    }

    private static async Task ResultsAsync(HttpContext http, IServiceStore store, ResultPaths paths, Guid id, string? format, int? top, CancellationToken ct)
    {
        async Task Fail(IResult result) => await result.ExecuteAsync(http).ConfigureAwait(false);
        var s = await OwnAsync(http, store, id, ct).ConfigureAwait(false);
        if (s is null)
        {
            await Fail(ApiErrors.NotFound("screening")).ConfigureAwait(false);
            return;
        }

        if (s.State != States.Succeeded)
        {
            await Fail(ApiErrors.Conflict($"screening is {s.State}; results exist once it has Succeeded")).ConfigureAwait(false);
            return;
        }

        format ??= "parquet";
        if (format is not ("parquet" or "csv" or "json") || top is < 1)
        {
            await Fail(ApiErrors.BadRequest("bad query", ["format: parquet, csv or json; top: a positive number"])).ConfigureAwait(false);
            return;
        }

        var path = paths.Result(id);
        if (format == "parquet" && top is null)
        {
            http.Response.ContentType = "application/vnd.apache.parquet";
            http.Response.Headers.ContentDisposition = $"attachment; filename=\"{s.Name}.parquet\"";
            await http.Response.SendFileAsync(path, ct).ConfigureAwait(false);
            return;
        }

        var (table, metadata) = await ParquetTableReader.ReadAsync(path, ct).ConfigureAwait(false);
        var rows = Math.Min(top ?? int.MaxValue, table.RowCount);
        var cut = new ColumnTable(table.Columns.Select(c => Slice(c, rows)));
        if (format == "json")
        {
            http.Response.ContentType = "application/json";
            await JsonSerializer.SerializeAsync(http.Response.Body, Enumerable.Range(0, rows).Select(r => cut.Columns.ToDictionary(c => c.Name, c => Cell(c, r))), cancellationToken: ct).ConfigureAwait(false);
            return;
        }

        // CSV and a cut Parquet go through a temporary file: the table writer is file-based and atomic.
        var temp = Path.Combine(Path.GetTempPath(), $"materialsdb-{Guid.NewGuid():N}.{format}");
        try
        {
            await TableWriter.WriteAsync(cut, temp, metadata, ct).ConfigureAwait(false);
            http.Response.ContentType = format == "csv" ? "text/csv" : "application/vnd.apache.parquet";
            await http.Response.SendFileAsync(temp, ct).ConfigureAwait(false);
        }
        finally
        {
            File.Delete(temp);
        }
    }

    private static async Task<ScreeningRecord?> OwnAsync(HttpContext http, IServiceStore store, Guid id, CancellationToken ct) =>
        await store.GetScreeningAsync(id, ct).ConfigureAwait(false) is { } s && s.Tenant == Caller.Of(http).Tenant ? s : null;

    private static object Summary(ScreeningRecord s) => new
    {
        id = s.Id, name = s.Name, state = s.State, queue = s.Queue, candidates = s.Candidates, chunks = s.Chunks, chunks_done = s.ChunksDone,
        processed = s.Processed, survivors = s.Survivors, error = s.Error, created = s.Created, updated = s.Updated,
    };

    private static string EncodeCursor(DateTimeOffset created, Guid id) =>
        Convert.ToBase64String(Encoding.UTF8.GetBytes(string.Create(CultureInfo.InvariantCulture, $"{created.UtcTicks}:{id:N}")));

    private static bool TryDecodeCursor(string cursor, out (DateTimeOffset, Guid) value)
    {
        value = default;
        try
        {
            var parts = Encoding.UTF8.GetString(Convert.FromBase64String(cursor)).Split(':');
            if (parts.Length == 2 && long.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var ticks) && Guid.TryParseExact(parts[1], "N", out var id)
                && ticks >= DateTimeOffset.MinValue.UtcTicks && ticks <= DateTimeOffset.MaxValue.UtcTicks)
            {
                value = (new DateTimeOffset(ticks, TimeSpan.Zero), id);
                return true;
            }
        }
        catch (FormatException)
        {
        }

        return false;
    }

    private static Column Slice(Column c, int rows) => c switch
    {
        StringColumn s => new StringColumn(c.Name, s.Values[..rows]),
        DoubleColumn d => new DoubleColumn(c.Name, d.Values[..rows]),
        LongColumn l => new LongColumn(c.Name, l.Values[..rows]),
        BoolColumn b => new BoolColumn(c.Name, b.Values[..rows]),
        _ => throw new InvalidOperationException(c.GetType().Name),
    };

    private static object? Cell(Column c, int r) => c switch
    {
        StringColumn s => s.Values[r],
        DoubleColumn d => double.IsFinite(d.Values[r]) ? d.Values[r] : null,
        LongColumn l => l.Values[r],
        BoolColumn b => b.Values[r],
        _ => null,
    };
}
