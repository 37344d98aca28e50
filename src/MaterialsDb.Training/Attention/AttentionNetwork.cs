using System.Numerics;
using System.Numerics.Tensors;

namespace MaterialsDb.Training.Attention;

/// <summary>
/// Roost-style weighted soft-attention message passing over a composition's elements (Goodall &amp; Lee, Nat. Commun.
/// 11, 6280 (2020)), with a ReLU head that also reads the row's standardized descriptors. Per composition of n
/// elements with fractions w:
/// <list type="bullet">
/// <item>h⁰ᵢ = embedding(Zᵢ)·Wₑ + bₑ + wᵢ·uₑ (the embedding is fixed; Wₑ, bₑ, uₑ are learned);</item>
/// <item>each layer: for every ordered pair (self included) sᵢⱼ = LeakyReLU(hᵢA + hⱼB + c), weights
/// αᵢⱼ = softmaxⱼ(v·sᵢⱼ + ln wⱼ), and hᵢ ← hᵢ + (Σⱼ αᵢⱼ sᵢⱼ)·O + o;</item>
/// <item>pooling: tᵢ = LeakyReLU(hᵢP + p), βᵢ = softmaxᵢ(q·tᵢ + ln wᵢ), pooled = Σᵢ βᵢ tᵢ;</item>
/// <item>head: <see cref="MlpNetwork"/> on [pooled, descriptors].</item>
/// </list>
/// The ln w terms make the attention weights wⱼ·exp(v·sᵢⱼ) / Σₖ wₖ·exp(v·sᵢₖ), as in Roost, and let padded elements of
/// the ONNX graph (w = 0) drop out exactly. Every vector operation is a <see cref="TensorPrimitives"/> run over the
/// width; <see cref="PredictScalar"/> is the plain twin the tests compare with and differentiate numerically.
/// </summary>
public sealed partial class AttentionNetwork
{
    /// <summary>Slope of LeakyReLU below 0 (ONNX LeakyRelu's default).</summary>
    public const float Slope = 0.01f;

    private const int PerLayer = 6;
    private readonly float[][] _m;
    private readonly float[][] _v;
    private int _step;

    /// <summary>A network with seeded random weights and zero biases.</summary>
    /// <param name="embedding">The fixed element vectors.</param>
    /// <param name="width">Hidden width d.</param>
    /// <param name="layers">Message-passing layers.</param>
    /// <param name="descriptors">Descriptor columns the head reads beside the pooled vector.</param>
    /// <param name="hidden">Head hidden widths.</param>
    /// <param name="seed">Random seed.</param>
    public AttentionNetwork(ElementEmbedding embedding, int width, int layers, int descriptors, IReadOnlyList<int> hidden, int seed)
    {
        ArgumentNullException.ThrowIfNull(embedding);
        ArgumentNullException.ThrowIfNull(hidden);
        Embedding = embedding;
        Width = width;
        Layers = layers;
        Descriptors = descriptors;
        var d = width;
        var e = embedding.Width;
        var random = new Random(seed);

        // Wₑ is scaled so h⁰ has about unit variance whatever the embedding's magnitude.
        var meanSquare = embedding.Values.Average(x => (double)x * x) * e;
        Parameters = [NetworkMath.Normal(random, e * d, 1 / Math.Sqrt(Math.Max(meanSquare, 1e-12))), new float[d], NetworkMath.Normal(random, d, 1)];
        for (var l = 0; l < layers; l++)
        {
            Parameters = [.. Parameters, NetworkMath.Normal(random, d * d, Math.Sqrt(1.0 / (2 * d))), NetworkMath.Normal(random, d * d, Math.Sqrt(1.0 / (2 * d))), new float[d], NetworkMath.Normal(random, d, Math.Sqrt(1.0 / d)), NetworkMath.Normal(random, d * d, Math.Sqrt(1.0 / d)), new float[d]];
        }

        Parameters = [.. Parameters, NetworkMath.Normal(random, d * d, Math.Sqrt(2.0 / d)), new float[d], NetworkMath.Normal(random, d, Math.Sqrt(1.0 / d))];
        _m = [.. Parameters.Select(p => new float[p.Length])];
        _v = [.. Parameters.Select(p => new float[p.Length])];
        Head = new MlpNetwork([d + descriptors, .. hidden, 1], seed + 1);
        Table = new float[ElementEmbedding.Elements * d];
        RefreshTable();
    }

