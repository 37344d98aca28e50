using MaterialsDb.Data.Catalog;
using MaterialsDb.Data.Tables;
using MaterialsDb.TestSupport;
using Parquet;
using Parquet.Schema;

namespace MaterialsDb.Data.Tests;

public sealed class TableTests
{
    [Fact]
    public void ReadsCsvIntoTypedColumns()
    {
        var table = CsvTableReader.ReadText("formula,target,note\nFe2O3,1.5,\"a, b\"\nNaCl,,\"say \"\"hi\"\"\"\n");
        Assert.Equal(2, table.RowCount);
        Assert.IsType<StringColumn>(table["formula"]);
        var target = Assert.IsType<DoubleColumn>(table["target"]).Values;
        Assert.Equal(1.5, target[0]);
        Assert.True(double.IsNaN(target[1]));
        Assert.Equal(new[] { "a, b", "say \"hi\"" }, table.GetStrings("note").Select(s => s!));
    }

    [Fact]
    public void TextColumnsStayText()
    {
        var table = CsvTableReader.ReadText("formula\n1\n2\n", ["formula"]);
        Assert.Equal(new[] { "1", "2" }, table.GetStrings("formula").Select(s => s!));
    }

    [Fact]
    public void NamesTheLineOfARowOfTheWrongWidth()
    {
        var e = Assert.Throws<InputDataException>(() => CsvTableReader.ReadText("a,b\n1,2\n3\n"));
        Assert.Contains("line 3", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void RejectsEmptyFiles()
    {
        using var dir = new TempDirectory();
        var path = dir.File("empty.csv");
        File.WriteAllText(path, string.Empty);
        var e = Assert.Throws<InputDataException>(() => CsvTableReader.Read(path));
        Assert.Contains("empty", e.Message, StringComparison.Ordinal);
        Assert.Contains(path, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ReadsAFileInChunksOfTextWithTheWholeFilesRows()
    {
        using var dir = new TempDirectory();
        var path = dir.File("rows.csv");
        File.WriteAllLines(path, ["id,formula", .. Enumerable.Range(0, 10).Select(i => $"{i:000},Fe{i + 1}O")]);
        var chunks = CsvTableReader.ReadAsTextChunks(path, 4).ToList();
        Assert.Equal([4, 4, 2], chunks.Select(c => c.RowCount));
        Assert.All(chunks, c => Assert.IsType<StringColumn>(c["id"]));
        Assert.Equal(CsvTableReader.ReadAsText(path).GetStrings("id"), chunks.SelectMany(c => c.GetStrings("id")));

        // A full last chunk is followed by an empty one; a file without rows still gives its header.
        Assert.Equal([5, 5, 0], CsvTableReader.ReadAsTextChunks(path, 5).Select(c => c.RowCount));
        File.WriteAllText(path, "id,formula\n");
        var header = Assert.Single(CsvTableReader.ReadAsTextChunks(path, 5));
        Assert.Equal(["id", "formula"], header.Columns.Select(c => c.Name));

        // A bad row is named by its line when the chunk that holds it is read, after the chunks before it.
        File.WriteAllLines(path, ["a,b", "1,2", "3,4", "5"]);
        using var reading = CsvTableReader.ReadAsTextChunks(path, 2).GetEnumerator();
        Assert.True(reading.MoveNext());
        Assert.Contains("line 4", Assert.Throws<InputDataException>(() => reading.MoveNext()).Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentOutOfRangeException>(() => CsvTableReader.ReadAsTextChunks(path, 0));
    }

    [Theory]
    [InlineData("parquet")]
    [InlineData("csv")]
    public async Task ATableWrittenChunkByChunkIsTheSameFileAsWrittenWhole(string extension)
    {
        var ct = TestContext.Current.CancellationToken;
        using var dir = new TempDirectory();
        var rows = (2 * TableWriter.ParquetRowGroupSize) + 11;
        ColumnTable Rows(int start, int count) => new(
        [
            new StringColumn("formula", [.. Enumerable.Range(start, count).Select(i => i % 7 == 0 ? null : $"Fe{i % 9 + 1}O")]),
            new DoubleColumn("x", [.. Enumerable.Range(start, count).Select(i => i % 5 == 0 ? double.NaN : i * 0.5)]),
            new BoolColumn("flag", [.. Enumerable.Range(start, count).Select(i => i % 2 == 0)]),
            new PairsColumn("parts", [.. Enumerable.Range(start, count).Select(i => i % 3 == 0 ? null : new[] { new KeyValuePair<string, double>("Fe", 0.4), new KeyValuePair<string, double>("O", 0.6) })], PairsLayout.StructList, "formula", "fraction"),
        ]);

        var whole = dir.File("whole." + extension);
        await TableWriter.WriteAsync(Rows(0, rows), whole, cancellationToken: ct);
        var chunked = dir.File("chunked." + extension);
        await using (var writer = await TableFileWriter.CreateAsync(chunked, Rows(0, 0).Columns, cancellationToken: ct))
        {
            for (var start = 0; start < rows; start += TableWriter.ParquetRowGroupSize)
            {
                await writer.AppendAsync(Rows(start, Math.Min(TableWriter.ParquetRowGroupSize, rows - start)), ct);
            }

            Assert.False(File.Exists(chunked));
            await writer.CompleteAsync();
            Assert.Equal(rows, writer.RowsWritten);
        }

        Assert.Equal(await File.ReadAllBytesAsync(whole, ct), await File.ReadAllBytesAsync(chunked, ct));

        // No rows: the header (CSV) or schema (Parquet) alone, as the whole-table writer gives.
        var empty = dir.File("empty." + extension);
        await TableWriter.WriteAsync(Rows(0, 0), whole, cancellationToken: ct);
        await using (var writer = await TableFileWriter.CreateAsync(empty, Rows(0, 0).Columns, cancellationToken: ct))
        {
            await writer.CompleteAsync();
        }

        Assert.Equal(await File.ReadAllBytesAsync(whole, ct), await File.ReadAllBytesAsync(empty, ct));

        // Another table's columns are refused; a writer disposed before completing leaves nothing behind.
        var abandoned = dir.File("abandoned." + extension);
        await using (var writer = await TableFileWriter.CreateAsync(abandoned, Rows(0, 0).Columns, cancellationToken: ct))
        {
            await writer.AppendAsync(Rows(0, 10), ct);
            await Assert.ThrowsAsync<ArgumentException>(() => writer.AppendAsync(new ColumnTable([new StringColumn("formula", ["Fe"])]), ct));
        }

        Assert.Empty(Directory.GetFiles(dir.Path, "abandoned*"));
    }

    [Fact]
    public void RejectsDuplicateColumns() =>
        Assert.Throws<InputDataException>(() => CsvTableReader.ReadText("a,a\n1,2\n"));

    [Fact]
    public async Task ReadsTheMatbenchFormationEnergies()
    {
        var store = SharedFiles.MirrorStore();
        var dataset = DatasetCatalog.Default.Get("mp_e_form");
        var path = await store.EnsureFileAsync(dataset, dataset.Files[0], cancellationToken: TestContext.Current.CancellationToken);
        var table = CsvTableReader.Read(path, [dataset.Format.FormulaColumn!]);
        Assert.Equal(132_752, table.RowCount);
        Assert.Equal("C1Pt1", table.GetStrings("formula")[0]);
        Assert.Equal(1.9953836506249996, table.GetDoubles("target")[0]);
    }

    [Fact]
    public async Task ReadsMagpieElementTables()
    {
        var store = SharedFiles.MirrorStore();
        var magpie = DatasetCatalog.Default.Get("magpie_elementdata");
        var folder = await store.EnsureAsync(magpie, cancellationToken: TestContext.Current.CancellationToken);

        var number = ElementTableReader.ReadValues(Path.Combine(folder, "Number.table"));
        Assert.Equal(Enumerable.Range(1, number.Count(v => !double.IsNaN(v))).Select(z => (double)z), number.Where(v => !double.IsNaN(v)));
        Assert.Equal(26, number[25]);

        var oxidation = ElementTableReader.ReadIntegerLists(Path.Combine(folder, "OxidationStates.table"));
        Assert.Equal([-1, 1], oxidation[0]);
        Assert.Empty(oxidation[1]);
        Assert.Contains(3, oxidation[25]);
    }

    [Fact]
    public void ElementTableNamesABadLine()
    {
        using var dir = new TempDirectory();
        var path = dir.File("bad.table");
        File.WriteAllLines(path, ["1.0", "Missing", "abc"]);
        var e = Assert.Throws<InputDataException>(() => ElementTableReader.ReadValues(path, strict: true));
        Assert.Contains("line 3", e.Message, StringComparison.Ordinal);
        Assert.True(double.IsNaN(ElementTableReader.ReadValues(path)[2]));
        File.WriteAllLines(path, ["1.0", "Missing", "", "4"]);
        var values = ElementTableReader.ReadValues(path);
        Assert.Equal(1.0, values[0]);
        Assert.True(double.IsNaN(values[1]) && double.IsNaN(values[2]) && double.IsNaN(values[117]));
        Assert.Equal(4, values[3]);
    }

    [Fact]
    public async Task WritesCsvAndParquetThatReadBack()
    {
        using var dir = new TempDirectory();
        var rows = TableWriter.ParquetRowGroupSize + 10;
        var table = new ColumnTable(
        [
            new StringColumn("formula", [.. Enumerable.Range(0, rows).Select(i => i % 7 == 0 ? null : $"Fe{i}O")]),
            new DoubleColumn("value", [.. Enumerable.Range(0, rows).Select(i => i == 3 ? double.NaN : i / 3.0)]),
        ]);

        var csv = dir.File("out.csv");
        await TableWriter.WriteAsync(table, csv, cancellationToken: TestContext.Current.CancellationToken);
        var back = CsvTableReader.Read(csv, ["formula"]);
        Assert.Equal(rows, back.RowCount);
        Assert.Equal(table.GetDoubles("value").Skip(4), back.GetDoubles("value").Skip(4));
        Assert.True(double.IsNaN(back.GetDoubles("value")[3]));

        var parquet = dir.File("out.parquet");
        await TableWriter.WriteAsync(table, parquet, cancellationToken: TestContext.Current.CancellationToken);
        await using var stream = File.OpenRead(parquet);
        await using var reader = await ParquetReader.CreateAsync(stream, cancellationToken: TestContext.Current.CancellationToken);
        Assert.Equal(2, reader.RowGroupCount);
        var fields = reader.Schema.GetDataFields();
        Assert.Equal(["formula", "value"], fields.Select(f => f.Name));
        using var group = reader.OpenRowGroupReader(1);
        var values = new double?[group.RowCount];
        await group.ReadAsync<double>(fields[1], values, cancellationToken: TestContext.Current.CancellationToken);
        Assert.Equal(table.GetDoubles("value").Skip(TableWriter.ParquetRowGroupSize), values.Select(v => v!.Value));

        // The missing value is a null, not a NaN, for other readers; our reader gives NaN back.
        using var firstGroup = reader.OpenRowGroupReader(0);
        var head = new double?[firstGroup.RowCount];
        await firstGroup.ReadAsync<double>(fields[1], head, cancellationToken: TestContext.Current.CancellationToken);
        Assert.Null(head[3]);
        Assert.True(double.IsNaN((await ParquetTableReader.ReadAsync(parquet, TestContext.Current.CancellationToken)).Table.GetDoubles("value")[3]));
        Assert.Empty(Directory.GetFiles(dir.Path, "*.tmp"));
    }

    [Fact]
    public async Task RowGroupsReadInParallelComeBackInOrder()
    {
        using var dir = new TempDirectory();
        var rows = (3 * TableWriter.ParquetRowGroupSize) + 17;
        string[] symbols = ["Li", "O", "Fe", "P"];
        var table = new ColumnTable(
        [
            new LongColumn("rank", [.. Enumerable.Range(1, rows).Select(i => (long)i)]),
            new StringColumn("formula", [.. Enumerable.Range(0, rows).Select(i => $"F{i}")]),
            new PairsColumn("fractions", [.. Enumerable.Range(0, rows).Select(i => i % 11 == 0 ? null : new[] { new KeyValuePair<string, double>(symbols[i % 4], 0.5), new KeyValuePair<string, double>(symbols[(i + 1) % 4], i / 1e6) })], PairsLayout.Map),
        ]);
        var parquet = dir.File("groups.parquet");
        await TableWriter.WriteAsync(table, parquet, cancellationToken: TestContext.Current.CancellationToken);
        var back = (await ParquetTableReader.ReadAsync(parquet, TestContext.Current.CancellationToken)).Table;
        Assert.Equal(((LongColumn)table.Columns[0]).Values, ((LongColumn)back.Columns[0]).Values);
        Assert.Equal(((StringColumn)table.Columns[1]).Values, ((StringColumn)back.Columns[1]).Values);
        Assert.Equal(((PairsColumn)table.Columns[2]).Values, ((PairsColumn)back.Columns[2]).Values);
    }

    [Fact]
    public async Task RejectsUnknownOutputFormats()
    {
        using var dir = new TempDirectory();
        var table = new ColumnTable([new DoubleColumn("x", [1])]);
        var e = await Assert.ThrowsAsync<InvalidOptionException>(() => TableWriter.WriteAsync(table, dir.File("out.xlsx"), cancellationToken: TestContext.Current.CancellationToken));
        Assert.Contains(".parquet", e.Message, StringComparison.Ordinal);
        Assert.Empty(Directory.GetFiles(dir.Path));
    }
}
