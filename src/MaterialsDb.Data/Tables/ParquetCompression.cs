using Parquet;

namespace MaterialsDb.Data.Tables;

/// <summary>
/// How a Parquet file's pages are compressed. Snappy is the default: the most widely read. Measured end to end on
/// 1,000,000 rows of 132 float32 features (docs/benchmarks.md): none writes a quarter faster into a 2.5× larger file;
/// LZ4 is a little slower than Snappy for the same size; Zstd a quarter slower for a 1.4× smaller file.
/// </summary>
public enum ParquetCompression
{
    /// <summary>Snappy (the default).</summary>
    Snappy,

    /// <summary>No compression.</summary>
    None,

    /// <summary>LZ4 (Parquet's <c>LZ4_RAW</c>).</summary>
    Lz4,

    /// <summary>Zstandard.</summary>
    Zstd,

    /// <summary>Gzip.</summary>
    Gzip,
}

/// <summary>Maps <see cref="ParquetCompression"/> to Parquet.Net's options.</summary>
public static class ParquetCompressions
{
    /// <summary>The names a command line accepts, in the enum's order.</summary>
    public static IReadOnlyList<string> Names { get; } = [.. Enum.GetNames<ParquetCompression>().Select(n => n.ToLowerInvariant())];

    /// <summary>Parquet.Net's writer options for <paramref name="compression"/>.</summary>
    /// <remarks>
    /// LZ4, Zstd and Gzip take their fastest level: at Parquet.Net's default (<c>Optimal</c>) LZ4 and Zstd wrote
    /// 1,000,000 rows of features in 200–260 s instead of about 2 s.
    /// </remarks>
    public static ParquetOptions Options(ParquetCompression compression) => new()
    {
        CompressionLevel = compression is ParquetCompression.Lz4 or ParquetCompression.Zstd or ParquetCompression.Gzip
            ? System.IO.Compression.CompressionLevel.Fastest
            : new ParquetOptions().CompressionLevel,
        CompressionMethod = compression switch
        {
            ParquetCompression.Snappy => CompressionMethod.Snappy,
            ParquetCompression.None => CompressionMethod.None,
            ParquetCompression.Lz4 => CompressionMethod.Lz4Raw,
            ParquetCompression.Zstd => CompressionMethod.Zstd,
            ParquetCompression.Gzip => CompressionMethod.Gzip,
            _ => throw new ArgumentOutOfRangeException(nameof(compression), compression, "not a compression"),
        },
    };

    /// <summary>Parses a name of <see cref="Names"/> (any case).</summary>
    /// <exception cref="InvalidOptionException">Not one of them.</exception>
    public static ParquetCompression Parse(string name) =>
        Enum.TryParse<ParquetCompression>(name, ignoreCase: true, out var c) && Enum.IsDefined(c) && !int.TryParse(name, out _)
            ? c
            : throw new InvalidOptionException($"--compression '{name}' is not one of {string.Join(", ", Names)}.");
}
