namespace MaterialsDb.Stability.Internal;

/// <summary>
/// Quickhull in d dimensions, specialised to the lower hull of formation energies over a composition simplex.
/// </summary>
/// <remarks>
/// <para>Points are (x₁ … x_{d−1}, E): the atomic fractions of all elements but the first, and the formation energy.
/// Points 0 … d−1 must be the pure elements at E = 0 and point d a helper above the simplex (only its position is used,
/// to orient facets away from the inside); the elements' simplex at E = 0 is the first facet. Points at or above E = 0
/// cannot be on the lower hull and are not given to this class.</para>
/// <para>Only the lower hull is built: it ends at the simplex's faces, where a ridge whose points all lack one element
/// has no neighbour. A full hull (qhull's, with pymatgen's helper point on top) also builds the facets that close it
/// from the faces up to the helper — one per facet of each face's own hull, 85–93 % of all facets of a 7- to
/// 9-element system — which no query ever uses. Whether a set of points lies in a face is read from which elements they
/// contain, exactly, not from coordinates.</para>
/// <para>A point counts as outside a facet only when it lies more than <see cref="Tolerance"/> beyond it (unit-normal
/// distance, ≈ eV/atom), so duplicates and points on a facet (coplanar input) never become vertices and never create
/// slivers. The construction visits points in a fixed order, so the result depends only on the input order.</para>
/// </remarks>
internal sealed class LowerHull
{
    /// <summary>Distance beyond which a point is outside a facet.</summary>
    public const double Tolerance = 1e-9;

    private const int None = -1;
    private const int Removed = -2;

    // One workspace per thread, kept between hulls (a whole database builds hundreds of thousands of small ones, and
    // renting and returning a dozen arrays each cost more than building them); one grown beyond KeptBytes is dropped.
    [ThreadStatic]
    private static LowerHull? Workspace;
    private const long KeptBytes = 4 << 20;

    private int _d;
    private double[] _coords = [];
    // Per point, a bit per element of the system it contains (exact: from the composition, not the fractions).
    private ulong[] _present = [];
    private ulong _allPresent;
    private double[] _interior = [];

    // The facets, one row of d per facet in flat arrays (a high-dimensional hull creates tens of thousands; an object
    // with four arrays each was the largest share of a whole-database build's allocations). Neighbors[f, j] shares
    // every vertex of f but Vertices[f, j], or is None where that ridge lies on a face of the simplex.
    private int _count;
    private int _capacity;
    private int[] _vertices = [];
    private int[] _neighbors = [];
    private double[] _normals = [];
    private double[] _offsets = [];
    private bool[] _alive = [];
    private bool[] _visited = [];

    // Each facet's outside points as a list threaded through _next (a point is outside one facet at a time), kept
    // in insertion order so that ties between equally far points fall as they always did.
    private int[] _head = [];
    private int[] _tail = [];
    private int[] _next = [];

    // Scratch of AddPoint, reused: a high-dimensional hull adds thousands of points.
    private readonly List<int> _visible = [];
    private readonly List<int> _created = [];

    // Ridges through the apex waiting for their second facet, in an open-addressing table keyed by the sum of their
    // vertices' random labels: the sum does not depend on the order, so a ridge's key is its facet's sum minus one
    // label, without sorting (sorting and hashing vertex lists was a fifth of a whole-database build). Keys only
    // place a ridge; a match is confirmed vertex by vertex, so two ridges whose keys collide are still told apart.
    // Slots are cleared after each added point (the ridges of one cone all pair up within it).
    private ulong[] _ridgeKeys = new ulong[64];
    private int[] _ridgeFacets = CreateEmptySlots(64);
    private int[] _ridgeSlots = new int[64];
    private readonly List<int> _usedRidgeSlots = [];
    private int _pendingRidges;

    // Starts a hull of `points` rows of d in coords (borrowed: the caller owns and reuses it).
    private void Reset(double[] coords, ulong[] present, int points, int d)
    {
        _d = d;
        _coords = coords;
        _present = present;
        _allPresent = d == 64 ? ulong.MaxValue : (1UL << d) - 1;
        if (_interior.Length < d)
        {
            _interior = new double[d];
        }

        _interior.AsSpan(0, d).Clear();
        for (var i = 0; i <= d; i++)
        {
            for (var k = 0; k < d; k++)
            {
                _interior[k] += coords[(i * d) + k] / (d + 1);
            }
        }

        if (_next.Length < points)
        {
            _next = new int[Math.Max(points, 2 * _next.Length)];
        }

        _count = 0;
        _pendingRidges = 0;
        _capacity = Math.Min(_offsets.Length, _vertices.Length / d);
        if (_capacity < 4 * (d + 1))
        {
            Grow(4 * (d + 1));
        }
    }

