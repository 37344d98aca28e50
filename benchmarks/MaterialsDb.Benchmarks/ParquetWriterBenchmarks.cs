using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Engines;
using MaterialsDb.Data.Tables;
using MaterialsDb.Features;
using Parquet;
using Parquet.Schema;

namespace MaterialsDb.Benchmarks;

/// <summary>
/// The write stage of <c>materialsdb featurize</c>: 262,144 rows of real magpie features (mp_e_form repeated; 132
/// float32 columns, a formula column and an all-null error column) in row groups of 65,536, to a file. Our writer
/// (transposition and Parquet.Net as <see cref="ChunkedTableWriter"/> runs it) against Parquet.Net alone with each
/// compression, with required instead of nullable columns, and against ParquetSharp (Arrow's C++ writer) — the
/// ceiling any change to our writer is measured against. Sizes are printed in the setup.
/// </summary>
[SimpleJob(RunStrategy.Monitoring, launchCount: 1, warmupCount: 1, iterationCount: 5)]
public class ParquetWriterBenchmarks
{
    private const int Rows = 262_144;
    private const int Group = 65_536;
    private string[] _labels = [];
    private float[] _rowMajor = [];
    private float?[][] _nullable = [];
    private float[][] _required = [];
    private string[] _formulas = [];
    private string?[] _errors = [];
    private string _path = string.Empty;

    [GlobalSetup]
    public void Setup()
    {
        var batch = BenchmarkData.RepeatedMpEForm(Rows);
        var featurizer = new ElementPropertyFeaturizer("magpie", BenchmarkData.Magpie(), ElementPropertyFeaturizer.MagpieProperties, ElementPropertyFeaturizer.MagpieStatistics);
        _labels = [.. featurizer.FeatureLabels];
        var width = _labels.Length;
        _rowMajor = new float[Rows * width];
        BatchFeaturizer.Featurize(featurizer, batch, _rowMajor);
        _nullable = [.. Enumerable.Range(0, width).Select(c => Enumerable.Range(0, Group).Select(r => (float?)_rowMajor[(r * width) + c]).ToArray())];
        _required = [.. Enumerable.Range(0, width).Select(c => Enumerable.Range(0, Group).Select(r => _rowMajor[(r * width) + c]).ToArray())];
        var formulas = BenchmarkData.MpEFormFormulas();
        _formulas = [.. Enumerable.Range(0, Rows).Select(i => formulas[i % formulas.Length])];
        _errors = new string?[Group];
        _path = Path.Combine(Path.GetTempPath(), $"materialsdb-parquet-bench-{Environment.ProcessId}.parquet");

        var sizes = new List<string>();
        void Size(string name, Action write)
        {
            write();
            sizes.Add($"{name} {new FileInfo(_path).Length / 1e6:F1} MB");
        }

        Size("ours", () => Ours());
        Size("Snappy", () => ParquetNetSnappy());
        Size("none", () => ParquetNetNone());
        Size("Zstd", () => ParquetNetZstd());
        Size("Snappy required", () => ParquetNetRequired());
        Size("ParquetSharp Snappy", () => ParquetSharpSnappy());
        Size("Arrow writer, all cores", () => ArrowAllCores());
        Console.WriteLine("// file sizes: " + string.Join(", ", sizes) + $" (raw float32 data {Rows * width * 4 / 1e6:F0} MB)");
    }

    [GlobalCleanup]
    public void Cleanup() => File.Delete(_path);

    [Benchmark(Baseline = true, OperationsPerInvoke = Rows, Description = "ChunkedTableWriter (ours: transpose + Parquet.Net Snappy, nullable)")]
    public void Ours()
    {
        var writer = ChunkedTableWriter.CreateAsync(_path, ["formula"], _labels, ["error"], missingWhen: "error").GetAwaiter().GetResult();
        for (var start = 0; start < Rows; start += Group)
        {
            writer.WriteAsync([_formulas[start..(start + Group)]], _rowMajor.AsMemory(start * _labels.Length, Group * _labels.Length), [_errors], Group).GetAwaiter().GetResult();
        }

        writer.CompleteAsync().GetAwaiter().GetResult();
        writer.DisposeAsync().AsTask().GetAwaiter().GetResult();
    }

    [Benchmark(OperationsPerInvoke = Rows, Description = "Parquet.Net alone, Snappy, nullable")]
    public void ParquetNetSnappy() => ParquetNet(CompressionMethod.Snappy, nullable: true);

    [Benchmark(OperationsPerInvoke = Rows, Description = "Parquet.Net alone, no compression, nullable")]
    public void ParquetNetNone() => ParquetNet(CompressionMethod.None, nullable: true);

    [Benchmark(OperationsPerInvoke = Rows, Description = "Parquet.Net alone, Zstd (fastest), nullable")]
    public void ParquetNetZstd() => ParquetNet(CompressionMethod.Zstd, nullable: true);

    [Benchmark(OperationsPerInvoke = Rows, Description = "Parquet.Net alone, Snappy, required (no nulls)")]
    public void ParquetNetRequired() => ParquetNet(CompressionMethod.Snappy, nullable: false);

