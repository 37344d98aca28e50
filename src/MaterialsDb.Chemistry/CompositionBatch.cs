namespace MaterialsDb.Chemistry;

/// <summary>
/// Many compositions in structure-of-arrays form: one flat array of atomic numbers, one of amounts and one of
/// atomic fractions, with row offsets. Adding a row allocates nothing once the arrays have grown to size.
/// </summary>
/// <remarks>
/// Row <c>i</c> holds entries <c>RowOffsets[i] .. RowOffsets[i + 1] - 1</c>, sorted by atomic number. A row may be
/// empty (see <see cref="AddEmpty"/>) to keep alignment with an input file whose line failed to parse.
/// Not thread-safe for writing; any number of threads may read a batch that is no longer written.
/// </remarks>
public sealed class CompositionBatch
{
    private int[] _rowOffsets;
    private double[] _numAtoms;
    private byte[] _z;
    private double[] _amounts;
    private double[] _fractions;

    /// <summary>Creates an empty batch sized for <paramref name="rowCapacity"/> rows of about four elements.</summary>
    public CompositionBatch(int rowCapacity = 1024)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(rowCapacity);
        _rowOffsets = new int[rowCapacity + 1];
        _numAtoms = new double[rowCapacity];
        var entries = Math.Max(rowCapacity * 4, FormulaParser.MaxDistinctElements);
        _z = new byte[entries];
        _amounts = new double[entries];
        _fractions = new double[entries];
    }

    /// <summary>Number of rows.</summary>
    public int Count { get; private set; }

    /// <summary>Number of (element, amount) entries over all rows.</summary>
    public int EntryCount => _rowOffsets[Count];

    /// <summary><see cref="Count"/> + 1 offsets into the entry arrays.</summary>
    public ReadOnlySpan<int> RowOffsets => _rowOffsets.AsSpan(0, Count + 1);

    /// <summary>Atomic numbers of every entry.</summary>
    public ReadOnlySpan<byte> AtomicNumbers => _z.AsSpan(0, EntryCount);

    /// <summary>Amounts as written (after merging), aligned with <see cref="AtomicNumbers"/>.</summary>
    public ReadOnlySpan<double> Amounts => _amounts.AsSpan(0, EntryCount);

    /// <summary>Atomic fractions (amount / atoms in the row), aligned with <see cref="AtomicNumbers"/>.</summary>
    public ReadOnlySpan<double> Fractions => _fractions.AsSpan(0, EntryCount);

    /// <summary>Total atoms of each row (0 for an empty row).</summary>
    public ReadOnlySpan<double> NumAtoms => _numAtoms.AsSpan(0, Count);

    /// <summary>Atomic numbers of row <paramref name="row"/>.</summary>
    public ReadOnlySpan<byte> RowAtomicNumbers(int row) => _z.AsSpan(Start(row), Length(row));

    /// <summary>Atomic fractions of row <paramref name="row"/>.</summary>
    public ReadOnlySpan<double> RowFractions(int row) => _fractions.AsSpan(Start(row), Length(row));

    /// <summary>Amounts of row <paramref name="row"/>.</summary>
    public ReadOnlySpan<double> RowAmounts(int row) => _amounts.AsSpan(Start(row), Length(row));

    /// <summary>True when the row holds no composition (a placeholder for an input that failed).</summary>
    public bool IsEmpty(int row) => Length(row) == 0;

    /// <summary>Parses <paramref name="formula"/> and appends it; on error nothing is appended.</summary>
    public bool TryAdd(ReadOnlySpan<char> formula, out FormulaError error)
    {
        EnsureRoom();
        var start = _rowOffsets[Count];
        var count = FormulaParser.ParseInto(
            formula,
            _z.AsSpan(start, FormulaParser.MaxDistinctElements),
            _amounts.AsSpan(start, FormulaParser.MaxDistinctElements),
            out error);
        if (count < 0)
        {
            return false;
        }

        Commit(start, count);
        return true;
    }

    /// <summary>Appends a composition.</summary>
    public void Add(Composition composition)
    {
        ArgumentNullException.ThrowIfNull(composition);
        EnsureRoom();
        var start = _rowOffsets[Count];
        composition.AtomicNumbers.CopyTo(_z.AsSpan(start));
        composition.Amounts.CopyTo(_amounts.AsSpan(start));
        Commit(start, composition.ElementCount);
    }

    /// <summary>
    /// Appends a composition given as atomic numbers and positive amounts (at most
    /// <see cref="FormulaParser.MaxDistinctElements"/>, each element once), e.g. a row of another batch or an enumerated
    /// candidate. Allocates nothing.
    /// </summary>
    public void Add(ReadOnlySpan<byte> atomicNumbers, ReadOnlySpan<double> amounts)
    {
        if (atomicNumbers.Length != amounts.Length || atomicNumbers.Length == 0 || atomicNumbers.Length > FormulaParser.MaxDistinctElements)
        {
            throw new ArgumentException($"Need 1..{FormulaParser.MaxDistinctElements} atomic numbers with one amount each; got {atomicNumbers.Length} and {amounts.Length}.");
        }

        EnsureRoom();
        var start = _rowOffsets[Count];
        atomicNumbers.CopyTo(_z.AsSpan(start));
        amounts.CopyTo(_amounts.AsSpan(start));
        Commit(start, atomicNumbers.Length);
    }

    /// <summary>Appends row <paramref name="row"/> of <paramref name="source"/> (an empty row stays empty).</summary>
    public void AddRow(CompositionBatch source, int row)
    {
        ArgumentNullException.ThrowIfNull(source);
        if (source.IsEmpty(row))
        {
            AddEmpty();
        }
        else
        {
            Add(source.RowAtomicNumbers(row), source.RowAmounts(row));
        }
    }

    /// <summary>Appends an empty row, keeping row numbers aligned with an input whose item failed.</summary>
    public void AddEmpty()
    {
        EnsureRoom();
        _numAtoms[Count] = 0;
        _rowOffsets[Count + 1] = _rowOffsets[Count];
        Count++;
    }

    /// <summary>The composition of row <paramref name="row"/> as an object.</summary>
    /// <exception cref="InvalidOperationException">The row is empty.</exception>
    public Composition this[int row] => IsEmpty(row)
        ? throw new InvalidOperationException($"Row {row} holds no composition.")
        : new Composition(RowAtomicNumbers(row).ToArray(), RowAmounts(row).ToArray());

    /// <summary>Removes every row, keeping the arrays for reuse.</summary>
    public void Clear() => Count = 0;

    private int Start(int row)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual((uint)row, (uint)Count, nameof(row));
        return _rowOffsets[row];
    }

    private int Length(int row) => _rowOffsets[row + 1] - Start(row);

    private void Commit(int start, int count)
    {
        var total = 0.0;
        for (var i = start; i < start + count; i++)
        {
            total += _amounts[i];
        }

        for (var i = start; i < start + count; i++)
        {
            _fractions[i] = _amounts[i] / total;
        }

        _numAtoms[Count] = total;
        _rowOffsets[Count + 1] = start + count;
        Count++;
    }

    // Guarantees room for one more row of up to MaxDistinctElements entries.
    private void EnsureRoom()
    {
        if (Count + 1 >= _rowOffsets.Length)
        {
            var rows = Math.Max(16, _rowOffsets.Length * 2);
            Array.Resize(ref _rowOffsets, rows + 1);
            Array.Resize(ref _numAtoms, rows);
        }

        var needed = _rowOffsets[Count] + FormulaParser.MaxDistinctElements;
        if (needed > _z.Length)
        {
            var entries = Math.Max(needed, _z.Length * 2);
            Array.Resize(ref _z, entries);
            Array.Resize(ref _amounts, entries);
            Array.Resize(ref _fractions, entries);
        }
    }
}