    private long Footprint =>
        (_next.Length * 4L) + (_vertices.Length * 8L) + (_normals.Length * 8L) + (_offsets.Length * 18L) + (_ridgeKeys.Length * 16L);

    /// <summary>
    /// Builds the lower hull of the first <paramref name="points"/> rows of <paramref name="coords"/> (d per point;
    /// <paramref name="present"/>: per point, a bit per element it contains); returns its facets, d vertex indices per
    /// facet in one array.
    /// </summary>
    public static int[] LowerFacets(double[] coords, ulong[] present, int points, int d)
    {
        if (d > 64)
        {
            throw new ArgumentException($"A hull of {d} elements is beyond what this construction handles (64).", nameof(d));
        }

        var hull = Workspace ?? new LowerHull();
        Workspace = null;
        hull.Reset(coords, present, points, d);
        var done = false;
        try
        {
            hull.Build(points);
            var lower = 0;
            for (var f = 0; f < hull._count; f++)
            {
                if (hull.IsLower(f))
                {
                    lower++;
                }
            }

            var facets = new int[lower * d];
            for (int f = 0, i = 0; f < hull._count; f++)
            {
                if (hull.IsLower(f))
                {
                    hull._vertices.AsSpan(f * d, d).CopyTo(facets.AsSpan(i++ * d, d));
                }
            }

            done = true;
            return facets;
        }
        finally
        {
            // After a failure its ridge table may hold leftovers; a finished build leaves it clear.
            if (done && hull.Footprint <= KeptBytes)
            {
                Workspace = hull;
            }
        }
    }

    private bool IsLower(int f) => _alive[f] && _normals[(f * _d) + _d - 1] < -1e-12;

    private void Build(int points)
    {
        // The first facet: the elements' simplex at E = 0, every ridge of it on the domain's boundary.
        Span<int> vertices = stackalloc int[_d];
        for (var v = 0; v < _d; v++)
        {
            vertices[v] = v;
        }

        var first = NewFacet(vertices);
        _neighbors.AsSpan(first * _d, _d).Fill(None);

        for (var p = _d + 1; p < points; p++)
        {
            for (var f = 0; f < _count; f++)
            {
                if (Distance(f, p) > Tolerance)
                {
                    Append(f, p);
                    break;
                }
            }
        }

        for (var f = 0; f < _count; f++)
        {
            while (_alive[f] && _head[f] != None)
            {
                AddPoint(f);
            }
        }
    }

    private void AddPoint(int start)
    {
        var d = _d;
        var apex = Farthest(start);

        // Facets that see the apex, found by walking neighbours from the one it was assigned to.
        var visible = _visible;
        visible.Clear();
        visible.Add(start);
        _visited[start] = true;
        for (var i = 0; i < visible.Count; i++)
        {
            var f = visible[i];
            for (var j = 0; j < d; j++)
            {
                var neighbor = _neighbors[(f * d) + j];
                if (neighbor != None && !_visited[neighbor] && Distance(neighbor, apex) > Tolerance)
                {
                    _visited[neighbor] = true;
                    visible.Add(neighbor);
                }
            }
        }

        // Each ridge between a visible and a hidden facet, joined to the apex, is a new facet.
        var created = _created;
        created.Clear();
        Span<int> vertices = stackalloc int[d];
        foreach (var facet in visible)
        {
            for (var j = 0; j < d; j++)
            {
                var hidden = _neighbors[(facet * d) + j];
                if (hidden != None && _visited[hidden])
                {
                    continue;
                }

                for (int k = 0, m = 0; k < d; k++)
                {
                    if (k != j)
                    {
                        vertices[m++] = _vertices[(facet * d) + k];
                    }
                }

                vertices[d - 1] = apex;

                // A boundary ridge that shares a face of the simplex with the apex spans nothing with it.
                if (hidden == None && InOneFace(vertices, skip: None))
                {
                    continue;
                }

                var added = NewFacet(vertices);
                _neighbors[(added * d) + d - 1] = hidden;
                if (hidden != None)
                {
                    var back = _neighbors.AsSpan(hidden * d, d);
                    back[back.IndexOf(facet)] = added;
                }

                created.Add(added);

                // Ridges through the apex: on the boundary, or shared with exactly one other new facet.
                ulong sum = 0;
                for (var k = 0; k < d - 1; k++)
                {
                    sum += Label(vertices[k]);
                }

                for (var k = 0; k < d - 1; k++)
                {
                    if (InOneFace(vertices, skip: k))
                    {
                        _neighbors[(added * d) + k] = None;
                    }
                    else
                    {
                        PairRidge(sum - Label(vertices[k]), added, k);
                    }
                }
            }
        }

        if (_pendingRidges > 0)
        {
            throw new InvalidOperationException($"Hull construction lost track of {_pendingRidges} ridge(s); the input is numerically degenerate beyond the tolerance {Tolerance}.");
        }

        foreach (var slot in _usedRidgeSlots)
        {
            _ridgeFacets[slot] = None;
        }

        _usedRidgeSlots.Clear();

        foreach (var facet in visible)
        {
            _alive[facet] = false;
            for (var p = _head[facet]; p != None;)
            {
                // Read before p moves to a new facet's list, which rewrites its link.
                var following = _next[p];
                if (p != apex)
                {
                    foreach (var added in created)
                    {
                        if (Distance(added, p) > Tolerance)
                        {
                            Append(added, p);
                            break;
                        }
                    }
                }

                p = following;
            }

            _head[facet] = _tail[facet] = None;
        }
    }

