using Hangfire;
using MaterialsDb.Chemistry;
using MaterialsDb.Data.Catalog;
using MaterialsDb.Features;
using MaterialsDb.Models.Packages;
using MaterialsDb.Screening.Prediction;
using MaterialsDb.Service.Auth;
using MaterialsDb.Service.Jobs;
using MaterialsDb.Service.Materials;
using MaterialsDb.Service.Store;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace MaterialsDb.Service.Api;

/// <summary>Synchronous endpoints: predict, models, datasets, materials, health, and the operators' view of workers.</summary>
internal static class CatalogApi
{
    /// <summary>Body of <c>POST /predict</c>.</summary>
    public sealed record PredictRequest(string? Model, string[]? Formulas);

    public static void Map(IEndpointRouteBuilder api)
    {
        api.MapGet("/health", () => Results.Json(new { status = "ok" })).WithSummary("Liveness; needs no key.");
        api.MapPost("/predict", PredictAsync).WithSummary("Predict one model for up to 10,000 formulas: formula, prediction, std, error.");
        api.MapGet("/models", (ResourceCache resources) => Results.Json(resources.Registry.Packages().Select(folder =>
        {
            var m = ModelManifest.Read(Path.Combine(folder, ModelRegistry.ManifestFile));
            return new { id = m.Id, version = m.Version, target = m.Target, units = m.Units, preset = m.Preset, members = m.Files.Count, metrics = m.Metrics, dataset = m.Dataset };
        }))).WithSummary("Model packages available to screenings and predict.");
        api.MapGet("/datasets", () => Results.Json(DatasetCatalog.Default.Datasets.Select(d => new { id = d.Id, title = d.Title, license = d.License, citation = d.Citation, files = d.Files.Select(f => new { name = f.Name, sha256 = f.Sha256, size = f.Size }) })))
            .WithSummary("The dataset catalog.");
        api.MapGet("/materials", MaterialsAsync).WithSummary("Known entries of the materials database by formula, chemsys (e.g. Fe-O) or elements (comma-separated, all present).");
        api.MapGet("/workers", (HttpContext http, JobStorage storage) =>
        {
            if (Caller.Of(http).Role == Role.Member)
            {
                return ApiErrors.Forbidden("operators only");
            }

            var monitor = storage.GetMonitoringApi();
            return Results.Json(new
            {
                servers = monitor.Servers().Select(s => new { name = s.Name, workers = s.WorkersCount, queues = s.Queues, heartbeat = s.Heartbeat }),
                queues = monitor.Queues().Select(q => new { name = q.Name, length = q.Length, fetched = q.Fetched }),
                statistics = monitor.GetStatistics(),
            });
        }).WithSummary("Operators: Hangfire servers, queue lengths, job counts.");
    }

    private static async Task<IResult> PredictAsync(PredictRequest? request, PredictorCache predictors, ServiceOptions options, CancellationToken ct)
    {
        if (request?.Model is not { Length: > 0 } id || request.Formulas is null)
        {
            return ApiErrors.BadRequest("invalid request", ["body: {\"model\": \"<id>\", \"formulas\": [\"NaCl\", ...]}"]);
        }

        if (request.Formulas.Length is 0 || request.Formulas.Length > options.MaxPredictFormulas)
        {
            return ApiErrors.BadRequest("invalid request", [$"formulas: 1 to {options.MaxPredictFormulas:N0} formulas; got {request.Formulas.Length:N0}"]);
        }

        FormulaPredictor predictor;
        try
        {
            predictor = await predictors.GetAsync(id, ct).ConfigureAwait(false);
        }
        catch (ModelPackageException e)
        {
            return ApiErrors.BadRequest("unknown model", [$"model: {e.Message}"]);
        }

        var (mean, std, errors) = predictor.Predict(request.Formulas, ct);
        return Results.Json(new
        {
            model = predictor.Model.Manifest.Id,
            units = predictor.Model.Manifest.Units,
            predictions = request.Formulas.Select((formula, i) => new
            {
                formula,
                prediction = errors[i] is null ? (double?)mean[i] : null,
                std = errors[i] is null ? (double?)std[i] : null,
                error = errors[i],
            }),
        });
    }

    private static async Task<IResult> MaterialsAsync(IMaterialsSource materials, string? formula, string? chemsys, string? elements, int? limit, CancellationToken ct)
    {
        if ((formula is null ? 0 : 1) + (chemsys is null ? 0 : 1) + (elements is null ? 0 : 1) != 1)
        {
            return ApiErrors.BadRequest("invalid query", ["give exactly one of formula, chemsys, elements"]);
        }

        try
        {
            var query = MaterialsQuery.Parse(formula, chemsys, elements, Math.Clamp(limit ?? 100, 1, 1000));
            var rows = await materials.QueryAsync(query, ct).ConfigureAwait(false);
            return Results.Json(new { items = rows });
        }
        catch (ArgumentException e)
        {
            return ApiErrors.BadRequest("invalid query", [e.Message]);
        }
    }
}
