using System.Text;
using System.Text.Json;
using MaterialsDb.Data.Tables;
using MaterialsDb.Screening.Output;
using MaterialsDb.Service.Jobs;
using MaterialsDb.Service.Store;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Net.Http.Headers;

namespace MaterialsDb.Service.Api;

/// <summary>
/// <c>GET /screenings/{id}/results</c>: the ranked result as Parquet (the file itself, with range requests), CSV or
/// JSON, always as a download with the screening's name. CSV and JSON are streamed; missing values are empty fields
/// (CSV) and null (JSON); fractions and decompositions are objects and arrays in JSON.
/// </summary>
internal static class ResultsApi
{
    private const int FlushRows = 4096;

    public static void Map(RouteGroupBuilder api) =>
        api.MapGet("/screenings/{id:guid}/results", ResultsAsync).WithName("getScreeningResults").WithTags("Screenings")
            .WithSummary("The ranked result: format=parquet (default), csv or json; top=N for the first N rows")
            .WithDescription("The explorer's filters and sort (range=column:min:max, include, exclude, sort, order; see getResultRows) give the filtered subset in that order; top then cuts it.")
            .Produces(StatusCodes.Status200OK, contentType: "application/vnd.apache.parquet", additionalContentTypes: ["text/csv"])
            .Produces<ResultEnvelope>(StatusCodes.Status200OK, "application/json")
            .ProducesValidationProblem().ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict);

    private static async Task<IResult> ResultsAsync(
        HttpContext http, IServiceStore store, ResultPaths paths, Explorer.ResultIndexCache cache, Guid id, string? format, int? top,
        string? sort, string? order, [Microsoft.AspNetCore.Mvc.FromQuery] string[]? range, string? include, string? exclude, CancellationToken ct)
    {
        if (await ScreeningsApi.OwnAsync(http, store, id, ct).ConfigureAwait(false) is not { } s)
        {
            return ScreeningsApi.NotFound(id);
        }

        if (s.State != States.Succeeded)
        {
            return Problems.Result(ProblemKind.Conflict, $"screening {id} is {s.State}; results exist once it has Succeeded");
        }

        format ??= "parquet";
        if (format is not ("parquet" or "csv" or "json"))
        {
            return Problems.Invalid("format", "use parquet, csv or json");
        }

        if (top is < 1)
        {
            return Problems.Invalid("top", "must be a positive number of rows");
        }

        if (order is not (null or "asc" or "desc"))
        {
            return Problems.Invalid("order", "use asc or desc");
        }

        var path = paths.Result(id);
        var name = DownloadName(s.Name) + "." + format;
        var subset = sort is not null || range is { Length: > 0 } || !string.IsNullOrEmpty(include) || !string.IsNullOrEmpty(exclude);
        if (format == "parquet" && top is null && !subset)
        {
            return TypedResults.PhysicalFile(path, "application/vnd.apache.parquet", name, enableRangeProcessing: true);
        }

        // What is written: the explorer's subset (one table in memory, which its index holds anyway), or the file's
        // rows up to top, one row group at a time, so a 10^6-row download holds 65,536 rows, not the file.
        IAsyncEnumerable<(ColumnTable Table, int[] Rows)> parts;
        IReadOnlyDictionary<string, string> metadata;
        long total;
        if (subset)
        {
            var index = await cache.GetAsync(id, ct).ConfigureAwait(false);
            var (selection, problem) = ExplorerApi.Selection(index, range, include, exclude);
            if (problem is not null)
            {
                return problem;
            }

            int[] rows;
            try
            {
                rows = index.Rows(selection!, sort, order == "desc", 0, Math.Min(top ?? int.MaxValue, selection!.Count));
            }
            catch (Explorer.ResultQueryException e)
            {
                return Problems.Invalid(e.Field, e.Message);
            }

            (parts, metadata, total) = (One(index.Table, rows), index.Metadata, index.Table.RowCount);
        }
        else
        {
            var (fileMetadata, rowCount, groups) = await ParquetTableReader.ReadGroupsAsync(path, ct).ConfigureAwait(false);
            (parts, metadata, total) = (FirstRows(groups, top ?? long.MaxValue), fileMetadata, rowCount);
        }

        SetDownload(http, name);
        if (format == "parquet")
        {
            // A cut of the file (top rows, or the explorer's subset) is written whole (temporary name) and then sent;
            // only the row groups it needs were read.
            var cut = new List<ColumnTable>();
            await foreach (var (table, rows) in parts.ConfigureAwait(false))
            {
                cut.Add(Cut(table, rows));
            }

            var temp = Path.Combine(Path.GetTempPath(), $"materialsdb-{Guid.NewGuid():N}.parquet");
            await TableWriter.WriteAsync(new ColumnTable(cut[0].Columns.Select((c, i) => Column.Concat(c.Name, [.. cut.Select(p => p.Columns[i])]))), temp, metadata, ct).ConfigureAwait(false);
            http.Response.ContentType = "application/vnd.apache.parquet";
            try
            {
                await http.Response.SendFileAsync(temp, ct).ConfigureAwait(false);
            }
            finally
            {
                AtomicFile.TryDelete(temp);
            }

            return Results.Empty;
        }

        if (format == "csv")
        {
            http.Response.ContentType = "text/csv; charset=utf-8";
            await WriteCsvAsync(http.Response.Body, parts, ct).ConfigureAwait(false);
            return Results.Empty;
        }

        http.Response.ContentType = "application/json; charset=utf-8";
        await WriteJsonAsync(http.Response.Body, parts, metadata, total, ct).ConfigureAwait(false);
        return Results.Empty;
    }