    // True when the vertices (but vertices[skip]) all lack one element: they lie in a face of the simplex, where the
    // lower hull ends.
    private bool InOneFace(ReadOnlySpan<int> vertices, int skip)
    {
        ulong present = 0;
        for (var i = 0; i < vertices.Length; i++)
        {
            if (i != skip)
            {
                present |= _present[vertices[i]];
            }
        }

        return present != _allPresent;
    }

    // Appends point p to facet f's outside list.
    private void Append(int f, int p)
    {
        _next[p] = None;
        if (_tail[f] == None)
        {
            _head[f] = p;
        }
        else
        {
            _next[_tail[f]] = p;
        }

        _tail[f] = p;
    }

    private int Farthest(int facet)
    {
        var best = _head[facet];
        var bestDistance = Distance(facet, best);
        for (var p = _next[best]; p != None; p = _next[p])
        {
            var distance = Distance(facet, p);
            if (distance > bestDistance)
            {
                (best, bestDistance) = (p, distance);
            }
        }

        return best;
    }

    // Links new facet `added` across its ridge without vertices[skip] to the new facet already waiting there, or
    // leaves it waiting. Linear probing; a taken slot stays taken (Removed) until the table is cleared, which keeps
    // probe chains intact without moving entries.
    private void PairRidge(ulong key, int added, int skip)
    {
        if (2 * (_usedRidgeSlots.Count + 1) > _ridgeFacets.Length)
        {
            GrowRidges();
        }

        var mask = _ridgeFacets.Length - 1;
        var i = (int)(key & (ulong)mask);
        while (_ridgeFacets[i] != None)
        {
            var other = _ridgeFacets[i];
            if (other != Removed && _ridgeKeys[i] == key && SameRidge(added, skip, other, _ridgeSlots[i]))
            {
                var d = _d;
                _neighbors[(added * d) + skip] = other;
                _neighbors[(other * d) + _ridgeSlots[i]] = added;
                _ridgeFacets[i] = Removed;
                _pendingRidges--;
                return;
            }

            i = (i + 1) & mask;
        }

        _ridgeKeys[i] = key;
        _ridgeFacets[i] = added;
        _ridgeSlots[i] = skip;
        _usedRidgeSlots.Add(i);
        _pendingRidges++;
    }

    // Doubles the table, placing the entries of the current cone again (Removed ones are dropped).
    private void GrowRidges()
    {
        var keys = _ridgeKeys;
        var facets = _ridgeFacets;
        var slots = _ridgeSlots;
        var used = _usedRidgeSlots.ToArray();
        _ridgeKeys = new ulong[2 * keys.Length];
        _ridgeFacets = CreateEmptySlots(2 * keys.Length);
        _ridgeSlots = new int[2 * keys.Length];
        _usedRidgeSlots.Clear();
        var mask = _ridgeFacets.Length - 1;
        foreach (var old in used)
        {
            if (facets[old] == Removed)
            {
                continue;
            }

            var i = (int)(keys[old] & (ulong)mask);
            while (_ridgeFacets[i] != None)
            {
                i = (i + 1) & mask;
            }

            _ridgeKeys[i] = keys[old];
            _ridgeFacets[i] = facets[old];
            _ridgeSlots[i] = slots[old];
            _usedRidgeSlots.Add(i);
        }
    }

