using MaterialsDb.Chemistry;
using MaterialsDb.Data.Tables;
using MaterialsDb.Screening.Output;
using MaterialsDb.Service.Explorer;
using MaterialsDb.Service.Store;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Routing;

namespace MaterialsDb.Service.Api;

/// <summary>
/// The results explorer's queries on a succeeded screening: its columns, pages of rows sorted and filtered on the
/// server, one candidate, the points of a scatter plot with its Pareto front, and element frequencies. Every query
/// takes the same filter parameters as the filtered download (<c>range</c>, <c>include</c>, <c>exclude</c>).
/// </summary>
internal static class ExplorerApi
{
    private const int MaxPage = 1000;
    private const int MaxPoints = 50_000;

    public static void Map(RouteGroupBuilder api)
    {
        var group = api.MapGroup("/screenings/{id:guid}").WithTags("Results explorer");
        group.MapGet("/columns", ColumnsAsync).WithName("getResultColumns")
            .WithSummary("The result's columns: kind, unit, range of values, the column of its standard deviation")
            .Produces<ResultSchema>().ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict);
        group.MapGet("/rows", RowsAsync).WithName("getResultRows")
            .WithSummary("A page of result rows, sorted and filtered on the server")
            .WithDescription("sort: a numeric column (default rank); order: asc or desc; offset, limit (≤ 1,000). Filters: range=column:min:max (repeatable, either bound may be empty; rows without a value fail a range), include=Li,O (all present), exclude=Pb,Cd (all absent).")
            .Produces<ResultPage>().ProducesValidationProblem().ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict);
        group.MapGet("/rows/{rank:int}", RowAsync).WithName("getResultRow")
            .WithSummary("One ranked candidate (rank 1 is the best)")
            .Produces<ResultRow>().ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict);
        group.MapGet("/plot", PlotAsync).WithName("getResultPlot")
            .WithSummary("Points of a scatter plot of two numeric columns, with standard deviations and the Pareto front")
            .WithDescription("x, y: numeric columns; x_goal, y_goal: max or min (which way is better, for the Pareto front); points: the best-ranked selected rows to return (≤ 50,000, default 5,000; the front is always complete); the explorer's filters.")
            .Produces<PlotData>().ProducesValidationProblem().ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict);
        group.MapGet("/elements", ElementsAsync).WithName("getResultElements")
            .WithSummary("How many of the top N selected candidates contain each element")
            .Produces<ElementFrequencies>().ProducesValidationProblem().ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict);
    }

    /// <summary>The caller's succeeded screening's index, or the problem to answer.</summary>
    internal static async Task<(ResultIndex? Index, IResult? Problem)> IndexAsync(HttpContext http, IServiceStore store, ResultIndexCache cache, Guid id, CancellationToken ct)
    {
        if (await ScreeningsApi.OwnAsync(http, store, id, ct).ConfigureAwait(false) is not { } s)
        {
            return (null, ScreeningsApi.NotFound(id));
        }

        if (s.State != States.Succeeded)
        {
            return (null, Problems.Result(ProblemKind.Conflict, $"screening {id} is {s.State}; results exist once it has Succeeded"));
        }

        return (await cache.GetAsync(id, ct).ConfigureAwait(false), null);
    }

    /// <summary>The caller's succeeded screening's index and the rows its filter keeps, or the problem to answer.</summary>
    private static async Task<(ResultIndex? Index, ResultSelection? Selection, IResult? Problem)> SelectAsync(
        HttpContext http, IServiceStore store, ResultIndexCache cache, Guid id, string[]? range, string? include, string? exclude, CancellationToken ct)
    {
        var (index, problem) = await IndexAsync(http, store, cache, id, ct).ConfigureAwait(false);
        if (problem is not null)
        {
            return (null, null, problem);
        }

        var (selection, filterProblem) = Selection(index!, range, include, exclude);
        return (index, selection, filterProblem);
    }

    /// <summary>The filter parameters, read and checked against the result's columns.</summary>
    internal static (ResultSelection? Selection, IResult? Problem) Selection(ResultIndex index, string[]? range, string? include, string? exclude)
    {
        var (filter, problem) = ResultFilter.Parse(range ?? [], include, exclude);
        if (problem is not null)
        {
            return (null, Problems.Invalid(problem.Field, problem.Message));
        }

        try
        {
            return (index.Select(filter!), null);
        }
        catch (ResultQueryException e)
        {
            return (null, Problems.Invalid(e.Field, e.Message));
        }
    }

    private static async Task<IResult> ColumnsAsync(HttpContext http, IServiceStore store, ResultIndexCache cache, Guid id, CancellationToken ct)
    {
        var (index, problem) = await IndexAsync(http, store, cache, id, ct).ConfigureAwait(false);
        if (problem is not null)
        {
            return problem;
        }

        var models = index!.Metadata.TryGetValue(ResultTable.ModelsKey, out var json) ? System.Text.Json.JsonSerializer.Deserialize<Dictionary<string, string>>(json) ?? [] : [];
        return TypedResults.Ok(new ResultSchema(index.RowCount, index.Columns, models));
    }

    private static async Task<IResult> RowsAsync(
        HttpContext http, IServiceStore store, ResultIndexCache cache, Guid id, string? sort, string? order, int? offset, int? limit,
        [FromQuery] string[]? range, string? include, string? exclude, CancellationToken ct)
    {
        if (order is not (null or "asc" or "desc"))
        {
            return Problems.Invalid("order", "use asc or desc");
        }

        if (offset is < 0)
        {
            return Problems.Invalid("offset", "must be 0 or more");
        }

        if (limit is < 1 or > MaxPage)
        {
            return Problems.Invalid("limit", $"must be 1 to {MaxPage:N0}");
        }

        var (index, selection, problem) = await SelectAsync(http, store, cache, id, range, include, exclude, ct).ConfigureAwait(false);
        if (problem is not null)
        {
            return problem;
        }

        int[] rows;
        try
        {
            rows = index!.Rows(selection!, sort, order == "desc", offset ?? 0, limit ?? 50);
        }
        catch (ResultQueryException e)
        {
            return Problems.Invalid(e.Field, e.Message);
        }

        return TypedResults.Ok(new ResultPage([.. rows.Select(r => Row(index.Table, r))], selection!.Count, index.RowCount, offset ?? 0, limit ?? 50));
    }

    private static async Task<IResult> RowAsync(HttpContext http, IServiceStore store, ResultIndexCache cache, Guid id, int rank, CancellationToken ct)
    {
        var (index, problem) = await IndexAsync(http, store, cache, id, ct).ConfigureAwait(false);
        if (problem is not null)
        {
            return problem;
        }

        if (rank < 1 || rank > index!.RowCount)
        {
            return Problems.Result(ProblemKind.NotFound, $"screening {id} has {index!.RowCount:N0} ranked rows; there is no rank {rank}");
        }

        return TypedResults.Ok(new ResultRow(Row(index.Table, rank - 1)));
    }

    private static async Task<IResult> PlotAsync(
        HttpContext http, IServiceStore store, ResultIndexCache cache, Guid id, string? x, string? y,
        [FromQuery(Name = "x_goal")] string? xGoal, [FromQuery(Name = "y_goal")] string? yGoal, int? points,
        [FromQuery] string[]? range, string? include, string? exclude, CancellationToken ct)
    {
        if (x is null || y is null)
        {
            return Problems.Invalid(x is null ? "x" : "y", "name a numeric column");
        }

        if (xGoal is not (null or "max" or "min") || yGoal is not (null or "max" or "min"))
        {
            return Problems.Invalid(xGoal is not (null or "max" or "min") ? "x_goal" : "y_goal", "use max or min");
        }

        if (points is < 1 or > MaxPoints)
        {
            return Problems.Invalid("points", $"must be 1 to {MaxPoints:N0}");
        }

        var (index, selection, problem) = await SelectAsync(http, store, cache, id, range, include, exclude, ct).ConfigureAwait(false);
        if (problem is not null)
        {
            return problem;
        }

        try
        {
            var xs = index!.Numbers(x) ?? throw new ResultQueryException("x", $"'{x}' is not a numeric column of this result");
            var ys = index.Numbers(y) ?? throw new ResultQueryException("y", $"'{y}' is not a numeric column of this result");
            var front = ResultPlots.ParetoFront(index, selection!, x, xGoal != "min", y, yGoal != "min");
            var rows = index.Rows(selection!, null, false, 0, points ?? 5000).Where(r => double.IsFinite(xs[r]) && double.IsFinite(ys[r])).ToArray();
            var xStd = index.Columns.First(c => c.Name == x).Std is { } xs2 ? index.Numbers(xs2) : null;
            var yStd = index.Columns.First(c => c.Name == y).Std is { } ys2 ? index.Numbers(ys2) : null;
            var formula = (StringColumn)index.Table.Columns.First(c => c.Name == "formula");
            PlotSeries Series(int[] r) => new(
                [.. r.Select(i => xs[i])], [.. r.Select(i => ys[i])],
                xStd is null ? null : [.. r.Select(i => Finite(xStd[i]))], yStd is null ? null : [.. r.Select(i => Finite(yStd[i]))],
                [.. r.Select(i => formula.Values[i] ?? string.Empty)], [.. r.Select(i => i + 1)]);
            return TypedResults.Ok(new PlotData(x, y, Series(rows), Series(front), selection!.Count));
        }
        catch (ResultQueryException e)
        {
            return Problems.Invalid(e.Field, e.Message);
        }
    }

    private static async Task<IResult> ElementsAsync(
        HttpContext http, IServiceStore store, ResultIndexCache cache, Guid id, int? top, [FromQuery] string[]? range, string? include, string? exclude, CancellationToken ct)
    {
        if (top is < 1)
        {
            return Problems.Invalid("top", "must be a positive number of rows");
        }

        var (index, selection, problem) = await SelectAsync(http, store, cache, id, range, include, exclude, ct).ConfigureAwait(false);
        if (problem is not null)
        {
            return problem;
        }

        var n = Math.Min(top ?? 100, selection!.Count);
        var counts = ResultPlots.ElementCounts(index!, selection, n);
        var bySymbol = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var z = 1; z < counts.Length; z++)
        {
            if (counts[z] > 0)
            {
                bySymbol[PeriodicTable.FromZ(z).Symbol] = counts[z];
            }
        }

        return TypedResults.Ok(new ElementFrequencies(n, bySymbol));
    }

    private static double? Finite(double v) => double.IsFinite(v) ? v : null;

    private static Dictionary<string, object?> Row(ColumnTable table, int row)
    {
        var values = new Dictionary<string, object?>(table.Columns.Count, StringComparer.Ordinal);
        foreach (var column in table.Columns)
        {
            values[column.Name] = column switch
            {
                StringColumn s => s.Values[row],
                DoubleColumn d => Finite(d.Values[row]),
                LongColumn l => l.Values[row],
                BoolColumn b => b.Values[row],
                PairsColumn { Layout: PairsLayout.Map } m => m.Values[row]?.ToDictionary(p => p.Key, p => p.Value, StringComparer.Ordinal),
                PairsColumn p => p.Values[row]?.Select(v => new Dictionary<string, object> { [p.KeyName] = v.Key, [p.ValueName] = v.Value }).ToList(),
                _ => null,
            };
        }

        return values;
    }
}

