using MaterialsDb.Service.Materials;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Routing;

namespace MaterialsDb.Service.Api;

/// <summary><c>GET /materials</c>: known entries of the materials database.</summary>
internal static class MaterialsApi
{
    private static readonly string[] ItemFields = ["dataset", "id", "formula", "reduced_formula", "chemsys", "nelements", "e_form_per_atom"];

    public static void Map(RouteGroupBuilder api) =>
        api.MapGet("/materials", QueryAsync).WithName("listMaterials").WithTags("Materials")
            .WithSummary("Known entries by formula, chemical system or elements")
            .WithDescription("Exactly one of formula (any way of writing it; matched by reduced formula), chemsys (e.g. Fe-O: exactly these elements) or elements (comma-separated: all present). Ranges: e_form_per_atom_min/max (eV/atom), nelements_min/max. Pages of up to 1,000; follow links.next. 'fields' picks the fields of each item.")
            .Produces<ListEnvelope<MaterialEntry>>().ProducesValidationProblem();

    private static async Task<IResult> QueryAsync(
        HttpContext http, IMaterialsSource materials, string? formula, string? chemsys, string? elements, int? limit, string? cursor, string? fields,
        [FromQuery(Name = "e_form_per_atom_min")] double? eFormMin, [FromQuery(Name = "e_form_per_atom_max")] double? eFormMax,
        [FromQuery(Name = "nelements_min")] int? nElementsMin, [FromQuery(Name = "nelements_max")] int? nElementsMax, CancellationToken ct)
    {
        var size = limit ?? 100;
        var offset = 0;
        if (cursor is not null && !Cursors.TryDecodeOffset(cursor, out offset))
        {
            return Problems.Invalid("cursor", "is not a cursor of this list; follow links.next");
        }

        if (Fields.Parse(fields, ItemFields).Problem is { } fieldProblem)
        {
            return fieldProblem;
        }

        if (new[] { eFormMin, eFormMax }.Any(v => v is { } x && !double.IsFinite(x)))
        {
            return Problems.Invalid("e_form_per_atom_min", "ranges must be finite numbers");
        }

        var query = MaterialsQuery.Parse(formula, chemsys, elements, size) with
        {
            Offset = offset,
            EFormMin = eFormMin,
            EFormMax = eFormMax,
            NElementsMin = nElementsMin,
            NElementsMax = nElementsMax,
        };
        var rows = await materials.QueryAsync(query, ct).ConfigureAwait(false);
        var next = rows.Count == size ? Cursors.NextLink(http, Cursors.EncodeOffset(offset + size)) : null;
        return Envelopes.List(http, rows, size, next, fields, ItemFields);
    }
}
