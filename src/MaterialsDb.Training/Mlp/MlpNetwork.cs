using System.Numerics.Tensors;

namespace MaterialsDb.Training;

/// <summary>
/// A fully connected ReLU network (linear output) with its AdamW state. Weights of layer l are row-major
/// [in, out], so a row's forward pass and both gradient products are runs of <see cref="TensorPrimitives"/> over
/// the output width (SIMD); <see cref="ForwardScalar"/> is the plain twin the tests compare with.
/// </summary>
public sealed class MlpNetwork
{
    private readonly float[][] _m;
    private readonly float[][] _v;
    private int _step;

    /// <summary>A network with He-normal weights and zero biases drawn from <paramref name="seed"/>.</summary>
    /// <param name="sizes">Layer widths: inputs, hidden layers…, outputs.</param>
    /// <param name="seed">Random seed.</param>
    public MlpNetwork(IReadOnlyList<int> sizes, int seed)
    {
        ArgumentNullException.ThrowIfNull(sizes);
        if (sizes.Count < 2 || sizes.Any(s => s < 1))
        {
            throw new ArgumentException($"A network needs at least an input and an output width, all ≥ 1; got [{string.Join(",", sizes)}].", nameof(sizes));
        }

        Sizes = [.. sizes];
        var layers = Sizes.Length - 1;
        Weights = new float[layers][];
        Biases = new float[layers][];
        _m = new float[2 * layers][];
        _v = new float[2 * layers][];
        var random = new Random(seed);
        for (var l = 0; l < layers; l++)
        {
            Weights[l] = NetworkMath.Normal(random, Sizes[l] * Sizes[l + 1], Math.Sqrt(2.0 / Sizes[l]));
            Biases[l] = new float[Sizes[l + 1]];

            _m[2 * l] = new float[Weights[l].Length];
            _v[2 * l] = new float[Weights[l].Length];
            _m[(2 * l) + 1] = new float[Biases[l].Length];
            _v[(2 * l) + 1] = new float[Biases[l].Length];
        }
    }

    /// <summary>Layer widths, inputs first.</summary>
    public int[] Sizes { get; }

    /// <summary>Weights of each layer, row-major [in, out].</summary>
    public float[][] Weights { get; }

    /// <summary>Biases of each layer.</summary>
    public float[][] Biases { get; }

    /// <summary>Scratch for <paramref name="rows"/> rows: activations and gradients of every layer.</summary>
    public Workspace CreateWorkspace(int rows) => new(this, rows);

    /// <summary>Runs <paramref name="count"/> rows (already in <see cref="Workspace.Input"/>); outputs land in <see cref="Workspace.Output"/>.</summary>
    public void Forward(Workspace work, int count)
    {
        ArgumentNullException.ThrowIfNull(work);
        var layers = Sizes.Length - 1;
        for (var l = 0; l < layers; l++)
        {
            int inputs = Sizes[l], outputs = Sizes[l + 1];
            var a = work.Activations[l];
            var next = work.Activations[l + 1];
            var w = Weights[l];
            for (var i = 0; i < count; i++)
            {
                var y = next.AsSpan(i * outputs, outputs);
                Biases[l].CopyTo(y);
                for (var k = 0; k < inputs; k++)
                {
                    // ReLU zeros and absent elements' fractions are common: skipping them is exact and saves work.
                    var x = a[(i * inputs) + k];
                    if (x != 0)
                    {
                        TensorPrimitives.MultiplyAdd(w.AsSpan(k * outputs, outputs), x, y, y);
                    }
                }

                if (l < layers - 1)
                {
                    TensorPrimitives.Max(y, 0f, y);
                }
            }
        }
    }

    /// <summary>The plain scalar twin of <see cref="Forward"/> for one row.</summary>
    public float[] ForwardScalar(ReadOnlySpan<float> input)
    {
        var a = input.ToArray();
        for (var l = 0; l < Sizes.Length - 1; l++)
        {
            int inputs = Sizes[l], outputs = Sizes[l + 1];
            var y = new float[outputs];
            for (var j = 0; j < outputs; j++)
            {
                var sum = Biases[l][j];
                for (var k = 0; k < inputs; k++)
                {
                    sum += a[k] * Weights[l][(k * outputs) + j];
                }

                y[j] = l < Sizes.Length - 2 ? Math.Max(sum, 0f) : sum;
            }

            a = y;
        }

        return a;
    }