/// <summary>A result's columns and row count.</summary>
/// <param name="Rows">Ranked rows.</param>
/// <param name="Columns">Columns in file order.</param>
/// <param name="Models">Model column → model id.</param>
public sealed record ResultSchema(int Rows, IReadOnlyList<ResultColumn> Columns, IReadOnlyDictionary<string, string> Models);

/// <summary>A page of result rows.</summary>
/// <param name="Data">Rows (missing and non-finite values are null).</param>
/// <param name="Matching">Rows the filter keeps.</param>
/// <param name="TotalRows">Rows of the result.</param>
/// <param name="Offset">First row of the page among the matching ones.</param>
/// <param name="Limit">Page size asked for.</param>
public sealed record ResultPage(IReadOnlyList<IReadOnlyDictionary<string, object?>> Data, int Matching, int TotalRows, int Offset, int Limit);

/// <summary>One ranked candidate.</summary>
public sealed record ResultRow(IReadOnlyDictionary<string, object?> Data);

/// <summary>Points of a scatter plot, one array per quantity.</summary>
/// <param name="X">x values.</param>
/// <param name="Y">y values.</param>
/// <param name="XStd">Standard deviations of x, if x has them.</param>
/// <param name="YStd">Standard deviations of y, if y has them.</param>
/// <param name="Formula">Reduced formulas.</param>
/// <param name="Rank">Ranks (1 = best).</param>
public sealed record PlotSeries(IReadOnlyList<double> X, IReadOnlyList<double> Y, IReadOnlyList<double?>? XStd, IReadOnlyList<double?>? YStd, IReadOnlyList<string> Formula, IReadOnlyList<int> Rank);

/// <summary>A scatter plot: the best-ranked selected points and the whole Pareto front of the selection.</summary>
/// <param name="X">The x column.</param>
/// <param name="Y">The y column.</param>
/// <param name="Points">Best-ranked selected rows with both values.</param>
/// <param name="Pareto">The Pareto front, along x from its best value.</param>
/// <param name="Matching">Rows the filter keeps.</param>
public sealed record PlotData(string X, string Y, PlotSeries Points, PlotSeries Pareto, int Matching);

/// <summary>Element frequencies among the top selected candidates.</summary>
/// <param name="Top">Candidates counted.</param>
/// <param name="Counts">Element symbol → candidates containing it.</param>
public sealed record ElementFrequencies(int Top, IReadOnlyDictionary<string, int> Counts);