    private static int[] CreateEmptySlots(int length)
    {
        var slots = new int[length];
        Array.Fill(slots, None);
        return slots;
    }

    // A fixed pseudo-random 64-bit label per point (SplitMix64 of its index), so builds are reproducible.
    private static ulong Label(int point)
    {
        var z = (ulong)(point + 1) * 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    // True when facet a without its vertex a[skipA] and facet b without b[skipB] have the same vertices (apart from
    // the apex, which both hold last).
    private bool SameRidge(int a, int skipA, int b, int skipB)
    {
        var d = _d;
        for (var i = 0; i < d - 1; i++)
        {
            if (i == skipA)
            {
                continue;
            }

            var v = _vertices[(a * d) + i];
            var found = false;
            for (var j = 0; j < d - 1 && !found; j++)
            {
                found = j != skipB && _vertices[(b * d) + j] == v;
            }

            if (!found)
            {
                return false;
            }
        }

        return true;
    }

    private double Distance(int facet, int p)
    {
        var normal = _normals.AsSpan(facet * _d, _d);
        var point = _coords.AsSpan(p * _d, _d);
        var sum = -_offsets[facet];
        for (var k = 0; k < normal.Length; k++)
        {
            sum += normal[k] * point[k];
        }

        return sum;
    }

    // The unit normal spans the null space of the facet's (d−1) × d edge matrix, oriented away from the interior point.
    // It is computed here by a small in-place elimination rather than through MathNet: this runs for every facet the
    // construction creates (tens of thousands for an 8-element system), and per-call matrix allocations made it the
    // dominant cost (1.3 s for a 9-element hull, against milliseconds now).
    private int NewFacet(ReadOnlySpan<int> vertices)
    {
        var d = _d;
        var f = _count;
        if (f == _capacity)
        {
            Grow();
        }

        _count++;
        vertices.CopyTo(_vertices.AsSpan(f * d, d));
        var origin = _coords.AsSpan(vertices[0] * d, d);
        var normal = _normals.AsSpan(f * d, d);
        if (d == 1)
        {
            normal[0] = 1;
        }
        else
        {
            Span<double> edges = stackalloc double[(d - 1) * d];
            for (var i = 0; i < d - 1; i++)
            {
                var p = _coords.AsSpan(vertices[i + 1] * d, d);
                for (var k = 0; k < d; k++)
                {
                    edges[(i * d) + k] = p[k] - origin[k];
                }
            }

            if (!NullVector(edges, d - 1, d, normal))
            {
                throw new InvalidOperationException("A hull facet is degenerate (its vertices are affinely dependent).");
            }
        }

        var squares = 0.0;
        foreach (var v in normal)
        {
            squares += v * v;
        }

        var length = Math.Sqrt(squares);
        var offset = 0.0;
        var side = 0.0;
        for (var k = 0; k < d; k++)
        {
            normal[k] /= length;
            offset += normal[k] * origin[k];
            side += normal[k] * _interior[k];
        }

        if (side - offset > 0)
        {
            for (var k = 0; k < d; k++)
            {
                normal[k] = -normal[k];
            }

            offset = -offset;
        }

        _offsets[f] = offset;
        _alive[f] = true;
        _visited[f] = false;
        _head[f] = _tail[f] = None;
        return f;
    }

    // Doubles the facet arrays (capacity counted in facets, _offsets' rows), keeping the facets made so far.
    private void Grow() => Grow(2 * _count);

    private void Grow(int capacity)
    {
        _capacity = capacity;
        Grow(ref _vertices, capacity * _d, _count * _d);
        Grow(ref _neighbors, capacity * _d, _count * _d);
        Grow(ref _normals, capacity * _d, _count * _d);
        Grow(ref _offsets, capacity, _count);
        Grow(ref _alive, capacity, _count);
        Grow(ref _visited, capacity, _count);
        Grow(ref _head, capacity, _count);
        Grow(ref _tail, capacity, _count);
    }

    private static void Grow<T>(ref T[] array, int length, int used)
    {
        if (array.Length >= length)
        {
            return;
        }

        var larger = new T[length];
        array.AsSpan(0, used).CopyTo(larger);
        array = larger;
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
}