    /// <summary>The fixed element vectors.</summary>
    public ElementEmbedding Embedding { get; }

    /// <summary>Hidden width d.</summary>
    public int Width { get; }

    /// <summary>Message-passing layers.</summary>
    public int Layers { get; }

    /// <summary>Descriptor columns the head reads after the pooled vector.</summary>
    public int Descriptors { get; }

    /// <summary>
    /// The learned parameters in order: Wₑ [e, d], bₑ, uₑ; per layer A [d, d], B [d, d], c, v, O [d, d], o; then
    /// P [d, d], p, q. Matrices are row-major [in, out].
    /// </summary>
    public float[][] Parameters { get; private set; }

    /// <summary>The head.</summary>
    public MlpNetwork Head { get; }

    /// <summary>embedding·Wₑ + bₑ for every element, row Z − 1 (what the ONNX graph gathers from).</summary>
    public float[] Table { get; }

    internal static int LayerBase(int layer) => 3 + (PerLayer * layer);

    internal int PoolBase => LayerBase(Layers);

    /// <summary>Recomputes <see cref="Table"/> after the parameters changed.</summary>
    public void RefreshTable()
    {
        var d = Width;
        for (var z = 1; z <= ElementEmbedding.Elements; z++)
        {
            VectorMatrix(Embedding.Of(z), Parameters[0], Parameters[1], Table.AsSpan((z - 1) * d, d));
        }
    }

    /// <summary>Scratch for <paramref name="rows"/> rows of at most <paramref name="maxElements"/> elements each.</summary>
    public Workspace CreateWorkspace(int rows, int maxElements) => new(this, rows, maxElements);

    /// <summary>
    /// Runs <paramref name="rows"/> (rows of <paramref name="lists"/>); the head's input must already hold each row's
    /// standardized descriptors in columns d … d + <see cref="Descriptors"/> − 1. Outputs land in <c>work.Head.Output</c>.
    /// </summary>
    public void Forward(Workspace work, ElementLists lists, ReadOnlySpan<int> rows)
    {
        ArgumentNullException.ThrowIfNull(work);
        ArgumentNullException.ThrowIfNull(lists);
        var d = Width;
        var headWidth = d + Descriptors;
        work.Load(lists, rows);
        for (var r = 0; r < rows.Length; r++)
        {
            int s = work.RowNode[r], n = work.RowNode[r + 1] - s, q = work.RowPair[r];
            for (var i = 0; i < n; i++)
            {
                var h = work.H[0].AsSpan((s + i) * d, d);
                TensorPrimitives.MultiplyAdd(Parameters[2], work.W[s + i], Table.AsSpan((work.Z[s + i] - 1) * d, d), h);
            }

            for (var l = 0; l < Layers; l++)
            {
                MessageForward(work, l, s, n, q);
            }

            var pooled = work.Head.Input.AsSpan(r * headWidth, d);
            var b = PoolBase;
            pooled.Clear();
            var max = float.NegativeInfinity;
            for (var i = 0; i < n; i++)
            {
                var pre = work.PoolPre.AsSpan((s + i) * d, d);
                var t = work.Pooled.AsSpan((s + i) * d, d);
                VectorMatrix(work.H[Layers].AsSpan((s + i) * d, d), Parameters[b], Parameters[b + 1], pre);
                LeakyRelu(pre, t);
                work.Beta[s + i] = TensorPrimitives.Dot(Parameters[b + 2], t) + work.LogW[s + i];
                max = Math.Max(max, work.Beta[s + i]);
            }

            Softmax(work.Beta.AsSpan(s, n), max);
            for (var i = 0; i < n; i++)
            {
                TensorPrimitives.MultiplyAdd(work.Pooled.AsSpan((s + i) * d, d), work.Beta[s + i], pooled, pooled);
            }
        }

        Head.Forward(work.Head, rows.Length);
    }

