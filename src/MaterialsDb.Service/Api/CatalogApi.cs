using MaterialsDb.Data.Catalog;
using MaterialsDb.Models.Packages;
using MaterialsDb.Screening.Spec;
using MaterialsDb.Service.Jobs;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace MaterialsDb.Service.Api;

/// <summary>Read-only catalog endpoints: model packages and datasets.</summary>
internal static class CatalogApi
{
    private static readonly string[] ModelFields = ["id", "column", "version", "target", "units", "preset", "members", "metrics", "dataset"];
    private static readonly string[] DatasetFields = ["id", "title", "license", "citation", "files"];

    public static void Map(RouteGroupBuilder api)
    {
        api.MapGet("/models", Models).WithName("listModels").WithTags("Models")
            .WithSummary("Model packages available to screenings and predict")
            .WithDescription("'fields' picks the fields of each item.")
            .Produces<ListEnvelope<ModelInfo>>().ProducesValidationProblem();
        api.MapGet("/models/{id}/card", Card).WithName("getModelCard").WithTags("Models")
            .WithSummary("A model's card (Markdown): data, metrics per fold, calibration, limits, intended use")
            .Produces<string>(StatusCodes.Status200OK, "text/markdown").ProducesProblem(StatusCodes.Status404NotFound);
        api.MapGet("/datasets", Datasets).WithName("listDatasets").WithTags("Datasets")
            .WithSummary("The dataset catalog: pinned files with checksums, licences and citations")
            .Produces<ListEnvelope<DatasetInfo>>().ProducesValidationProblem();
    }

    private static IResult Models(HttpContext http, ResourceCache resources, string? fields)
    {
        if (Fields.Parse(fields, ModelFields).Problem is { } problem)
        {
            return problem;
        }

        var items = resources.Registry.Packages().Select(folder =>
        {
            var m = ModelManifest.Read(Path.Combine(folder, ModelRegistry.ManifestFile));
            return new ModelInfo(m.Id, ScreeningSpec.ColumnOf(m.Id), m.Version, m.Target, m.Units, m.Preset, m.Files.Count, m.Metrics, m.Dataset, m.Task ?? "regression");
        }).ToList();
        return Envelopes.List(http, items, items.Count, null, fields, ModelFields);
    }

    // The id is matched against the registry's manifests, never used as a path.
    private static IResult Card(ResourceCache resources, string id)
    {
        foreach (var folder in resources.Registry.Packages())
        {
            if (ModelManifest.Read(Path.Combine(folder, ModelRegistry.ManifestFile)).Id == id)
            {
                var card = Path.Combine(folder, "MODEL_CARD.md");
                return File.Exists(card) ? TypedResults.Text(File.ReadAllText(card), "text/markdown; charset=utf-8") : Problems.Result(ProblemKind.NotFound, $"model '{id}' has no card");
            }
        }

        return Problems.Result(ProblemKind.NotFound, $"there is no model '{(id.Length > 60 ? id[..60] + "…" : id)}'");
    }

    private static IResult Datasets(HttpContext http, string? fields)
    {
        if (Fields.Parse(fields, DatasetFields).Problem is { } problem)
        {
            return problem;
        }

        var items = DatasetCatalog.Default.Datasets
            .Select(d => new DatasetInfo(d.Id, d.Title, d.License, d.Citation, [.. d.Files.Select(f => new DatasetFileInfo(f.Name, f.Sha256, f.Size))])).ToList();
        return Envelopes.List(http, items, items.Count, null, fields, DatasetFields);
    }
}