#pragma warning disable CS1998 // an async iterator of one item, to treat one table like a file's row groups
    private static async IAsyncEnumerable<(ColumnTable Table, int[] Rows)> One(ColumnTable table, int[] rows)
    {
        yield return (table, rows);
    }
#pragma warning restore CS1998

    // Each row group with the rows of it that fall within the first `top` of the file.
    private static async IAsyncEnumerable<(ColumnTable Table, int[] Rows)> FirstRows(IAsyncEnumerable<ColumnTable> groups, long top)
    {
        var left = top;
        await foreach (var group in groups.ConfigureAwait(false))
        {
            var take = (int)Math.Min(left, group.RowCount);
            yield return (group, [.. Enumerable.Range(0, take)]);
            left -= take;
            if (left == 0)
            {
                yield break;
            }
        }
    }

    // Only what a file system and a browser accept; the header encodes the rest (filename* for non-ASCII).
    private static string DownloadName(string name)
    {
        var cleaned = new string([.. name.Select(c => char.IsControl(c) || c is '/' or '\\' or ':' or '*' or '?' or '"' or '<' or '>' or '|' ? '_' : c)]).Trim();
        return cleaned.Length == 0 ? "screening" : cleaned;
    }

    private static void SetDownload(HttpContext http, string fileName)
    {
        var disposition = new ContentDispositionHeaderValue("attachment");
        disposition.SetHttpFileName(fileName);
        http.Response.Headers.ContentDisposition = disposition.ToString();
    }

    private static ColumnTable Cut(ColumnTable table, int[] rows) => new(table.Columns.Select(c => c switch
    {
        StringColumn s => (Column)new StringColumn(c.Name, Pick(s.Values, rows)),
        DoubleColumn d => new DoubleColumn(c.Name, Pick(d.Values, rows)) { NaNIsValue = d.NaNIsValue },
        LongColumn l => new LongColumn(c.Name, Pick(l.Values, rows)),
        BoolColumn b => new BoolColumn(c.Name, Pick(b.Values, rows)),
        PairsColumn p => new PairsColumn(c.Name, Pick(p.Values, rows), p.Layout, p.KeyName, p.ValueName),
        _ => throw new InvalidOperationException(c.GetType().Name),
    }));

    private static T[] Pick<T>(T[] values, int[] rows) => Array.ConvertAll(rows, r => values[r]);

    private static async Task WriteCsvAsync(Stream body, IAsyncEnumerable<(ColumnTable Table, int[] Rows)> parts, CancellationToken ct)
    {
        var text = new StringBuilder();
        var header = false;
        await foreach (var (table, rows) in parts.ConfigureAwait(false))
        {
            if (!header)
            {
                text.AppendJoin(',', table.Columns.Select(c => Quote(c.Name))).Append('\n');
                header = true;
            }

            for (var i = 0; i < rows.Length; i++)
            {
                for (var c = 0; c < table.Columns.Count; c++)
                {
                    text.Append(c == 0 ? string.Empty : ",").Append(TableWriter.Cell(table.Columns[c], rows[i]) is { } cell ? Quote(cell) : string.Empty);
                }

                text.Append('\n');
                if (i % FlushRows == FlushRows - 1)
                {
                    await body.WriteAsync(Encoding.UTF8.GetBytes(text.ToString()), ct).ConfigureAwait(false);
                    text.Clear();
                }
            }
        }

        await body.WriteAsync(Encoding.UTF8.GetBytes(text.ToString()), ct).ConfigureAwait(false);
    }

    private static string Quote(string value) =>
        value.AsSpan().IndexOfAny(",\"\r\n") >= 0 ? "\"" + value.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"" : value;

    private static async Task WriteJsonAsync(Stream body, IAsyncEnumerable<(ColumnTable Table, int[] Rows)> parts, IReadOnlyDictionary<string, string> metadata, long total, CancellationToken ct)
    {
        await using var json = new Utf8JsonWriter(body);
        json.WriteStartObject();
        json.WriteStartArray("data");
        var returned = 0L;
        await foreach (var (table, rows) in parts.ConfigureAwait(false))
        {
            for (var i = 0; i < rows.Length; i++)
            {
                json.WriteStartObject();
                foreach (var column in table.Columns)
                {
                    json.WritePropertyName(column.Name);
                    WriteCell(json, column, rows[i]);
                }

                json.WriteEndObject();
                if (i % FlushRows == FlushRows - 1)
                {
                    await json.FlushAsync(ct).ConfigureAwait(false);
                }
            }

            returned += rows.Length;
        }

        json.WriteEndArray();
        json.WriteStartObject("meta");
        json.WriteNumber("returned", returned);
        json.WriteNumber("total_rows", total);
        WriteRaw(json, "units", metadata.GetValueOrDefault(ResultTable.UnitsKey));
        WriteRaw(json, "models", metadata.GetValueOrDefault(ResultTable.ModelsKey));
        WriteRaw(json, "provenance", metadata.GetValueOrDefault(ResultTable.ProvenanceKey));
        json.WriteEndObject();
        json.WriteEndObject();
        await json.FlushAsync(ct).ConfigureAwait(false);
    }

    private static void WriteRaw(Utf8JsonWriter json, string name, string? rawJson)
    {
        json.WritePropertyName(name);
        if (rawJson is null)
        {
            json.WriteStartObject();
            json.WriteEndObject();
        }
        else
        {
            json.WriteRawValue(rawJson);
        }
    }

    private static void WriteCell(Utf8JsonWriter json, Column column, int r)
    {
        switch (column)
        {
            case StringColumn s when s.Values[r] is { } text:
                json.WriteStringValue(text);
                break;
            case DoubleColumn d when double.IsFinite(d.Values[r]):
                json.WriteNumberValue(d.Values[r]);
                break;
            case LongColumn l:
                json.WriteNumberValue(l.Values[r]);
                break;
            case BoolColumn b:
                json.WriteBooleanValue(b.Values[r]);
                break;
            case PairsColumn { Layout: PairsLayout.Map } m when m.Values[r] is { } pairs:
                json.WriteStartObject();
                foreach (var (key, value) in pairs)
                {
                    json.WriteNumber(key, value);
                }

                json.WriteEndObject();
                break;
            case PairsColumn p when p.Values[r] is { } pairs:
                json.WriteStartArray();
                foreach (var (key, value) in pairs)
                {
                    json.WriteStartObject();
                    json.WriteString(p.KeyName, key);
                    json.WriteNumber(p.ValueName, value);
                    json.WriteEndObject();
                }

                json.WriteEndArray();
                break;
            default:
                // Missing text and numbers, and NaN or infinite values (JSON has no such numbers), are null.
                json.WriteNullValue();
                break;
        }
    }
}
