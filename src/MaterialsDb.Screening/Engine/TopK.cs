namespace MaterialsDb.Screening.Engine;

/// <summary>The best <c>k</c> rows seen so far under a total order, in O(log k) per row and O(k) memory.</summary>
public sealed class TopK(int k, IComparer<CandidateRow> order)
{
    // A max-heap on the order: the worst kept row is dequeued first.
    private readonly PriorityQueue<CandidateRow, CandidateRow> _heap = new(Comparer<CandidateRow>.Create((a, b) => order.Compare(b, a)));

    /// <summary>Rows kept.</summary>
    public int Count => _heap.Count;

    /// <summary>Offers a row.</summary>
    public void Add(CandidateRow row)
    {
        if (_heap.Count < k)
        {
            _heap.Enqueue(row, row);
        }
        else if (order.Compare(row, _heap.Peek()) < 0)
        {
            _heap.DequeueEnqueue(row, row);
        }
    }

    /// <summary>The kept rows, best first.</summary>
    public List<CandidateRow> Sorted()
    {
        var rows = _heap.UnorderedItems.Select(i => i.Element).ToList();
        rows.Sort(order);
        return rows;
    }
}