    /// <summary>
    /// Back-propagates the output gradients in <see cref="Workspace.OutputGradient"/> for the <paramref name="count"/>
    /// rows of the last <see cref="Forward"/>, adding the parameter gradients to the workspace's sums. It also fills
    /// ∂loss/∂input for the first <paramref name="inputGradientColumns"/> inputs (those another network computed, as
    /// <see cref="Attention.AttentionNetwork"/> computes the pooled vector).
    /// </summary>
    public void Backward(Workspace work, int count, int inputGradientColumns = 0)
    {
        ArgumentNullException.ThrowIfNull(work);
        for (var l = Sizes.Length - 2; l >= 0; l--)
        {
            int inputs = Sizes[l], outputs = Sizes[l + 1];
            var a = work.Activations[l];
            var dy = work.Gradients[l + 1];
            var dx = work.Gradients[l];
            var gw = work.WeightGradients[l];
            var gb = work.BiasGradients[l];
            var w = Weights[l];
            for (var i = 0; i < count; i++)
            {
                var dyi = dy.AsSpan(i * outputs, outputs);
                TensorPrimitives.Add(gb, dyi, gb);
                for (var k = 0; k < inputs; k++)
                {
                    var x = a[(i * inputs) + k];
                    if (x != 0)
                    {
                        var row = gw.AsSpan(k * outputs, outputs);
                        TensorPrimitives.MultiplyAdd(dyi, x, row, row);
                    }
                }

                // A hidden unit passes gradient only where ReLU was open; the inputs are not activated.
                var needed = l > 0 ? inputs : inputGradientColumns;
                if (needed > 0)
                {
                    for (var k = 0; k < needed; k++)
                    {
                        dx[(i * inputs) + k] = l == 0 || a[(i * inputs) + k] > 0 ? TensorPrimitives.Dot(w.AsSpan(k * outputs, outputs), dyi) : 0f;
                    }
                }
            }
        }
    }

    /// <summary>One AdamW step with the summed gradients of <paramref name="parts"/> (added in order, so the result does not depend on thread timing).</summary>
    public void Step(IReadOnlyList<Workspace> parts, float learningRate, float weightDecay)
    {
        ArgumentNullException.ThrowIfNull(parts);
        var (c1, c2) = NetworkMath.Corrections(++_step);
        for (var l = 0; l < Weights.Length; l++)
        {
            for (var p = 1; p < parts.Count; p++)
            {
                TensorPrimitives.Add(parts[0].WeightGradients[l], parts[p].WeightGradients[l], parts[0].WeightGradients[l]);
                TensorPrimitives.Add(parts[0].BiasGradients[l], parts[p].BiasGradients[l], parts[0].BiasGradients[l]);
            }

            NetworkMath.Adam(Weights[l], parts[0].WeightGradients[l], _m[2 * l], _v[2 * l], learningRate, weightDecay, c1, c2);
            NetworkMath.Adam(Biases[l], parts[0].BiasGradients[l], _m[(2 * l) + 1], _v[(2 * l) + 1], learningRate, 0, c1, c2);
        }
    }

    /// <summary>Activations and gradients for a block of rows, reused from step to step.</summary>
    public sealed class Workspace
    {
        internal Workspace(MlpNetwork network, int rows)
        {
            Rows = rows;
            var sizes = network.Sizes;
            Activations = [.. sizes.Select(s => new float[rows * s])];
            Gradients = [.. sizes.Select(s => new float[rows * s])];
            WeightGradients = [.. network.Weights.Select(w => new float[w.Length])];
            BiasGradients = [.. network.Biases.Select(b => new float[b.Length])];
        }

        /// <summary>Rows it holds at most.</summary>
        public int Rows { get; }

        /// <summary>The input rows, row-major.</summary>
        public float[] Input => Activations[0];

        /// <summary>The outputs of the last forward pass, row-major.</summary>
        public float[] Output => Activations[^1];

        /// <summary>∂loss/∂output per row, set before <see cref="Backward"/>.</summary>
        public float[] OutputGradient => Gradients[^1];

        internal float[][] Activations { get; }

        internal float[][] Gradients { get; }

        /// <summary>Summed ∂loss/∂weight of each layer since <see cref="ClearGradients"/>.</summary>
        public float[][] WeightGradients { get; }

        /// <summary>Summed ∂loss/∂bias of each layer since <see cref="ClearGradients"/>.</summary>
        public float[][] BiasGradients { get; }

        /// <summary>Zeroes the gradient sums before a step.</summary>
        public void ClearGradients()
        {
            foreach (var g in WeightGradients)
            {
                Array.Clear(g);
            }

            foreach (var g in BiasGradients)
            {
                Array.Clear(g);
            }
        }
    }
}
