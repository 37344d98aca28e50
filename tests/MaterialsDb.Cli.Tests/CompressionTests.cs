using MaterialsDb.TestSupport;

namespace MaterialsDb.Cli.Tests;

/// <summary>
/// <c>--compression</c>: each codec writes a file that a third-party reader (DuckDB) reads back with the codec named
/// in its metadata and the same rows as the default; a codec no one offers, or one asked of a CSV file, is refused.
/// </summary>
public sealed class CompressionTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Theory]
    [InlineData("none", "UNCOMPRESSED")]
    [InlineData("lz4", "LZ4_RAW")]
    [InlineData("zstd", "ZSTD")]
    [InlineData("gzip", "GZIP")]
    [InlineData("snappy", "SNAPPY")]
    public async Task EachCodecWritesTheDefaultsRows(string compression, string codec)
    {
        var input = _dir.File("in.csv");
        string[] formulas = ["Fe2O3", "NaCl", "Li7La3Zr2O12", "Xx2", "CoO2", "Al2O3", "GaAs", "(Li"];
        await File.WriteAllLinesAsync(input, ["formula", .. Enumerable.Range(0, 40).SelectMany(_ => formulas)], TestContext.Current.CancellationToken);
        var reference = _dir.File("default.parquet");
        var output = _dir.File($"{compression}.parquet");

        Assert.Equal(0, (await CliRunner.RunAsync(SharedFiles.MirrorStore(), "featurize", "-i", input, "-o", reference)).Exit);
        var (exit, _, stderr) = await CliRunner.RunAsync(SharedFiles.MirrorStore(), "featurize", "-i", input, "-o", output, "--compression", compression);

        Assert.True(exit == 0, stderr);
        var codecs = DuckDb.Rows($"SELECT DISTINCT compression FROM parquet_metadata({DuckDb.Literal(output)})").Select(r => (string)r[0]).ToArray();
        Assert.Equal([codec], codecs);
        Assert.Equal(320L, Convert.ToInt64(DuckDb.Scalar($"SELECT count(*) FROM read_parquet({DuckDb.Literal(output)})"), System.Globalization.CultureInfo.InvariantCulture));
        // Row by row, every column (the nulls of the unreadable formulas included), against the default file.
        var differing = DuckDb.Scalar(
            $"SELECT count(*) FROM (SELECT row_number() OVER () AS r, * FROM read_parquet({DuckDb.Literal(output)}) EXCEPT SELECT row_number() OVER () AS r, * FROM read_parquet({DuckDb.Literal(reference)}))");
        Assert.Equal(0L, Convert.ToInt64(differing, System.Globalization.CultureInfo.InvariantCulture));
        if (compression == "none")
        {
            Assert.True(new FileInfo(output).Length > new FileInfo(reference).Length, "the uncompressed file is the larger");
        }
    }

    [Fact]
    public async Task StabilityAndCompositionTakeItToo()
    {
        var input = _dir.File("q.csv");
        await File.WriteAllTextAsync(input, "formula,e_form_per_atom\nLi2O,-2.1\nXx,1\nLi5La3Ta2O12,-2.9\n", TestContext.Current.CancellationToken);
        foreach (var (command, codec) in new[] { ("stability", "ZSTD"), ("composition", "ZSTD") })
        {
            var output = _dir.File($"{command}.parquet");
            var (exit, _, stderr) = await CliRunner.RunAsync(SharedFiles.MirrorStore(), command, "-i", input, "-o", output, "--compression", "zstd");
            Assert.True(exit == 0, stderr);
            Assert.Equal(codec, DuckDb.Scalar($"SELECT DISTINCT compression FROM parquet_metadata({DuckDb.Literal(output)})").ToString());
            Assert.Equal(3L, Convert.ToInt64(DuckDb.Scalar($"SELECT count(*) FROM read_parquet({DuckDb.Literal(output)})"), System.Globalization.CultureInfo.InvariantCulture));
        }
    }

    [Theory]
    [InlineData("featurize", "out.parquet", "brotli", "brotli")]
    [InlineData("featurize", "out.csv", "zstd", "applies to Parquet output")]
    [InlineData("stability", "out.csv", "none", "applies to Parquet output")]
    [InlineData("composition", "out.parquet", "Zstd2", "Zstd2")]
    public async Task BadCompressionIsAUsageErrorAndWritesNothing(string command, string file, string compression, string message)
    {
        var input = _dir.File("q.csv");
        await File.WriteAllTextAsync(input, "formula,e_form_per_atom\nLi2O,-2.1\n", TestContext.Current.CancellationToken);
        var output = _dir.File(file);

        var (exit, _, stderr) = await CliRunner.RunAsync(SharedFiles.MirrorStore(), command, "-i", input, "-o", output, "--compression", compression);

        Assert.Equal(2, exit);
        Assert.Contains(message, stderr, StringComparison.Ordinal);
        Assert.False(File.Exists(output));
        Assert.Single(Directory.GetFiles(_dir.Path));   // no temporary file either
    }

    [Fact]
    public async Task PredictRefusesACompressionWithNothingToCompress()
    {
        var (exit, _, stderr) = await CliRunner.RunAsync(SharedFiles.MirrorStore(), "predict", "-m", "formation-energy", "NaCl", "--compression", "zstd");
        Assert.Equal(2, exit);
        Assert.Contains("--compression applies to the --output file", stderr, StringComparison.Ordinal);
    }
}
