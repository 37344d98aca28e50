using System.Numerics;
using System.Runtime.InteropServices;
using MaterialsDb.Chemistry;

namespace MaterialsDb.Features.Internal;

/// <summary>
/// Computes minimum, maximum, range, mean, avg_dev and mode of many element properties at once for one composition.
/// </summary>
/// <remarks>
/// <para>The element table is stored row per element (property values contiguous, padded to a whole number of
/// <see cref="Vector{T}"/>), so the SIMD path vectorises across properties and needs no gathers: per element it loads
/// a few vectors and updates all properties' statistics together. The vector width is the runtime's
/// (<c>Vector&lt;double&gt;</c>: 4 lanes with AVX2).</para>
/// <para>Arithmetic is float64 and identical in both paths (same operations in the same order, no fused multiply-add,
/// min/max as compare-and-select), so the SIMD path is bit-identical to the scalar twin; results are narrowed to
/// float32 only when written. A NaN value (strict mode) makes minimum, maximum, range, mean and avg_dev NaN, and mode
/// NaN when one of the tied elements is NaN — as numpy does in matminer.</para>
/// </remarks>
internal sealed class ElementStatisticsKernel
{
    /// <summary>numpy <c>isclose</c> defaults used by matminer's mode to find tied amounts.</summary>
    private const double TieRelative = 1e-5;
    private const double TieAbsolute = 1e-8;

    private readonly double[] _table;

    public ElementStatisticsKernel(ElementPropertySource source, IReadOnlyList<string> properties)
    {
        PropertyCount = properties.Count;
        Stride = (PropertyCount + Vector<double>.Count - 1) / Vector<double>.Count * Vector<double>.Count;
        _table = new double[(PeriodicTable.MaxZ + 1) * Stride];
        for (var p = 0; p < PropertyCount; p++)
        {
            var values = source.Values(properties[p]);
            for (var z = 1; z <= PeriodicTable.MaxZ; z++)
            {
                _table[(z * Stride) + p] = values[z - 1];
            }
        }
    }

    public int PropertyCount { get; }

    /// <summary>Properties per element row, padded to a multiple of the vector width.</summary>
    public int Stride { get; }

    /// <summary>Doubles of scratch the caller provides per call: six statistics × <see cref="Stride"/>.</summary>
    public int ScratchLength => 6 * Stride;

    /// <summary>
    /// Statistics of one composition into <paramref name="stats"/>: six consecutive blocks of <see cref="Stride"/>
    /// values, in <see cref="PropertyStatistic"/> order.
    /// </summary>
    public void Compute(ReadOnlySpan<byte> z, ReadOnlySpan<double> fractions, ReadOnlySpan<double> amounts, Span<double> stats, bool useSimd)
    {
        if (useSimd && Vector.IsHardwareAccelerated)
        {
            ComputeVector(z, fractions, amounts, stats);
        }
        else
        {
            ComputeScalar(z, fractions, amounts, stats);
        }
    }

    /// <summary>The plain scalar twin: the reference the SIMD path is tested against.</summary>
    public void ComputeScalar(ReadOnlySpan<byte> z, ReadOnlySpan<double> fractions, ReadOnlySpan<double> amounts, Span<double> stats)
    {
        var table = _table.AsSpan();
        var tieThreshold = TieThreshold(amounts);
        for (var p = 0; p < Stride; p++)
        {
            var first = table[(z[0] * Stride) + p];
            double min = first, max = first, sum = 0, mode = double.PositiveInfinity;
            bool nan = false, modeNan = false;
            for (var j = 0; j < z.Length; j++)
            {
                var v = table[(z[j] * Stride) + p];
                min = v < min ? v : min;
                max = v > max ? v : max;
                sum += fractions[j] * v;
                nan |= double.IsNaN(v);
                if (amounts[j] >= tieThreshold)
                {
                    mode = v < mode ? v : mode;
                    modeNan |= double.IsNaN(v);
                }
            }

            var dev = 0.0;
            for (var j = 0; j < z.Length; j++)
            {
                dev += fractions[j] * Math.Abs(table[(z[j] * Stride) + p] - sum);
            }

            stats[p] = nan ? double.NaN : min;
            stats[Stride + p] = nan ? double.NaN : max;
            stats[(2 * Stride) + p] = nan ? double.NaN : max - min;
            stats[(3 * Stride) + p] = nan ? double.NaN : sum;
            stats[(4 * Stride) + p] = nan ? double.NaN : dev;
            stats[(5 * Stride) + p] = modeNan ? double.NaN : mode;
        }
    }

    private void ComputeVector(ReadOnlySpan<byte> z, ReadOnlySpan<double> fractions, ReadOnlySpan<double> amounts, Span<double> stats)
    {
        var table = MemoryMarshal.Cast<double, Vector<double>>(_table.AsSpan());
        var output = MemoryMarshal.Cast<double, Vector<double>>(stats);
        var blocks = Stride / Vector<double>.Count;
        var tieThreshold = TieThreshold(amounts);
        var nanVector = new Vector<double>(double.NaN);
        for (var b = 0; b < blocks; b++)
        {
            var first = table[(z[0] * blocks) + b];
            Vector<double> min = first, max = first, sum = Vector<double>.Zero, mode = new(double.PositiveInfinity);
            Vector<long> nan = Vector<long>.Zero, modeNan = Vector<long>.Zero;
            for (var j = 0; j < z.Length; j++)
            {
                var v = table[(z[j] * blocks) + b];
                min = Vector.ConditionalSelect(Vector.LessThan(v, min), v, min);
                max = Vector.ConditionalSelect(Vector.GreaterThan(v, max), v, max);
                sum += new Vector<double>(fractions[j]) * v;
                var isNan = ~Vector.Equals(v, v);
                nan |= isNan;
                if (amounts[j] >= tieThreshold)
                {
                    mode = Vector.ConditionalSelect(Vector.LessThan(v, mode), v, mode);
                    modeNan |= isNan;
                }
            }

            var dev = Vector<double>.Zero;
            for (var j = 0; j < z.Length; j++)
            {
                dev += new Vector<double>(fractions[j]) * Vector.Abs(table[(z[j] * blocks) + b] - sum);
            }

            output[b] = Vector.ConditionalSelect(nan, nanVector, min);
            output[blocks + b] = Vector.ConditionalSelect(nan, nanVector, max);
            output[(2 * blocks) + b] = Vector.ConditionalSelect(nan, nanVector, max - min);
            output[(3 * blocks) + b] = Vector.ConditionalSelect(nan, nanVector, sum);
            output[(4 * blocks) + b] = Vector.ConditionalSelect(nan, nanVector, dev);
            output[(5 * blocks) + b] = Vector.ConditionalSelect(modeNan, nanVector, mode);
        }
    }

    // Amounts at or above this are tied with the largest: numpy's isclose(a, max) with its default tolerances.
    private static double TieThreshold(ReadOnlySpan<double> amounts)
    {
        var largest = amounts[0];
        for (var j = 1; j < amounts.Length; j++)
        {
            largest = Math.Max(largest, amounts[j]);
        }

        return largest - (TieAbsolute + (TieRelative * largest));
    }
}
