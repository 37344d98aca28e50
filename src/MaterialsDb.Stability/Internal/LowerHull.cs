
namespace MaterialsDb.Stability.Internal;

/// <summary>
/// Quickhull in d dimensions, specialised to the lower hull of formation energies over a composition simplex.
/// </summary>
/// <remarks>
/// <para>Points are (x₁ … x_{d−1}, E): the atomic fractions of all elements but the first, and the formation energy.
/// Points 0 … d−1 must be the pure elements at E = 0, point d is a helper point above the simplex (as pymatgen adds to
/// qhull's input); they form the starting simplex, which is therefore never degenerate. Points at or above E = 0 cannot
/// be on the lower hull and are not given to this class.</para>
/// <para>A point counts as outside a facet only when it lies more than <see cref="Tolerance"/> beyond it (unit-normal
/// distance, ≈ eV/atom), so duplicates and points on a facet (coplanar input) never become vertices and never create
/// slivers. The construction visits points in a fixed order, so the result depends only on the input order.</para>
/// </remarks>
internal sealed class LowerHull
{
    /// <summary>Distance beyond which a point is outside a facet.</summary>
    public const double Tolerance = 1e-9;

    private readonly double[][] _points;
    private readonly int _d;
    private readonly double[] _interior;
    private readonly List<Facet> _facets = [];

    private LowerHull(double[][] points, int d)
    {
        _points = points;
        _d = d;
        _interior = new double[d];
        for (var i = 0; i <= d; i++)
        {
            for (var k = 0; k < d; k++)
            {
                _interior[k] += points[i][k] / (d + 1);
            }
        }
    }

    /// <summary>Builds the hull; returns the facets whose outward normal points down (E decreasing), as vertex index arrays.</summary>
    public static IReadOnlyList<int[]> LowerFacets(double[][] points, int d)
    {
        var hull = new LowerHull(points, d);
        hull.Build();
        var helper = d;
        return [.. hull._facets.Where(f => f.Alive && Array.IndexOf(f.Vertices, helper) < 0 && f.Normal[d - 1] < -1e-12).Select(f => f.Vertices)];
    }

    private void Build()
    {
        // Starting simplex: the d elements and the helper point; facet i leaves out vertex i.
        for (var i = 0; i <= _d; i++)
        {
            NewFacet([.. Enumerable.Range(0, _d + 1).Where(v => v != i)]);
        }

        for (var i = 0; i <= _d; i++)
        {
            var facet = _facets[i];
            for (var j = 0; j < _d; j++)
            {
                facet.Neighbors[j] = facet.Vertices[j];
            }
        }

        for (var p = _d + 1; p < _points.Length; p++)
        {
            foreach (var facet in _facets)
            {
                if (Distance(facet, p) > Tolerance)
                {
                    facet.Outside.Add(p);
                    break;
                }
            }
        }

        for (var f = 0; f < _facets.Count; f++)
        {
            while (_facets[f].Alive && _facets[f].Outside.Count > 0)
            {
                AddPoint(_facets[f]);
            }
        }
    }

    private void AddPoint(Facet start)
    {
        var apex = Farthest(start);

        // Facets that see the apex, found by walking neighbours from the one it was assigned to.
        var visible = new List<Facet> { start };
        start.Visited = true;
        for (var i = 0; i < visible.Count; i++)
        {
            foreach (var n in visible[i].Neighbors)
            {
                var neighbor = _facets[n];
                if (!neighbor.Visited && Distance(neighbor, apex) > Tolerance)
                {
                    neighbor.Visited = true;
                    visible.Add(neighbor);
                }
            }
        }

        // Each ridge between a visible and a hidden facet, joined to the apex, is a new facet.
        var created = new List<Facet>();
        var ridges = new Dictionary<string, (Facet Facet, int Slot)>();
        foreach (var facet in visible)
        {
            for (var j = 0; j < _d; j++)
            {
                var hidden = _facets[facet.Neighbors[j]];
                if (hidden.Visited)
                {
                    continue;
                }

                var vertices = new int[_d];
                for (int k = 0, m = 0; k < _d; k++)
                {
                    if (k != j)
                    {
                        vertices[m++] = facet.Vertices[k];
                    }
                }

                vertices[_d - 1] = apex;
                var added = NewFacet(vertices);
                added.Neighbors[_d - 1] = hidden.Index;
                hidden.Neighbors[Array.IndexOf(hidden.Neighbors, facet.Index)] = added.Index;
                created.Add(added);

                // Ridges through the apex: shared with exactly one other new facet.
                for (var k = 0; k < _d - 1; k++)
                {
                    var key = RidgeKey(vertices, k);
                    if (ridges.Remove(key, out var other))
                    {
                        added.Neighbors[k] = other.Facet.Index;
                        other.Facet.Neighbors[other.Slot] = added.Index;
                    }
                    else
                    {
                        ridges[key] = (added, k);
                    }
                }
            }
        }

        if (ridges.Count > 0)
        {
            throw new InvalidOperationException($"Hull construction lost track of {ridges.Count} ridge(s); the input is numerically degenerate beyond the tolerance {Tolerance}.");
        }

        foreach (var facet in visible)
        {
            facet.Alive = false;
            foreach (var p in facet.Outside)
            {
                if (p == apex)
                {
                    continue;
                }

                foreach (var added in created)
                {
                    if (Distance(added, p) > Tolerance)
                    {
                        added.Outside.Add(p);
                        break;
                    }
                }
            }

            facet.Outside.Clear();
        }
    }

