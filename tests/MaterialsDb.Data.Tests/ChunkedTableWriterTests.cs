using MaterialsDb.Data.Tables;
using MaterialsDb.TestSupport;
using Parquet;

namespace MaterialsDb.Data.Tests;

public sealed class ChunkedTableWriterTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task EachChunkIsARowGroupAndColumnsAreTransposed()
    {
        var path = _dir.File("out.parquet");
        await using (var writer = await ChunkedTableWriter.CreateAsync(path, ["id"], ["a", "b", "c"], ["note"], TestContext.Current.CancellationToken))
        {
            await writer.WriteAsync([["r0", "r1"]], new float[] { 1, 2, 3, 4, 5, 6 }, [[null, "x"]], 2, TestContext.Current.CancellationToken);
            await writer.WriteAsync([["r2", "unused"]], new float[] { 7, 8, 9, 0, 0, 0 }, [["y", "unused"]], 1, TestContext.Current.CancellationToken);
            Assert.False(File.Exists(path));
            await writer.CompleteAsync();
            Assert.Equal(3, writer.RowsWritten);
        }

        await using var stream = File.OpenRead(path);
        await using var reader = await ParquetReader.CreateAsync(stream, cancellationToken: TestContext.Current.CancellationToken);
        Assert.Equal(2, reader.RowGroupCount);
        var fields = reader.Schema.GetDataFields();
        Assert.Equal(["id", "a", "b", "c", "note"], fields.Select(f => f.Name));
        using var first = reader.OpenRowGroupReader(0);
        var b = new float?[2];
        await first.ReadAsync<float>(fields[2], b, cancellationToken: TestContext.Current.CancellationToken);
        Assert.Equal([2f, 5f], b);
        using var second = reader.OpenRowGroupReader(1);
        var c = new float?[1];
        await second.ReadAsync<float>(fields[3], c, cancellationToken: TestContext.Current.CancellationToken);
        Assert.Equal([9f], c);
    }

    [Fact]
    public async Task AbandonedWriteLeavesNothing()
    {
        var path = _dir.File("out.csv");
        await using (var writer = await ChunkedTableWriter.CreateAsync(path, ["id"], ["a"], [], TestContext.Current.CancellationToken))
        {
            await writer.WriteAsync([["r0"]], new float[] { 1 }, [], 1, TestContext.Current.CancellationToken);
        }

        Assert.Empty(Directory.GetFiles(_dir.Path));
    }

    [Fact]
    public async Task CsvWritesFloatsRoundTrip()
    {
        var path = _dir.File("out.csv");
        var value = 0.1f + 1e-8f;
        await using (var writer = await ChunkedTableWriter.CreateAsync(path, ["id"], ["a"], ["error"], TestContext.Current.CancellationToken))
        {
            await writer.WriteAsync([["x,y"]], new[] { value }, [["bad \"row\""]], 1, TestContext.Current.CancellationToken);
            await writer.CompleteAsync();
        }

        var table = CsvTableReader.Read(path, ["id", "error"]);
        Assert.Equal(value, (float)table.GetDoubles("a")[0]);
        Assert.Equal("x,y", table.GetStrings("id")[0]);
        Assert.Equal("bad \"row\"", table.GetStrings("error")[0]);
    }

    [Fact]
    public async Task RejectsAChunkOfTheWrongShape()
    {
        await using var writer = await ChunkedTableWriter.CreateAsync(_dir.File("out.parquet"), ["id"], ["a", "b"], [], TestContext.Current.CancellationToken);
        await Assert.ThrowsAsync<ArgumentException>(() => writer.WriteAsync([["r0"]], new float[] { 1 }, [], 1, TestContext.Current.CancellationToken));
    }
}