    [Benchmark(OperationsPerInvoke = Rows, Description = "ParquetSharp (Arrow C++), Snappy, nullable")]
    public void ParquetSharpSnappy()
    {
        ParquetSharp.Column[] columns =
        [
            new ParquetSharp.Column<string>("formula"),
            .. _labels.Select(l => (ParquetSharp.Column)new ParquetSharp.Column<float?>(l)),
            new ParquetSharp.Column<string>("error"),
        ];
        using var properties = new ParquetSharp.WriterPropertiesBuilder().Compression(ParquetSharp.Compression.Snappy).DisableDictionary().Build();
        using var file = new ParquetSharp.ParquetFileWriter(_path, columns, properties);
        for (var start = 0; start < Rows; start += Group)
        {
            using var group = file.AppendRowGroup();
            using (var formulas = group.NextColumn().LogicalWriter<string>())
            {
                formulas.WriteBatch(_formulas, start, Group);
            }

            foreach (var values in _nullable)
            {
                using var column = group.NextColumn().LogicalWriter<float?>();
                column.WriteBatch(values, 0, Group);
            }

            using var errors = group.NextColumn().LogicalWriter<string?>();
            errors.WriteBatch(_errors, 0, Group);
        }

        file.Close();
    }

    [Benchmark(OperationsPerInvoke = Rows, Description = "ParquetSharp Arrow writer, Snappy, nullable, one thread")]
    public void ArrowOneThread() => ArrowWriter(useThreads: false);

    [Benchmark(OperationsPerInvoke = Rows, Description = "ParquetSharp Arrow writer, Snappy, nullable, columns on all cores")]
    public void ArrowAllCores() => ArrowWriter(useThreads: true);

    // Arrow's writer encodes the columns of a buffered row group in parallel when asked to (use_threads); the record
    // batches are built here from the same row-major features, as a command would.
    private void ArrowWriter(bool useThreads)
    {
        var width = _labels.Length;
        var schema = new Apache.Arrow.Schema.Builder()
            .Field(f => f.Name("formula").DataType(Apache.Arrow.Types.StringType.Default).Nullable(true));
        foreach (var label in _labels)
        {
            schema.Field(f => f.Name(label).DataType(Apache.Arrow.Types.FloatType.Default).Nullable(true));
        }

        var arrowSchema = schema.Field(f => f.Name("error").DataType(Apache.Arrow.Types.StringType.Default).Nullable(true)).Build();
        using var properties = new ParquetSharp.WriterPropertiesBuilder().Compression(ParquetSharp.Compression.Snappy).DisableDictionary().Build();
        using var arrowProperties = new ParquetSharp.Arrow.ArrowWriterPropertiesBuilder().UseThreads(useThreads).Build();
        using var writer = new ParquetSharp.Arrow.FileWriter(_path, arrowSchema, properties, arrowProperties);
        var column = new float[Group];
        for (var start = 0; start < Rows; start += Group)
        {
            var arrays = new List<Apache.Arrow.IArrowArray> { new Apache.Arrow.StringArray.Builder().AppendRange(_formulas[start..(start + Group)]).Build() };
            for (var c = 0; c < width; c++)
            {
                for (var r = 0; r < Group; r++)
                {
                    column[r] = _rowMajor[((start + r) * width) + c];
                }

                arrays.Add(new Apache.Arrow.FloatArray.Builder().AppendRange(column).Build());
            }

            var errors = new Apache.Arrow.StringArray.Builder();
            for (var r = 0; r < Group; r++)
            {
                errors.AppendNull();
            }

            arrays.Add(errors.Build());
            using var batch = new Apache.Arrow.RecordBatch(arrowSchema, arrays, Group);
            writer.NewBufferedRowGroup();
            writer.WriteBufferedRecordBatch(batch);
        }

        writer.Close();
    }

    private void ParquetNet(CompressionMethod compression, bool nullable)
    {
        DataField[] fields =
        [
            new DataField<string>("formula", true),
            .. _labels.Select(l => nullable ? (DataField)new DataField<float?>(l, true) : new DataField<float>(l, false)),
            new DataField<string>("error", true),
        ];
        using var stream = File.Create(_path);
        var writer = ParquetWriter.CreateAsync(new ParquetSchema(fields), stream, new ParquetOptions { CompressionMethod = compression, CompressionLevel = System.IO.Compression.CompressionLevel.Fastest }).GetAwaiter().GetResult();
        try
        {
            WriteGroups(writer, fields, nullable);
        }
        finally
        {
            writer.DisposeAsync().AsTask().GetAwaiter().GetResult();
        }
    }

    private void WriteGroups(ParquetWriter writer, DataField[] fields, bool nullable)
    {
        for (var start = 0; start < Rows; start += Group)
        {
            using var group = writer.CreateRowGroup();
            group.WriteAsync(fields[0], new ArraySegment<string>(_formulas, start, Group)).GetAwaiter().GetResult();
            for (var c = 0; c < _labels.Length; c++)
            {
                if (nullable)
                {
                    group.WriteAsync(fields[c + 1], new ReadOnlyMemory<float?>(_nullable[c])).GetAwaiter().GetResult();
                }
                else
                {
                    group.WriteAsync(fields[c + 1], new ReadOnlyMemory<float>(_required[c])).GetAwaiter().GetResult();
                }
            }

            group.WriteAsync(fields[^1], new ArraySegment<string>(_errors!)).GetAwaiter().GetResult();
        }
    }
}
