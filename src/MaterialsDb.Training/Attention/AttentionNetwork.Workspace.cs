namespace MaterialsDb.Training.Attention;

/// <summary>The per-block scratch of <see cref="AttentionNetwork"/>.</summary>
public sealed partial class AttentionNetwork
{
    /// <summary>Activations and gradients for a block of rows, reused from step to step.</summary>
    public sealed class Workspace
    {
        internal Workspace(AttentionNetwork network, int rows, int maxElements)
        {
            var d = network.Width;
            var nodes = rows * maxElements;
            var pairs = nodes * maxElements;
            Rows = rows;
            MaxElements = maxElements;
            RowNode = new int[rows + 1];
            RowPair = new int[rows + 1];
            Z = new int[nodes];
            W = new float[nodes];
            LogW = new float[nodes];
            H = Arrays(network.Layers + 1, nodes * d);
            Pa = Arrays(network.Layers, nodes * d);
            Pb = Arrays(network.Layers, nodes * d);
            Msg = Arrays(network.Layers, nodes * d);
            Pre = Arrays(network.Layers, pairs * d);
            S = Arrays(network.Layers, pairs * d);
            Alpha = Arrays(network.Layers, pairs);
            PoolPre = new float[nodes * d];
            Pooled = new float[nodes * d];
            Beta = new float[nodes];
            DH = new float[nodes * d];
            DMsg = new float[maxElements * d];
            DPa = new float[maxElements * d];
            DPb = new float[maxElements * d];
            Temp = new float[d];
            NodeScratch = new float[maxElements];
            Gradients = [.. network.Parameters.Select(p => new float[p.Length])];
            TableGradient = new float[network.Table.Length];
            Head = network.Head.CreateWorkspace(rows);
        }

        // One array per layer (or per layer boundary), each of the same length.
        private static float[][] Arrays(int count, int length) => [.. Enumerable.Range(0, count).Select(_ => new float[length])];

        /// <summary>Rows it holds at most.</summary>
        public int Rows { get; }

        /// <summary>Elements per row it holds at most.</summary>
        public int MaxElements { get; }

        /// <summary>The head's workspace: descriptors go into its input after the first d columns.</summary>
        public MlpNetwork.Workspace Head { get; }

        /// <summary>Summed ∂loss/∂parameter (order of <see cref="Parameters"/>) since <see cref="ClearGradients"/>; Wₑ and bₑ are filled by <see cref="Step"/>.</summary>
        public float[][] Gradients { get; }

        /// <summary>Summed ∂loss/∂table row since <see cref="ClearGradients"/>.</summary>
        public float[] TableGradient { get; }

        internal int[] RowNode { get; }

        internal int[] RowPair { get; }

        internal int[] Z { get; }

        internal float[] W { get; }

        internal float[] LogW { get; }

        internal float[][] H { get; }

        internal float[][] Pa { get; }

        internal float[][] Pb { get; }

        internal float[][] Msg { get; }

        internal float[][] Pre { get; }

        internal float[][] S { get; }

        internal float[][] Alpha { get; }

        internal float[] PoolPre { get; }

        internal float[] Pooled { get; }

        internal float[] Beta { get; }

        internal float[] DH { get; }

        internal float[] DMsg { get; }

        internal float[] DPa { get; }

        internal float[] DPb { get; }

        internal float[] Temp { get; }

        internal float[] NodeScratch { get; }

        /// <summary>Zeroes the gradient sums before a step.</summary>
        public void ClearGradients()
        {
            foreach (var g in Gradients)
            {
                Array.Clear(g);
            }

            Array.Clear(TableGradient);
            Head.ClearGradients();
        }

        internal void Load(ElementLists lists, ReadOnlySpan<int> rows)
        {
            if (rows.Length > Rows)
            {
                throw new ArgumentException($"{rows.Length} rows; the workspace holds {Rows}.", nameof(rows));
            }

            for (var r = 0; r < rows.Length; r++)
            {
                var n = lists.Count(rows[r]);
                if (n > MaxElements)
                {
                    throw new ArgumentException($"Row {rows[r]} has {n} elements; the workspace holds {MaxElements}.", nameof(rows));
                }

                var from = lists.Offsets[rows[r]];
                for (var i = 0; i < n; i++)
                {
                    Z[RowNode[r] + i] = lists.Z[from + i];
                    W[RowNode[r] + i] = lists.Fractions[from + i];
                    LogW[RowNode[r] + i] = MathF.Log(lists.Fractions[from + i]);
                }

                RowNode[r + 1] = RowNode[r] + n;
                RowPair[r + 1] = RowPair[r] + (n * n);
            }
        }
    }
}