    private void MessageForward(Workspace work, int l, int s, int n, int q)
    {
        var d = Width;
        var b = LayerBase(l);
        float[] a = Parameters[b], bm = Parameters[b + 1], c = Parameters[b + 2], v = Parameters[b + 3], o = Parameters[b + 4], ob = Parameters[b + 5];
        var h = work.H[l];
        for (var i = 0; i < n; i++)
        {
            VectorMatrix(h.AsSpan((s + i) * d, d), a, null, work.Pa[l].AsSpan((s + i) * d, d));
            VectorMatrix(h.AsSpan((s + i) * d, d), bm, c, work.Pb[l].AsSpan((s + i) * d, d));
        }

        for (var i = 0; i < n; i++)
        {
            var pa = work.Pa[l].AsSpan((s + i) * d, d);
            var max = float.NegativeInfinity;
            var pair = q + (i * n);
            for (var j = 0; j < n; j++)
            {
                var pre = work.Pre[l].AsSpan((pair + j) * d, d);
                var sij = work.S[l].AsSpan((pair + j) * d, d);
                TensorPrimitives.Add(pa, work.Pb[l].AsSpan((s + j) * d, d), pre);
                LeakyRelu(pre, sij);
                var logit = TensorPrimitives.Dot(v, sij) + work.LogW[s + j];
                work.Alpha[l][pair + j] = logit;
                max = Math.Max(max, logit);
            }

            Softmax(work.Alpha[l].AsSpan(pair, n), max);
            var msg = work.Msg[l].AsSpan((s + i) * d, d);
            msg.Clear();
            for (var j = 0; j < n; j++)
            {
                TensorPrimitives.MultiplyAdd(work.S[l].AsSpan((pair + j) * d, d), work.Alpha[l][pair + j], msg, msg);
            }

            var next = work.H[l + 1].AsSpan((s + i) * d, d);
            VectorMatrix(msg, o, ob, next);
            TensorPrimitives.Add(next, h.AsSpan((s + i) * d, d), next);
        }
    }

    /// <summary>
    /// Back-propagates <c>work.Head.OutputGradient</c> for the rows of the last <see cref="Forward"/>, adding the
    /// parameter gradients to the workspace's sums.
    /// </summary>
    public void Backward(Workspace work, int count)
    {
        ArgumentNullException.ThrowIfNull(work);
        Head.Backward(work.Head, count, inputGradientColumns: Width);
        var d = Width;
        var headWidth = d + Descriptors;
        var b = PoolBase;
        var g = work.Gradients;
        var temp = work.Temp.AsSpan(0, d);
        for (var r = 0; r < count; r++)
        {
            int s = work.RowNode[r], n = work.RowNode[r + 1] - s, q = work.RowPair[r];
            var dPooled = work.Head.Gradients[0].AsSpan(r * headWidth, d);
            var mean = 0f;
            for (var i = 0; i < n; i++)
            {
                work.NodeScratch[i] = TensorPrimitives.Dot(work.Pooled.AsSpan((s + i) * d, d), dPooled);
                mean += work.Beta[s + i] * work.NodeScratch[i];
            }

            for (var i = 0; i < n; i++)
            {
                var beta = work.Beta[s + i];
                var dLogit = beta * (work.NodeScratch[i] - mean);
                var t = work.Pooled.AsSpan((s + i) * d, d);
                TensorPrimitives.Multiply(dPooled, beta, temp);
                TensorPrimitives.MultiplyAdd(Parameters[b + 2], dLogit, temp, temp);
                TensorPrimitives.MultiplyAdd(t, dLogit, g[b + 2], g[b + 2]);
                LeakyReluGradient(work.PoolPre.AsSpan((s + i) * d, d), temp, temp);
                var hL = work.H[Layers].AsSpan((s + i) * d, d);
                OuterAdd(hL, temp, g[b]);
                TensorPrimitives.Add(g[b + 1], temp, g[b + 1]);
                MatrixVector(Parameters[b], temp, work.DH.AsSpan((s + i) * d, d), accumulate: false);
            }

            for (var l = Layers - 1; l >= 0; l--)
            {
                MessageBackward(work, l, s, n, q);
            }

            for (var i = 0; i < n; i++)
            {
                var dh = work.DH.AsSpan((s + i) * d, d);
                var dt = work.TableGradient.AsSpan((work.Z[s + i] - 1) * d, d);
                TensorPrimitives.Add(dt, dh, dt);
                TensorPrimitives.MultiplyAdd(dh, work.W[s + i], g[2], g[2]);
            }
        }
    }

