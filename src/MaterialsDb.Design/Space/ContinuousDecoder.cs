using MaterialsDb.Chemistry;
using MaterialsDb.Design.Spec;

namespace MaterialsDb.Design.Space;

/// <summary>
/// Turns a point of a continuous space's box (one fraction per non-balance element, in the spec's basis) into a
/// composition: snapped to the step, at most <see cref="ContinuousSpace.MaxElements"/> elements, the balance element
/// taking the rest, and converted from weight to atomic fractions when the basis is weight.
/// </summary>
public sealed class ContinuousDecoder
{
    private readonly ContinuousSpace _space;
    private readonly double[] _mass;

    /// <summary>A decoder of <paramref name="space"/>.</summary>
    public ContinuousDecoder(ContinuousSpace space)
    {
        ArgumentNullException.ThrowIfNull(space);
        _space = space;
        Elements = [.. space.Elements.Select(e => (byte)e.Z).Append((byte)space.Balance)];
        _mass = [.. Elements.Select(z => PeriodicTable.FromZ(z).AtomicMassU)];
    }

    /// <summary>The free elements, then the balance element: the order of <see cref="Decode"/>'s outputs.</summary>
    public byte[] Elements { get; }

    /// <summary>Dimensions of the search box (the free elements).</summary>
    public int Dimensions => _space.Elements.Count;

    /// <summary>Lower corner of the search box.</summary>
    public double Low(int d) => _space.Elements[d].Min;

    /// <summary>Upper corner of the search box.</summary>
    public double High(int d) => _space.Elements[d].Max;

    /// <summary>
    /// Decodes <paramref name="point"/>: <paramref name="basis"/> receives the fractions in the spec's basis and
    /// <paramref name="atomic"/> the atomic fractions, both in <see cref="Elements"/> order (zeros for absent elements).
    /// </summary>
    /// <returns>False when no composition of the space is near the point (the balance falls outside its range).</returns>
    public bool Decode(ReadOnlySpan<double> point, Span<double> basis, Span<double> atomic)
    {
        var n = Dimensions;
        var step = _space.Step;
        for (var d = 0; d < n; d++)
        {
            var (lo, hi) = (_space.Elements[d].Min, _space.Elements[d].Max);
            var x = Math.Clamp(point[d], lo, hi);
            if (step > 0)
            {
                x = Math.Clamp(Math.Round(x / step) * step, lo, hi);
            }

            basis[d] = x < 1e-12 ? 0 : x;
        }

        // Too many elements: keep those with a minimum above zero, then the largest, and drop the rest.
        var present = 0;
        for (var d = 0; d < n; d++)
        {
            present += basis[d] > 0 ? 1 : 0;
        }

        while (present > _space.MaxElements - 1)
        {
            var smallest = -1;
            for (var d = 0; d < n; d++)
            {
                if (basis[d] > 0 && _space.Elements[d].Min == 0 && (smallest < 0 || basis[d] < basis[smallest]))
                {
                    smallest = d;
                }
            }

            if (smallest < 0)
            {
                return false;
            }

            basis[smallest] = 0;
            present--;
        }

        double sum = 0;
        for (var d = 0; d < n; d++)
        {
            sum += basis[d];
        }

        var balance = 1 - sum;
        if (balance < _space.BalanceRange.Min - 1e-12)
        {
            // Too much alloying: take the excess back from every element in proportion to what it has above its minimum.
            var excess = _space.BalanceRange.Min - balance;
            double room = 0;
            for (var d = 0; d < n; d++)
            {
                room += basis[d] - _space.Elements[d].Min;
            }

            if (room < excess - 1e-12)
            {
                return false;
            }

            sum = 0;
            for (var d = 0; d < n; d++)
            {
                var lo = _space.Elements[d].Min;
                var x = basis[d] - ((basis[d] - lo) * excess / room);
                if (step > 0)
                {
                    x = Math.Max(lo, Math.Floor((x / step) + 1e-9) * step);
                }

                basis[d] = x < 1e-12 ? 0 : x;
                sum += basis[d];
            }

            balance = 1 - sum;
        }

        if (balance > _space.BalanceRange.Max + 1e-12 || balance < _space.BalanceRange.Min - 1e-12)
        {
            return false;
        }

        basis[n] = Math.Max(0, balance);
        double total = 0;
        for (var d = 0; d <= n; d++)
        {
            atomic[d] = _space.WeightBasis ? basis[d] / _mass[d] : basis[d];
            total += atomic[d];
        }

        for (var d = 0; d <= n; d++)
        {
            atomic[d] /= total;
        }

        return true;
    }

    /// <summary>The formula of atomic fractions (elements present only, six decimals), e.g. <c>Fe0.71Cr0.18Ni0.11</c>.</summary>
    public string Formula(ReadOnlySpan<double> atomic)
    {
        var sb = new System.Text.StringBuilder();
        for (var d = 0; d < Elements.Length; d++)
        {
            var f = Math.Round(atomic[d], CompositionKey.Decimals);
            if (f > 0)
            {
                sb.Append(PeriodicTable.FromZ(Elements[d]).Symbol);
                sb.Append(f.ToString("0.######", System.Globalization.CultureInfo.InvariantCulture));
            }
        }

        return sb.ToString();
    }
}
