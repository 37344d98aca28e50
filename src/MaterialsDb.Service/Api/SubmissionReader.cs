using System.Text;
using MaterialsDb.Screening.Spec;
using MaterialsDb.Service.Jobs;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Net.Http.Headers;

namespace MaterialsDb.Service.Api;

/// <summary>A submitted spec and the candidate list uploaded with it, if any (in a scratch folder until the screening exists).</summary>
internal sealed record Submission(string Spec, string? UploadName, string? UploadPath, string? Scratch) : IDisposable
{
    public void Dispose()
    {
        if (Scratch is not null && Directory.Exists(Scratch))
        {
            Directory.Delete(Scratch, recursive: true);
        }
    }
}

/// <summary>
/// Reads <c>POST /screenings</c> bodies: a spec as JSON or YAML, or <c>multipart/form-data</c> with a <c>spec</c> part
/// and one file part (a CSV or Parquet candidate list the spec names in <c>candidates.list</c>). Every read is bounded:
/// the body by the node's limits, the spec by <see cref="SpecParser.MaxLength"/>, the parts to two.
/// </summary>
internal static class SubmissionReader
{
    /// <summary>Media types a bare spec may be sent as (YAML is a superset of JSON, so both parse the same).</summary>
    public static readonly string[] SpecMediaTypes = ["application/yaml", "application/x-yaml", "text/yaml", "text/x-yaml", "application/json", "text/plain"];

    public static async Task<(Submission? Submission, IResult? Problem)> ReadAsync(HttpContext http, ServiceOptions options, ResultPaths paths, CancellationToken ct)
    {
        var type = http.Request.ContentType;
        if (type is null || SpecMediaTypes.Any(t => MediaTypeHeaderValue.TryParse(type, out var m) && m.MediaType.Equals(t, StringComparison.OrdinalIgnoreCase)))
        {
            return (new Submission(await ReadTextAsync(http.Request.Body, ct).ConfigureAwait(false), null, null, null), null);
        }

        if (!MediaTypeHeaderValue.TryParse(type, out var media) || !media.MediaType.Equals("multipart/form-data", StringComparison.OrdinalIgnoreCase))
        {
            return (null, Problems.Result(ProblemKind.UnsupportedMediaType, $"'{type}' is not accepted here; send the spec as application/yaml or application/json, or multipart/form-data with a 'spec' part and the candidate file"));
        }

        var boundary = HeaderUtilities.RemoveQuotes(media.Boundary).Value;
        if (string.IsNullOrEmpty(boundary) || boundary.Length > 200)
        {
            return (null, Problems.Result(ProblemKind.MalformedBody, "the multipart body has no valid boundary"));
        }

        // Uploads may be larger than a bare spec; the limit is raised for this request only, before anything is read.
        if (http.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } size)
        {
            size.MaxRequestBodySize = options.MaxUploadBytes;
        }

        var reader = new MultipartReader(boundary, http.Request.Body) { HeadersCountLimit = 16, HeadersLengthLimit = 16_384 };
        string? spec = null, uploadName = null, uploadPath = null;
        var scratch = paths.Incoming();
        try
        {
            for (var sections = 0; await reader.ReadNextSectionAsync(ct).ConfigureAwait(false) is { } section; sections++)
            {
                if (sections == 2)
                {
                    return Fail(Problems.Result(ProblemKind.MalformedBody, "a submission has two parts: 'spec' and one candidate file"));
                }

                if (!ContentDispositionHeaderValue.TryParse(section.ContentDisposition, out var disposition))
                {
                    return Fail(Problems.Result(ProblemKind.MalformedBody, "a part has no Content-Disposition header"));
                }

                var fileName = disposition.FileNameStar.HasValue ? disposition.FileNameStar.Value : disposition.FileName.HasValue ? HeaderUtilities.RemoveQuotes(disposition.FileName).Value : null;
                if (string.IsNullOrEmpty(fileName))
                {
                    if (!string.Equals(HeaderUtilities.RemoveQuotes(disposition.Name).Value, "spec", StringComparison.Ordinal) || spec is not null)
                    {
                        return Fail(Problems.Invalid("spec", "send exactly one form field named 'spec' holding the spec"));
                    }

                    spec = await ReadTextAsync(section.Body, ct).ConfigureAwait(false);
                    continue;
                }

                // Only the name's last segment counts, and only as a label the spec refers to: the file is stored under
                // a name of our own in the screening's folder.
                var name = Path.GetFileName(fileName.Replace('\\', '/'));
                var extension = Path.GetExtension(name).ToLowerInvariant();
                if (uploadName is not null || name.Length is 0 or > 200 || name.Any(char.IsControl) || extension is not (".csv" or ".parquet"))
                {
                    return Fail(Problems.Invalid("candidates.list", "upload one candidate list, a .csv or .parquet file with a 'formula' column"));
                }

                Directory.CreateDirectory(scratch);
                uploadName = name;
                uploadPath = Path.Combine(scratch, "upload" + extension);
                await using var file = File.Create(uploadPath);
                await section.Body.CopyToAsync(file, ct).ConfigureAwait(false);
            }
        }
        catch (IOException e) when (e is not (FileNotFoundException or BadHttpRequestException))
        {
            return Fail(Problems.Result(ProblemKind.MalformedBody, $"the multipart body cannot be read: {e.Message}"));
        }

        if (spec is null)
        {
            return Fail(Problems.Invalid("spec", "the multipart body has no 'spec' part"));
        }

        return (new Submission(spec, uploadName, uploadPath, scratch), null);

        (Submission?, IResult?) Fail(IResult problem)
        {
            if (Directory.Exists(scratch))
            {
                Directory.Delete(scratch, recursive: true);
            }

            return (null, problem);
        }
    }

    // The spec's own limit applies to its text whatever the body limit is.
    private static async Task<string> ReadTextAsync(Stream body, CancellationToken ct)
    {
        using var reader = new StreamReader(body, Encoding.UTF8, detectEncodingFromByteOrderMarks: true, bufferSize: 16_384, leaveOpen: true);
        var buffer = new char[16_384];
        var text = new StringBuilder();
        int read;
        while ((read = await reader.ReadAsync(buffer, ct).ConfigureAwait(false)) > 0)
        {
            text.Append(buffer, 0, read);
            if (text.Length > SpecParser.MaxLength)
            {
                throw new SpecException([$"(document): the spec is longer than {SpecParser.MaxLength:N0} characters"]);
            }
        }

        return text.ToString();
    }
}