    private int Farthest(Facet facet)
    {
        var best = facet.Outside[0];
        var bestDistance = Distance(facet, best);
        foreach (var p in facet.Outside)
        {
            var distance = Distance(facet, p);
            if (distance > bestDistance)
            {
                (best, bestDistance) = (p, distance);
            }
        }

        return best;
    }

    private string RidgeKey(int[] vertices, int skip)
    {
        var ridge = new int[_d - 2];
        for (int k = 0, m = 0; k < _d - 1; k++)
        {
            if (k != skip)
            {
                ridge[m++] = vertices[k];
            }
        }

        Array.Sort(ridge);
        return string.Join(',', ridge);
    }

    private double Distance(Facet facet, int p)
    {
        var point = _points[p];
        var sum = -facet.Offset;
        for (var k = 0; k < _d; k++)
        {
            sum += facet.Normal[k] * point[k];
        }

        return sum;
    }

    // The unit normal spans the null space of the facet's (d−1) × d edge matrix, oriented away from the interior point.
    // It is computed here by a small in-place elimination rather than through MathNet: this runs for every facet the
    // construction creates (tens of thousands for an 8-element system), and per-call matrix allocations made it the
    // dominant cost (1.3 s for a 9-element hull, against milliseconds now).
    private Facet NewFacet(int[] vertices)
    {
        var origin = _points[vertices[0]];
        var normal = new double[_d];
        if (_d == 1)
        {
            normal[0] = 1;
        }
        else
        {
            Span<double> edges = stackalloc double[(_d - 1) * _d];
            for (var i = 0; i < _d - 1; i++)
            {
                var p = _points[vertices[i + 1]];
                for (var k = 0; k < _d; k++)
                {
                    edges[(i * _d) + k] = p[k] - origin[k];
                }
            }

            if (!NullVector(edges, _d - 1, _d, normal))
            {
                throw new InvalidOperationException("A hull facet is degenerate (its vertices are affinely dependent).");
            }
        }

        var length = Math.Sqrt(normal.Sum(v => v * v));
        var offset = 0.0;
        var side = 0.0;
        for (var k = 0; k < _d; k++)
        {
            normal[k] /= length;
            offset += normal[k] * origin[k];
            side += normal[k] * _interior[k];
        }

        if (side - offset > 0)
        {
            for (var k = 0; k < _d; k++)
            {
                normal[k] = -normal[k];
            }

            offset = -offset;
        }

        var facet = new Facet(_facets.Count, vertices, normal, offset, new int[_d]);
        _facets.Add(facet);
        return facet;
    }

    /// <summary>A non-zero n with A n = 0 for a rows × (rows + 1) matrix A of full rank (Gaussian elimination, partial pivoting).</summary>
    private static bool NullVector(Span<double> a, int rows, int cols, Span<double> n)
    {
        Span<int> pivotColumn = stackalloc int[rows];
        var r = 0;
        for (var c = 0; c < cols && r < rows; c++)
        {
            var pivot = r;
            for (var i = r + 1; i < rows; i++)
            {
                if (Math.Abs(a[(i * cols) + c]) > Math.Abs(a[(pivot * cols) + c]))
                {
                    pivot = i;
                }
            }

            if (Math.Abs(a[(pivot * cols) + c]) < 1e-13)
            {
                continue;
            }

            if (pivot != r)
            {
                for (var k = 0; k < cols; k++)
                {
                    (a[(r * cols) + k], a[(pivot * cols) + k]) = (a[(pivot * cols) + k], a[(r * cols) + k]);
                }
            }

            for (var i = r + 1; i < rows; i++)
            {
                var factor = a[(i * cols) + c] / a[(r * cols) + c];
                for (var k = c; k < cols; k++)
                {
                    a[(i * cols) + k] -= factor * a[(r * cols) + k];
                }
            }

            pivotColumn[r++] = c;
        }

        if (r < rows)
        {
            return false;
        }

        // Exactly one column has no pivot: set its component to 1 and back-substitute the others.
        n.Clear();
        var free = cols - 1;
        for (var i = 0; i < rows; i++)
        {
            if (pivotColumn[i] != i)
            {
                free = i;
                break;
            }
        }

        n[free] = 1;
        for (var i = rows - 1; i >= 0; i--)
        {
            var c = pivotColumn[i];
            var sum = 0.0;
            for (var k = c + 1; k < cols; k++)
            {
                sum += a[(i * cols) + k] * n[k];
            }

            n[c] = -sum / a[(i * cols) + c];
        }

        return true;
    }

    private sealed class Facet(int index, int[] vertices, double[] normal, double offset, int[] neighbors)
    {
        public int Index { get; } = index;

        public int[] Vertices { get; } = vertices;

        public double[] Normal { get; } = normal;

        public double Offset { get; } = offset;

        /// <summary>Neighbors[j] shares every vertex but Vertices[j].</summary>
        public int[] Neighbors { get; } = neighbors;

        public List<int> Outside { get; } = [];

        public bool Alive { get; set; } = true;

        public bool Visited { get; set; }
    }
}
