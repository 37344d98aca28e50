using System.CommandLine;
using MaterialsDb.Data.Tables;

namespace MaterialsDb.Cli.Commands;

/// <summary><c>--compression</c> for the commands that write a Parquet file of rows.</summary>
internal static class CompressionOption
{
    public static Option<string> Create()
    {
        var option = new Option<string>("--compression")
        {
            Description = "Parquet page compression: snappy (default; read everywhere), none (fastest to write, about 2.5× larger for features), lz4, zstd (smallest, slower), gzip.",
            DefaultValueFactory = _ => "snappy",
        };
        option.AcceptOnlyFromAmong([.. ParquetCompressions.Names]);
        return option;
    }

    public static ParquetCompression Value(ParseResult parse, Option<string> option) => ParquetCompressions.Parse(parse.GetValue(option)!);
}
