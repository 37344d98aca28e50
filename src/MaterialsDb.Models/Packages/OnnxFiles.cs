using System.IO.Compression;

namespace MaterialsDb.Models.Packages;

/// <summary>ONNX files in a package may be stored gzipped (<c>*.onnx.gz</c>); they are inflated in memory when loaded.</summary>
public static class OnnxFiles
{
    /// <summary>Whether the package file is gzipped, by its name.</summary>
    public static bool IsCompressed(string path) => path.EndsWith(".gz", StringComparison.OrdinalIgnoreCase);

    /// <summary>Gzips ONNX bytes; the same input always gives the same bytes (no timestamp is written).</summary>
    public static byte[] Compress(byte[] onnx)
    {
        using var buffer = new MemoryStream();
        using (var gzip = new GZipStream(buffer, CompressionLevel.SmallestSize, leaveOpen: true))
        {
            gzip.Write(onnx);
        }

        return buffer.ToArray();
    }

    /// <summary>Inflates a gzipped ONNX file's bytes.</summary>
    /// <exception cref="InvalidDataException">Not gzip data.</exception>
    public static byte[] Decompress(byte[] packed)
    {
        using var input = new GZipStream(new MemoryStream(packed), CompressionMode.Decompress);
        using var output = new MemoryStream();
        input.CopyTo(output);
        return output.ToArray();
    }
}