    private void MessageBackward(Workspace work, int l, int s, int n, int q)
    {
        var d = Width;
        var b = LayerBase(l);
        var g = work.Gradients;
        float[] a = Parameters[b], bm = Parameters[b + 1], v = Parameters[b + 3], o = Parameters[b + 4];
        var h = work.H[l];
        for (var i = 0; i < n; i++)
        {
            var dh = work.DH.AsSpan((s + i) * d, d);
            TensorPrimitives.Add(g[b + 5], dh, g[b + 5]);
            OuterAdd(work.Msg[l].AsSpan((s + i) * d, d), dh, g[b + 4]);
            MatrixVector(o, dh, work.DMsg.AsSpan(i * d, d), accumulate: false);
        }

        work.DPa.AsSpan(0, n * d).Clear();
        work.DPb.AsSpan(0, n * d).Clear();
        for (var i = 0; i < n; i++)
        {
            var dMsg = work.DMsg.AsSpan(i * d, d);
            var pair = q + (i * n);
            var mean = 0f;
            for (var j = 0; j < n; j++)
            {
                work.NodeScratch[j] = TensorPrimitives.Dot(work.S[l].AsSpan((pair + j) * d, d), dMsg);
                mean += work.Alpha[l][pair + j] * work.NodeScratch[j];
            }

            var dPa = work.DPa.AsSpan(i * d, d);
            for (var j = 0; j < n; j++)
            {
                var alpha = work.Alpha[l][pair + j];
                var dLogit = alpha * (work.NodeScratch[j] - mean);
                var dPre = work.Temp.AsSpan(0, d);
                TensorPrimitives.Multiply(dMsg, alpha, dPre);
                TensorPrimitives.MultiplyAdd(v, dLogit, dPre, dPre);
                TensorPrimitives.MultiplyAdd(work.S[l].AsSpan((pair + j) * d, d), dLogit, g[b + 3], g[b + 3]);
                LeakyReluGradient(work.Pre[l].AsSpan((pair + j) * d, d), dPre, dPre);
                TensorPrimitives.Add(dPa, dPre, dPa);
                var dPb = work.DPb.AsSpan(j * d, d);
                TensorPrimitives.Add(dPb, dPre, dPb);
            }
        }

        for (var i = 0; i < n; i++)
        {
            var hi = h.AsSpan((s + i) * d, d);
            var dPa = work.DPa.AsSpan(i * d, d);
            var dPb = work.DPb.AsSpan(i * d, d);
            TensorPrimitives.Add(g[b + 2], dPb, g[b + 2]);
            OuterAdd(hi, dPa, g[b]);
            OuterAdd(hi, dPb, g[b + 1]);

            // Residual: the gradient reaching hᵢ is what reached the layer's output plus what flows through A and B.
            var dh = work.DH.AsSpan((s + i) * d, d);
            MatrixVector(a, dPa, dh, accumulate: true);
            MatrixVector(bm, dPb, dh, accumulate: true);
        }
    }

    /// <summary>One AdamW step with the summed gradients of <paramref name="parts"/> (summed in order, so thread timing never changes the result).</summary>
    public void Step(IReadOnlyList<Workspace> parts, float learningRate, float weightDecay)
    {
        ArgumentNullException.ThrowIfNull(parts);
        var first = CollectGradients(parts);
        var (c1, c2) = NetworkMath.Corrections(++_step);
        for (var k = 0; k < Parameters.Length; k++)
        {
            NetworkMath.Adam(Parameters[k], first.Gradients[k], _m[k], _v[k], learningRate, IsBias(k) ? 0 : weightDecay, c1, c2);
        }

        Head.Step([.. parts.Select(p => p.Head)], learningRate, weightDecay);
        RefreshTable();
    }

