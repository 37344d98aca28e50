using System.CommandLine;
using System.Diagnostics;
using MaterialsDb.Chemistry;
using MaterialsDb.Data.Tables;
using MaterialsDb.Features;
using MaterialsDb.Models.ElementSources;
using MaterialsDb.Screening.Resources;

namespace MaterialsDb.Cli.Commands;

/// <summary><c>materialsdb featurize --input formulas.csv --output features.(csv|parquet) [--preset magpie|ward2016]</c>.</summary>
internal static class FeaturizeCommand
{
    /// <summary>Rows parsed, featurized and written at a time (one Parquet row group).</summary>
    public const int ChunkRows = 65_536;

    public static Command Create(CliContext context)
    {
        var input = new Option<FileInfo>("--input", "-i") { Description = "CSV file with a 'formula' column.", Required = true };
        var output = new Option<FileInfo>("--output", "-o") { Description = "Output file, .parquet (float32 columns, the fast path) or .csv (full float precision).", Required = true };
        var preset = new Option<string>("--preset", "-p") { Description = "Feature set: " + FeaturizerPresets.Help + ".", DefaultValueFactory = _ => "magpie" };
        preset.AcceptOnlyFromAmong([.. FeaturizerPresets.Names]);
        var column = new Option<string>("--column") { Description = "Name of the formula column.", DefaultValueFactory = _ => "formula" };
        var strict = new Option<bool>("--no-impute") { Description = "Leave missing element values missing (statistics become NaN) instead of using the property mean (matminer impute_nan=False)." };
        var threads = new Option<int>("--threads") { Description = "Worker threads; 0 uses every core.", DefaultValueFactory = _ => 0 };
        var compression = CompressionOption.Create();
        var command = new Command(
            "featurize",
            "Compute composition descriptors for every formula: 'formula', one column per feature, then 'error'. A row that fails to parse gets no features (null) and its error; the file is never aborted.")
        {
            input, output, preset, column, strict, threads, compression,
        };
        command.SetAction((parse, ct) => RunAsync(
            context,
            parse.GetValue(input)!,
            parse.GetValue(output)!,
            parse.GetValue(preset)!,
            parse.GetValue(column)!,
            !parse.GetValue(strict),
            parse.GetValue(threads),
            CompressionOption.Value(parse, compression),
            ct));
        return command;
    }

    private static async Task<int> RunAsync(CliContext context, FileInfo input, FileInfo output, string presetName, string column, bool impute, int threads, ParquetCompression compression, CancellationToken cancellationToken)
    {
        InputTable.CheckOutput(input, output);
        TableFileWriter.CheckOutput(output.FullName, compression);
        if (threads < 0)
        {
            throw new InvalidOptionException($"--threads must be 0 (all cores) or positive, not {threads}.");
        }

        // The input is read a chunk at a time, so memory stays flat however many rows the file has.
        using var chunks = InputTable.ReadAsTextChunks(input, ChunkRows, column).GetEnumerator();
        chunks.MoveNext();
        var first = chunks.Current;
        var clock = Stopwatch.StartNew();
        var source = await MagpieElementData.LoadAsync(context.Store, impute, cancellationToken).ConfigureAwait(false);
        var featurizer = FeaturizerPresets.Create(presetName, source);
        var width = featurizer.FeatureLabels.Count;
        var failed = 0;
        long total = 0;
        // Readers can check that a file's columns are what a model expects (the same checksum as a model manifest's).
        var metadata = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["materialsdb.featurizer"] = System.Text.Json.JsonSerializer.Serialize(new
            {
                preset = presetName,
                feature_count = width,
                labels_sha256 = Models.Packages.ModelManifest.HashLabels(featurizer.FeatureLabels),
                impute_missing = impute,
                software = "MaterialsDb " + typeof(FeaturizeCommand).Assembly.GetName().Version,
                citations = featurizer.Citations,
            }),
            ["materialsdb.software"] = "MaterialsDb " + typeof(FeaturizeCommand).Assembly.GetName().Version,
        };
        // Input columns other than the formula (an id, say) follow the error column, chunk by chunk.
        var kept = InputTable.PassThrough(first, [column, "formula", "error", .. featurizer.FeatureLabels]).Select(c => c.Name).ToArray();
        await using var writer = await ChunkedTableWriter.CreateAsync(output.FullName, ["formula"], featurizer.FeatureLabels, ["error", .. kept], cancellationToken, metadata, missingWhen: "error", compression: compression).ConfigureAwait(false);
        // Two sets of chunk buffers: while one chunk is encoded and written (Parquet encoding is the slowest stage and
        // runs on one core), the next is read, parsed and featurized into the other.
        var capacity = Math.Max(1, Math.Min(ChunkRows, first.RowCount));
        var slots = new[] { new ChunkBuffers(capacity, width, kept.Length), new ChunkBuffers(capacity, width, kept.Length) };
        var writing = Task.CompletedTask;
        try
        {
            for (var (table, k) = (first, 0); table is not null; table = chunks.MoveNext() ? chunks.Current : null, k++)
            {
                var rows = table.RowCount;
                if (rows == 0)
                {
                    continue;
                }

                var formulas = table.GetStrings(column);
                var slot = slots[k % 2];
                slot.Batch.Clear();
                for (var r = 0; r < rows; r++)
                {
                    var formula = formulas[r];
                    slot.Formulas[r] = formula;
                    if (slot.Batch.TryAdd(formula ?? string.Empty, out var error))
                    {
                        slot.Errors[r] = null;
                    }
                    else
                    {
                        slot.Batch.AddEmpty();
                        slot.Errors[r] = error.Message;
                        failed++;
                    }
                }

                BatchFeaturizer.Featurize(featurizer, slot.Batch, slot.Features, threads == 0 ? -1 : threads, cancellationToken);
                for (var c = 0; c < kept.Length; c++)
                {
                    Array.Copy(table.GetStrings(kept[c]), 0, slot.Kept[c], 0, rows);
                }

                await writing.ConfigureAwait(false);
                if (total > 0 && !context.Quiet)
                {
                    await context.Error.WriteLineAsync($"featurize: {total:N0} rows").ConfigureAwait(false);
                }

                total += rows;
                writing = Task.Run(() => writer.WriteAsync([slot.Formulas], slot.Features.AsMemory(0, rows * width), [slot.Errors, .. slot.Kept], rows, cancellationToken), cancellationToken);
            }
        }
        finally
        {
            // A failure while a chunk was prepared must not dispose the writer under the previous chunk's write.
            await writing.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }

        await writing.ConfigureAwait(false);
        await writer.CompleteAsync().ConfigureAwait(false);
        var seconds = clock.Elapsed.TotalSeconds;
        if (!context.Quiet)
        {
            await context.Output.WriteLineAsync(
                $"{total} rows × {width} features ({presetName}) written to {output.FullName} in {seconds:0.00} s ({total / Math.Max(seconds, 1e-9):N0} rows/s); {failed} failed to parse.").ConfigureAwait(false);
        }
        return 0;
    }

    // One chunk's input and output rows.
    private sealed class ChunkBuffers(int rows, int width, int keptColumns)
    {
        public CompositionBatch Batch { get; } = new(rows);

        public float[] Features { get; } = new float[rows * width];

        public string?[] Formulas { get; } = new string?[rows];

        public string?[] Errors { get; } = new string?[rows];

        public string?[][] Kept { get; } = [.. Enumerable.Range(0, keptColumns).Select(_ => new string?[rows])];
    }
}
