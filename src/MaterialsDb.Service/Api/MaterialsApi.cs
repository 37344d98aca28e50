using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;
using MaterialsDb.Chemistry;
using MaterialsDb.Data.Tables;
using MaterialsDb.Database;
using MaterialsDb.Service.Auth;
using MaterialsDb.Service.Materials;
using MaterialsDb.Service.Store;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace MaterialsDb.Service.Api;

/// <summary>
/// The shared materials database: read (anonymous callers see public entries), contribute, revise, retract, history,
/// energy schemes, hulls and stability. Every read goes through the caller's <see cref="Viewer"/>.
/// </summary>
internal static class MaterialsApi
{
    private const int MaxIdempotencyKey = 200;

    public static void Map(RouteGroupBuilder api)
    {
        api.MapGet("/materials", QueryAsync).WithName("listMaterials").WithTags("Materials").AllowAnonymous()
            .WithSummary("Entries by formula, chemical system or elements, in the caller's view")
            .WithDescription("At most one of formula (matched by reduced formula), chemsys (e.g. Fe-O: exactly these elements) or elements (comma-separated: all present); none lists everything. Ranges: e_form_per_atom_min/max (eV/atom), nelements_min/max; scheme, source_kind; database_version reads the database as of that version. Anonymous callers see public entries; a key adds cluster entries and the tenant's private ones. Pages of up to 1,000; follow links.next.")
            .Produces<ListEnvelope<MaterialView>>().ProducesValidationProblem();
        api.MapGet("/materials/{id}", GetAsync).WithName("getMaterial").WithTags("Materials").AllowAnonymous()
            .WithSummary("One entry's latest revision (or as of database_version); a retracted entry shows its tombstone")
            .Produces<MaterialView>().ProducesProblem(StatusCodes.Status404NotFound);
        api.MapGet("/materials/{id}/history", HistoryAsync).WithName("getMaterialHistory").WithTags("Materials").AllowAnonymous()
            .WithSummary("Every revision of an entry the caller may read, oldest first")
            .Produces<ListEnvelope<MaterialView>>().ProducesProblem(StatusCodes.Status404NotFound);
        api.MapPost("/materials", ContributeAsync).WithName("contributeMaterials").WithTags("Materials")
            .WithSummary("Contribute up to 100,000 entries in one transaction (JSON, CSV or Parquet)")
            .WithDescription("JSON: {entries: [...], scheme, visibility, ...}; CSV (text/csv) or Parquet (application/vnd.apache.parquet): columns formula, e_form_per_atom and optionally scheme, visibility, source_kind, total_energy_per_atom, band_gap, code, functional, label, reference, licence, contributor. Query parameters give batch-wide values. The whole batch is stored or nothing: a refusal names every bad row. Idempotency-Key makes a retry safe.")
            .Accepts<ContributionDocument>("application/json", "text/csv", "application/vnd.apache.parquet")
            .Produces<ContributionResponse>(StatusCodes.Status201Created).Produces<ContributionResponse>()
            .ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status409Conflict).ProducesProblem(StatusCodes.Status413PayloadTooLarge).ProducesProblem(StatusCodes.Status415UnsupportedMediaType);
        api.MapMethods("/materials/{id}", ["PATCH"], ChangeAsync).WithName("reviseMaterial").WithTags("Materials")
            .WithSummary("The owner revises values or visibility: a new revision (operators may publish to public)")
            .Produces<MaterialView>().ProducesProblem(StatusCodes.Status403Forbidden).ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict);
        api.MapDelete("/materials/{id}", RetractAsync).WithName("retractMaterial").WithTags("Materials")
            .WithSummary("The owner retracts an entry: a tombstone revision; the id is never reused")
            .Produces<MaterialView>().ProducesProblem(StatusCodes.Status403Forbidden).ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict);
        api.MapGet("/schemes", SchemesAsync).WithName("listSchemes").WithTags("Materials").AllowAnonymous()
            .WithSummary("Energy schemes (a hull only mixes entries of one DFT scheme) and the database version the caller sees")
            .Produces<SchemesResponse>();
        api.MapGet("/hull/{chemsys}", HullAsync).WithName("getHull").WithTags("Materials").AllowAnonymous()
            .WithSummary("The convex hull of a chemical system: stable phases, every entry's energy above hull and decomposition")
            .Produces<HullResponse>().ProducesValidationProblem();
        api.MapPost("/stability", StabilityAsync).WithName("placeOnHull").WithTags("Materials").AllowAnonymous()
            .WithSummary("Energy above hull, hull energy and decomposition for up to 100,000 formulas with formation energies")
            .Produces<StabilityResponse>().ProducesValidationProblem();
    }

    /// <summary>The caller's view: anonymous without a key or session.</summary>
    internal static Viewer ViewerOf(HttpContext http) =>
        Caller.TryOf(http) is { } caller ? new Viewer(caller.Tenant, caller.Role is Role.Operator or Role.Admin) : Viewer.Anonymous;

    private static async Task<IResult> QueryAsync(
        HttpContext http, SharedDatabase shared, string? formula, string? chemsys, string? elements, int? limit, string? cursor, string? fields,
        [FromQuery(Name = "e_form_per_atom_min")] double? eFormMin, [FromQuery(Name = "e_form_per_atom_max")] double? eFormMax,
        [FromQuery(Name = "nelements_min")] int? nElementsMin, [FromQuery(Name = "nelements_max")] int? nElementsMax,
        string? scheme, [FromQuery(Name = "source_kind")] string? sourceKind, [FromQuery(Name = "database_version")] long? databaseVersion, CancellationToken ct)
    {
        var size = limit ?? 100;
        var offset = 0;
        if (cursor is not null && !Cursors.TryDecodeOffset(cursor, out offset))
        {
            return Problems.Invalid("cursor", "is not a cursor of this list; follow links.next");
        }

        if (Fields.Parse(fields, MaterialView.FieldNames).Problem is { } fieldProblem)
        {
            return fieldProblem;
        }

        if (new[] { eFormMin, eFormMax }.Any(v => v is { } x && !double.IsFinite(x)))
        {
            return Problems.Invalid("e_form_per_atom_min", "ranges must be finite numbers");
        }

        if (scheme is not null && EnergySchemes.Find(scheme) is null)
        {
            return Problems.Invalid("scheme", $"'{scheme}' is not a known scheme ({string.Join(", ", EnergySchemes.All.Select(s => s.Name))})");
        }

        SourceKind? kind = null;
        if (sourceKind is not null)
        {
            if (!Enum.TryParse<SourceKind>(sourceKind, ignoreCase: true, out var k) || !Enum.IsDefined(k) || char.IsDigit(sourceKind[0]))
            {
                return Problems.Invalid("source_kind", $"'{sourceKind}' is not one of dft, experiment, ml");
            }

            kind = k;
        }

        var database = await shared.ReadyAsync(ct).ConfigureAwait(false);
        var viewer = ViewerOf(http);
        long? asOf = databaseVersion is null ? null : await database.ResolveVersionAsync(viewer, databaseVersion, ct).ConfigureAwait(false);
        var query = MaterialsQuery.Parse(formula, chemsys, elements, size) with
        {
            Offset = offset,
            EFormMin = eFormMin,
            EFormMax = eFormMax,
            NElementsMin = nElementsMin,
            NElementsMax = nElementsMax,
            Scheme = scheme,
            SourceKind = kind,
            AsOfVersion = asOf,
        };
        var rows = await database.QueryAsync(query, viewer, ct).ConfigureAwait(false);
        var next = rows.Count == size ? Cursors.NextLink(http, Cursors.EncodeOffset(offset + size)) : null;
        return Envelopes.List(http, [.. rows.Select(MaterialView.Of)], size, next, fields, MaterialView.FieldNames);
    }

    private static async Task<IResult> GetAsync(HttpContext http, SharedDatabase shared, string id, [FromQuery(Name = "database_version")] long? databaseVersion, CancellationToken ct)
    {
        var database = await shared.ReadyAsync(ct).ConfigureAwait(false);
        var viewer = ViewerOf(http);
        long? asOf = databaseVersion is null ? null : await database.ResolveVersionAsync(viewer, databaseVersion, ct).ConfigureAwait(false);
        return TypedResults.Ok(MaterialView.Of(await database.GetAsync(id, viewer, asOf, ct).ConfigureAwait(false)));
    }

    private static async Task<IResult> HistoryAsync(HttpContext http, SharedDatabase shared, string id, CancellationToken ct)
    {
        var database = await shared.ReadyAsync(ct).ConfigureAwait(false);
        var revisions = await database.HistoryAsync(id, ViewerOf(http), ct).ConfigureAwait(false);
        return Envelopes.List(http, [.. revisions.Select(MaterialView.Of)], revisions.Count, null, null, MaterialView.FieldNames);
    }

    private static async Task<IResult> ContributeAsync(
        HttpContext http, SharedDatabase shared, ServiceOptions options, IOptions<Microsoft.AspNetCore.Http.Json.JsonOptions> json,
        string? scheme, string? visibility, [FromQuery(Name = "source_kind")] string? sourceKind, string? label, string? reference, string? licence, string? contributor,
        [FromHeader(Name = "Idempotency-Key")] string? idempotencyKey, CancellationToken ct)
    {
        if (idempotencyKey is { Length: 0 or > MaxIdempotencyKey })
        {
            return Problems.Invalid("Idempotency-Key", $"must be 1 to {MaxIdempotencyKey} characters");
        }

        if (http.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } size)
        {
            size.MaxRequestBodySize = options.MaxContributionBytes;
        }

        var mediaType = (http.Request.ContentType ?? string.Empty).Split(';')[0].Trim().ToLowerInvariant();
        if (mediaType is not ("application/json" or "text/csv" or "application/vnd.apache.parquet"))
        {
            return Problems.Result(ProblemKind.UnsupportedMediaType, $"send the entries as application/json, text/csv or application/vnd.apache.parquet, not '{(mediaType.Length == 0 ? "(none)" : mediaType)}'");
        }

        // The body goes to a temporary file (bounded by the limit above) and is hashed on the way for the idempotency key.
        var scratch = Path.Combine(Path.GetTempPath(), "materialsdb-contribution-" + Guid.NewGuid().ToString("N"));
        try
        {
            string sha;
            await using (var file = new FileStream(scratch, FileMode.CreateNew, FileAccess.Write, FileShare.None, 81920, FileOptions.Asynchronous))
            {
                using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
                var buffer = new byte[81920];
                int read;
                while ((read = await http.Request.Body.ReadAsync(buffer, ct).ConfigureAwait(false)) > 0)
                {
                    hash.AppendData(buffer, 0, read);
                    await file.WriteAsync(buffer.AsMemory(0, read), ct).ConfigureAwait(false);
                }

                hash.AppendData(System.Text.Encoding.UTF8.GetBytes(mediaType + "\n" + http.Request.QueryString.Value));
                sha = Convert.ToHexStringLower(hash.GetHashAndReset());
            }

            var defaults = new ContributionDefaults { Scheme = scheme, Visibility = visibility, SourceKind = sourceKind, Label = label, Reference = reference, Licence = licence, Contributor = contributor };
            IReadOnlyList<ContributionRow> rows;
            if (new FileInfo(scratch).Length == 0)
            {
                return Problems.Result(ProblemKind.InvalidContribution, "the body is empty", [new FieldProblem("body", "empty")]);
            }

            switch (mediaType)
            {
                case "application/json":
                    (rows, defaults) = await ReadJsonAsync(scratch, defaults, json.Value.SerializerOptions, ct).ConfigureAwait(false);
                    break;
                case "text/csv":
                    rows = ContributionTable.Rows(CsvTableReader.Read(scratch, ContributionTable.TextColumns));
                    break;
                default:
                    rows = ContributionTable.Rows((await ReadParquetAsync(scratch, ct).ConfigureAwait(false)));
                    break;
            }

            var database = await shared.ReadyAsync(ct).ConfigureAwait(false);
            var result = await database.ContributeAsync(rows, defaults, ViewerOf(http), idempotencyKey is null ? null : new IdempotencyKey(idempotencyKey, sha), ct).ConfigureAwait(false);
            var response = new ContributionResponse(result.Ids, result.Version, result.Ids.Count, result.Replayed);
            if (result.Replayed)
            {
                http.Response.Headers["Idempotent-Replayed"] = "true";
                return TypedResults.Ok(response);
            }

            return TypedResults.Created(result.Ids.Count == 1 ? $"/api/v1/materials/{result.Ids[0]}" : (string?)null, response);
        }
        finally
        {
            File.Delete(scratch);
        }
    }

    private static async Task<(IReadOnlyList<ContributionRow>, ContributionDefaults)> ReadJsonAsync(string path, ContributionDefaults query, JsonSerializerOptions json, CancellationToken ct)
    {
        ContributionDocument? document;
        await using (var stream = File.OpenRead(path))
        {
            try
            {
                document = await JsonSerializer.DeserializeAsync<ContributionDocument>(stream, json, ct).ConfigureAwait(false);
            }
            catch (JsonException e)
            {
                throw new BadHttpRequestException($"the body is not a contribution document: {e.Message}", StatusCodes.Status400BadRequest, e);
            }
        }

        if (document?.Entries is null)
        {
            throw new ContributionException("The body needs an 'entries' array.", [new FieldProblem("entries", "missing")]);
        }

        var rows = document.Entries.Select(r => r ?? new ContributionRow()).ToArray();

        // Query parameters win over the document's batch values.
        var defaults = new ContributionDefaults
        {
            Scheme = query.Scheme ?? document.Scheme,
            Visibility = query.Visibility ?? document.Visibility,
            SourceKind = query.SourceKind ?? document.SourceKind,
            Label = query.Label ?? document.Label,
            Reference = query.Reference ?? document.Reference,
            Licence = query.Licence ?? document.Licence,
            Contributor = query.Contributor ?? document.Contributor,
        };
        return (rows, defaults);
    }

    private static async Task<ColumnTable> ReadParquetAsync(string path, CancellationToken ct)
    {
        try
        {
            return (await ParquetTableReader.ReadAsync(path, ct).ConfigureAwait(false)).Table;
        }
        catch (Exception e) when (e is IOException or InvalidDataException or Parquet.ParquetException)
        {
            throw new ContributionException($"The body is not a Parquet file this service reads: {e.Message}", [new FieldProblem("body", "not a readable Parquet file")]);
        }
    }

    private static async Task<IResult> ChangeAsync(HttpContext http, SharedDatabase shared, string id, MaterialChange change, CancellationToken ct)
    {
        var database = await shared.ReadyAsync(ct).ConfigureAwait(false);
        var entry = await database.ChangeAsync(id, ViewerOf(http), change, ct).ConfigureAwait(false);
        return TypedResults.Ok(MaterialView.Of(entry));
    }

    private static async Task<IResult> RetractAsync(HttpContext http, SharedDatabase shared, string id, CancellationToken ct)
    {
        var database = await shared.ReadyAsync(ct).ConfigureAwait(false);
        return TypedResults.Ok(MaterialView.Of(await database.RetractAsync(id, ViewerOf(http), ct).ConfigureAwait(false)));
    }

    private static async Task<IResult> SchemesAsync(HttpContext http, SharedDatabase shared, CancellationToken ct)
    {
        var database = await shared.ReadyAsync(ct).ConfigureAwait(false);
        var version = await database.ResolveVersionAsync(ViewerOf(http), null, ct).ConfigureAwait(false);
        return TypedResults.Ok(new SchemesResponse(
            [.. EnergySchemes.All.Select(s => new SchemeView(s.Name, s.Kind.ToString().ToLowerInvariant(), s.HasHulls, s.Description, s.CatalogDataset))], version));
    }

    private static async Task<IResult> HullAsync(HttpContext http, SharedDatabase shared, string chemsys, string? scheme, [FromQuery(Name = "database_version")] long? databaseVersion, CancellationToken ct)
    {
        var symbols = chemsys.Split('-', StringSplitOptions.TrimEntries);
        if (symbols.Length is 0 or > 10 || symbols.Any(s => !PeriodicTable.TryFromSymbol(s, out _)))
        {
            return Problems.Invalid("chemsys", $"'{(chemsys.Length > 60 ? chemsys[..60] + "…" : chemsys)}' is not a chemical system of 1 to 10 element symbols joined by '-' (e.g. Li-Fe-O)");
        }

        int[] system = [.. symbols.Select(s => PeriodicTable.FromSymbol(s).Z).Distinct().Order()];
        var database = await shared.ReadyAsync(ct).ConfigureAwait(false);
        var viewer = ViewerOf(http);
        var s = MaterialsDatabase.HullScheme(scheme ?? Screening.Spec.StabilitySpec.DefaultScheme);
        var version = await database.ResolveVersionAsync(viewer, databaseVersion, ct).ConfigureAwait(false);
        var hull = await shared.HullAsync(s.Name, system, viewer, version, ct).ConfigureAwait(false);
        // Serialized once per cached hull: a large system's body costs more to write than to serve.
        var json = http.RequestServices.GetRequiredService<IOptions<Microsoft.AspNetCore.Http.Json.JsonOptions>>().Value.SerializerOptions;
        return TypedResults.Bytes(hull.View(nameof(HullResponse), h =>
        {
            // Every entry's decomposition: built once per cached hull, served from then on.
            var placed = h.Entries.Select(e => Place(h.Diagram, e.Id, e.Composition, e.EFormPerAtom!.Value))
                .OrderBy(e => e.EAboveHull).ThenBy(e => e.ReducedFormula, StringComparer.Ordinal).ThenBy(e => e.Id, StringComparer.Ordinal).ToArray();
            var stable = h.Diagram.StableEntries.Select(p => Place(h.Diagram, p.Id, p.Composition, p.EFormPerAtomEv)).OrderBy(e => e.ReducedFormula, StringComparer.Ordinal).ToArray();
            var facets = h.Diagram.Facets.Select(f => (IReadOnlyList<string>)[.. f.Select(p => p.Id).Distinct(StringComparer.Ordinal)]).ToArray();
            return JsonSerializer.SerializeToUtf8Bytes(new HullResponse(h.Diagram.ChemicalSystem, s.Name, version, stable, placed, facets), json);
        }), "application/json");
    }

    private static async Task<IResult> StabilityAsync(HttpContext http, SharedDatabase shared, StabilityRequest request, CancellationToken ct)
    {
        if (request.Entries is null || request.Entries.Count is 0 or > ContributionValidator.MaxRows)
        {
            return Problems.Invalid("entries", $"give 1 to {ContributionValidator.MaxRows:N0} entries");
        }

        var problems = new List<FieldProblem>();
        var parsed = new (Composition Composition, double Energy)[request.Entries.Count];
        for (var i = 0; i < parsed.Length; i++)
        {
            var row = request.Entries[i];
            if (row?.Formula is not { } f || !FormulaParser.TryParse(f, out var c, out var error))
            {
                problems.Add(new FieldProblem($"entries[{i}].formula", row?.Formula is null ? "missing" : FormulaParser.TryParse(row.Formula, out _, out var e2) ? "invalid" : e2.Message));
                continue;
            }

            var energyProblem = row.EFormPerAtom is { } value ? Stability.PhaseEntrySet.EnergyProblem(value) : "missing";
            if (energyProblem is not null)
            {
                problems.Add(new FieldProblem($"entries[{i}].e_form_per_atom", energyProblem));
                continue;
            }

            var ef = row.EFormPerAtom!.Value;

            if (c.ElementCount > 10)
            {
                problems.Add(new FieldProblem($"entries[{i}].formula", "more than 10 elements"));
                continue;
            }

            parsed[i] = (c, ef);
        }

        if (problems.Count > 0)
        {
            throw new MaterialsDbException($"{problems.Count:N0} entries cannot be placed: " + string.Join("; ", problems.Take(5)) + (problems.Count > 5 ? "; …" : "."), problems);
        }

        var database = await shared.ReadyAsync(ct).ConfigureAwait(false);
        var viewer = ViewerOf(http);
        var s = MaterialsDatabase.HullScheme(request.Scheme ?? Screening.Spec.StabilitySpec.DefaultScheme);
        var version = await database.ResolveVersionAsync(viewer, request.DatabaseVersion, ct).ConfigureAwait(false);
        // Only the entries made of the request's elements: a batch of one system reads that system, not the whole scheme.
        var elements = new HashSet<int>();
        foreach (var (c, _) in parsed)
        {
            foreach (var z in c.AtomicNumbers)
            {
                elements.Add(z);
            }
        }

        var reference = await database.ReferenceAsync(s.Name, viewer, version, elements, ct).ConfigureAwait(false);
        var hulls = new Stability.PhaseDiagramCache(reference);
        var results = new StabilityResultView[parsed.Length];
        for (var i = 0; i < parsed.Length; i++)
        {
            ct.ThrowIfCancellationRequested();
            var (c, e) = parsed[i];
            var answer = hulls.For(c).GetDecompositionAndEAboveHull(c, e);
            results[i] = new StabilityResultView(request.Entries[i].Formula!, c.ReducedFormula, e, answer.EAboveHullEvPerAtom, answer.HullEnergyEvPerAtom,
                [.. answer.Decomposition.Select(d => new DecompositionView(d.Phase.Id, d.Phase.ReducedFormula, d.Fraction))]);
        }

        return TypedResults.Ok(new StabilityResponse(s.Name, version, results));
    }

    private static HullEntryView Place(Stability.PhaseDiagram diagram, string id, Composition composition, double eForm)
    {
        var answer = diagram.GetDecompositionAndEAboveHull(composition, eForm);
        return new HullEntryView(id, composition.ReducedFormula, eForm, answer.EAboveHullEvPerAtom, answer.HullEnergyEvPerAtom,
            [.. answer.Decomposition.Select(d => new DecompositionView(d.Phase.Id, d.Phase.ReducedFormula, d.Fraction))]);
    }
}