    // Sums the parts' gradients into the first part's, in order, and carries the table's gradient to Wₑ and bₑ.
    internal Workspace CollectGradients(IReadOnlyList<Workspace> parts)
    {
        var first = parts[0];
        for (var p = 1; p < parts.Count; p++)
        {
            for (var k = 0; k < Parameters.Length; k++)
            {
                TensorPrimitives.Add(first.Gradients[k], parts[p].Gradients[k], first.Gradients[k]);
            }

            TensorPrimitives.Add(first.TableGradient, parts[p].TableGradient, first.TableGradient);
        }

        // The table is embedding·Wₑ + bₑ: its gradient reaches Wₑ and bₑ.
        var d = Width;
        for (var z = 1; z <= ElementEmbedding.Elements; z++)
        {
            var dt = first.TableGradient.AsSpan((z - 1) * d, d);
            OuterAdd(Embedding.Of(z), dt, first.Gradients[0]);
            TensorPrimitives.Add(first.Gradients[1], dt, first.Gradients[1]);
        }

        return first;
    }

    // bₑ, c, o and p are biases (no weight decay).
    private bool IsBias(int k) => k == 1 || (k >= 3 && k < PoolBase && (k - 3) % PerLayer is 2 or 5) || k == PoolBase + 1;

    private static void Softmax(Span<float> logits, float max)
    {
        TensorPrimitives.Subtract(logits, max, logits);
        TensorPrimitives.Exp(logits, logits);
        TensorPrimitives.Divide(logits, TensorPrimitives.Sum(logits), logits);
    }

    // y = x·M + bias, M row-major [x.Length, y.Length].
    private static void VectorMatrix(ReadOnlySpan<float> x, float[] matrix, float[]? bias, Span<float> y)
    {
        var width = y.Length;
        if (bias is null)
        {
            y.Clear();
        }
        else
        {
            bias.CopyTo(y);
        }

        for (var k = 0; k < x.Length; k++)
        {
            if (x[k] != 0)
            {
                TensorPrimitives.MultiplyAdd(matrix.AsSpan(k * width, width), x[k], y, y);
            }
        }
    }

    // y (+)= M·v, M row-major [y.Length, v.Length]: the gradient of VectorMatrix's input.
    private static void MatrixVector(float[] matrix, ReadOnlySpan<float> v, Span<float> y, bool accumulate)
    {
        var width = v.Length;
        for (var k = 0; k < y.Length; k++)
        {
            var dot = TensorPrimitives.Dot(matrix.AsSpan(k * width, width), v);
            y[k] = accumulate ? y[k] + dot : dot;
        }
    }

    // G += x ⊗ dy: the gradient of VectorMatrix's matrix.
    private static void OuterAdd(ReadOnlySpan<float> x, ReadOnlySpan<float> dy, float[] gradient)
    {
        var width = dy.Length;
        for (var k = 0; k < x.Length; k++)
        {
            if (x[k] != 0)
            {
                var row = gradient.AsSpan(k * width, width);
                TensorPrimitives.MultiplyAdd(dy, x[k], row, row);
            }
        }
    }

    private static void LeakyRelu(ReadOnlySpan<float> x, Span<float> y)
    {
        TensorPrimitives.Multiply(x, Slope, y);
        TensorPrimitives.Max(x, y, y);
    }

    // dx = dy where x > 0, Slope·dy elsewhere (dy and dx may be the same span).
    private static void LeakyReluGradient(ReadOnlySpan<float> x, ReadOnlySpan<float> dy, Span<float> dx)
    {
        var k = 0;
        if (Vector.IsHardwareAccelerated)
        {
            for (; k <= x.Length - Vector<float>.Count; k += Vector<float>.Count)
            {
                var g = new Vector<float>(dy[k..]);
                Vector.ConditionalSelect(Vector.GreaterThan(new Vector<float>(x[k..]), Vector<float>.Zero), g, g * Slope).CopyTo(dx[k..]);
            }
        }

        for (; k < x.Length; k++)
        {
            dx[k] = x[k] > 0 ? dy[k] : Slope * dy[k];
        }
    }
}
