namespace MaterialsDb.Design.Acquisition;

/// <summary>
/// Two-objective hypervolume (both maximised) above a reference point, and the expected hypervolume improvement of
/// a Gaussian prediction, by Monte Carlo with draws shared by every candidate (so candidates are compared on the same
/// draws and the result is deterministic).
/// </summary>
public sealed class Hypervolume
{
    private readonly double[] _x;
    private readonly double[] _y;
    private readonly double _rx;
    private readonly double _ry;

    /// <summary>The Pareto front of <paramref name="points"/> above the reference (<paramref name="rx"/>, <paramref name="ry"/>).</summary>
    public Hypervolume(IEnumerable<(double X, double Y)> points, double rx, double ry)
    {
        ArgumentNullException.ThrowIfNull(points);
        (_rx, _ry) = (rx, ry);
        // Sorted by x descending, the front's y rises strictly.
        var front = new List<(double X, double Y)>();
        foreach (var p in points.Where(p => p.X > rx && p.Y > ry).OrderByDescending(p => p.X).ThenByDescending(p => p.Y))
        {
            if (front.Count == 0 || p.Y > front[^1].Y)
            {
                front.Add(p);
            }
        }

        _x = [.. front.Select(p => p.X)];
        _y = [.. front.Select(p => p.Y)];
        double volume = 0, previous = ry;
        for (var i = 0; i < _x.Length; i++)
        {
            volume += (_x[i] - rx) * (_y[i] - previous);
            previous = _y[i];
        }

        Volume = volume;
    }

    /// <summary>Points on the front.</summary>
    public int FrontSize => _x.Length;

    /// <summary>The front's hypervolume.</summary>
    public double Volume { get; }

    /// <summary>How much the hypervolume grows when (<paramref name="x"/>, <paramref name="y"/>) joins the front.</summary>
    public double Improvement(double x, double y)
    {
        if (x <= _rx || y <= _ry)
        {
            return 0;
        }

        // The box between the reference and the point, minus the part of it the front already dominates. The front
        // clipped to the box stays sorted (x descending, y non-decreasing), so its area is one sweep.
        double covered = 0, previousY = _ry;
        for (var i = 0; i < _x.Length; i++)
        {
            var cx = Math.Min(_x[i], x);
            var cy = Math.Min(_y[i], y);
            if (cy > previousY)
            {
                covered += (cx - _rx) * (cy - previousY);
                previousY = cy;
            }
        }

        return Math.Max(0, ((x - _rx) * (y - _ry)) - covered);
    }

    /// <summary>E[improvement] over <paramref name="draws"/> pairs of standard normal draws (x then y).</summary>
    public double ExpectedImprovement(double mx, double sx, double my, double sy, ReadOnlySpan<double> draws, Func<int, double, double> utility)
    {
        ArgumentNullException.ThrowIfNull(utility);
        double sum = 0;
        var n = draws.Length / 2;
        for (var s = 0; s < n; s++)
        {
            sum += Improvement(utility(0, mx + (sx * draws[2 * s])), utility(1, my + (sy * draws[(2 * s) + 1])));
        }

        return sum / n;
    }
}
