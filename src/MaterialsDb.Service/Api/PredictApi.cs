using System.Globalization;
using MaterialsDb.Models.Packages;
using MaterialsDb.Service.Jobs;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace MaterialsDb.Service.Api;

/// <summary>
/// <c>POST /predict</c>: synchronous predictions for up to <see cref="ServiceOptions.MaxPredictFormulas"/> formulas.
/// Bounded per node by the <c>predict</c> concurrency policy (a short queue, then 503 with Retry-After), so a flood of
/// large batches cannot take every request thread.
/// </summary>
internal static class PredictApi
{
    /// <summary>Name of the rate-limiting policy that bounds concurrent predictions.</summary>
    public const string ConcurrencyPolicy = "predict";

    public static void Map(RouteGroupBuilder api) =>
        api.MapPost("/predict", PredictAsync).WithName("predict").WithTags("Predict")
            .WithSummary("Predict one model's property for up to 10,000 formulas")
            .WithDescription("Returns the ensemble mean and calibrated standard deviation per formula; a formula that cannot be read gets an error instead.")
            .Accepts<PredictRequest>("application/json")
            .Produces<PredictResponse>().ProducesValidationProblem().ProducesProblem(StatusCodes.Status413PayloadTooLarge)
            .ProducesProblem(StatusCodes.Status415UnsupportedMediaType).ProducesProblem(StatusCodes.Status503ServiceUnavailable)
            .RequireRateLimiting(ConcurrencyPolicy);

    private static async Task<IResult> PredictAsync(PredictRequest request, PredictorCache predictors, ServiceOptions options, PathRedactor redactor, CancellationToken ct)
    {
        var problems = new List<FieldProblem>();
        if (request.Model is not { Length: > 0 } id)
        {
            problems.Add(new FieldProblem("model", "is required: a model id from GET /api/v1/models"));
        }

        if (request.Formulas is not { Count: > 0 } formulas || formulas.Count > options.MaxPredictFormulas)
        {
            problems.Add(new FieldProblem("formulas", string.Create(CultureInfo.InvariantCulture, $"needs 1 to {options.MaxPredictFormulas:N0} formulas; got {request.Formulas?.Count ?? 0:N0}")));
        }
        else if (formulas.ToList().FindIndex(f => f is null) is >= 0 and var missing)
        {
            problems.Add(new FieldProblem($"formulas[{missing}]", "is null; send a formula string"));
        }

        if (problems.Count > 0)
        {
            return Problems.Result(ProblemKind.InvalidRequest, string.Join("; ", problems), problems);
        }

        PredictorCache.IPredictorLease lease;
        try
        {
            lease = await predictors.GetAsync(request.Model!, ct).ConfigureAwait(false);
        }
        catch (ModelPackageException e)
        {
            return Problems.Invalid("model", redactor.Redact(e.Message));
        }

        using (lease)
        {
            var predictor = lease.Predictor;
            var (mean, std, errors) = predictor.Predict([.. request.Formulas!], ct);
            var manifest = predictor.Model.Manifest;
            return TypedResults.Ok(new PredictResponse(manifest.Id, manifest.Target, manifest.Units, [.. request.Formulas!.Select((formula, i) =>
                new FormulaPrediction(formula, errors[i] is null ? (double)mean[i] : null, errors[i] is null ? (double)std[i] : null, errors[i]))]));
        }
    }
}
