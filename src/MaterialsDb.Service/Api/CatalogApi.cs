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
            return new ModelInfo(m.Id, ScreeningSpec.ColumnOf(m.Id), m.Version, m.Target, m.Units, m.Preset, m.Files.Count, m.Metrics, m.Dataset);
        }).ToList();
        return Envelopes.List(http, items, items.Count, null, fields, ModelFields);
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
