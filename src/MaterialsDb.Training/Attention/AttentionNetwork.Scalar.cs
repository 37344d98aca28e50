namespace MaterialsDb.Training.Attention;

/// <summary>The plain scalar twin of <see cref="AttentionNetwork"/>'s forward pass.</summary>
public sealed partial class AttentionNetwork
{
    /// <summary>
    /// The plain scalar twin of <see cref="Forward"/> for one composition: elements <paramref name="z"/>, fractions
    /// <paramref name="w"/>, standardized descriptors. It recomputes the table row from the parameters, so a finite
    /// difference of any parameter shows in it.
    /// </summary>
    public float PredictScalar(ReadOnlySpan<int> z, ReadOnlySpan<float> w, ReadOnlySpan<float> descriptors)
    {
        var d = Width;
        var n = z.Length;
        var e = Embedding.Width;
        var h = new float[n, d];
        for (var i = 0; i < n; i++)
        {
            var x = Embedding.Of(z[i]);
            for (var k = 0; k < d; k++)
            {
                var sum = Parameters[1][k];
                for (var m = 0; m < e; m++)
                {
                    sum += x[m] * Parameters[0][(m * d) + k];
                }

                h[i, k] = sum + (w[i] * Parameters[2][k]);
            }
        }

        for (var l = 0; l < Layers; l++)
        {
            var b = LayerBase(l);
            var next = new float[n, d];
            for (var i = 0; i < n; i++)
            {
                var s = new float[n, d];
                var logits = new float[n];
                for (var j = 0; j < n; j++)
                {
                    for (var k = 0; k < d; k++)
                    {
                        var pre = Parameters[b + 2][k];
                        for (var m = 0; m < d; m++)
                        {
                            pre += (h[i, m] * Parameters[b][(m * d) + k]) + (h[j, m] * Parameters[b + 1][(m * d) + k]);
                        }

                        s[j, k] = pre > 0 ? pre : Slope * pre;
                        logits[j] += Parameters[b + 3][k] * s[j, k];
                    }

                    logits[j] += MathF.Log(w[j]);
                }

                var alpha = SoftmaxScalar(logits);
                for (var k = 0; k < d; k++)
                {
                    var value = Parameters[b + 5][k] + h[i, k];
                    for (var m = 0; m < d; m++)
                    {
                        var msg = 0f;
                        for (var j = 0; j < n; j++)
                        {
                            msg += alpha[j] * s[j, m];
                        }

                        value += msg * Parameters[b + 4][(m * d) + k];
                    }

                    next[i, k] = value;
                }
            }

            h = next;
        }

        var pb = PoolBase;
        var t = new float[n, d];
        var gate = new float[n];
        for (var i = 0; i < n; i++)
        {
            for (var k = 0; k < d; k++)
            {
                var pre = Parameters[pb + 1][k];
                for (var m = 0; m < d; m++)
                {
                    pre += h[i, m] * Parameters[pb][(m * d) + k];
                }

                t[i, k] = pre > 0 ? pre : Slope * pre;
                gate[i] += Parameters[pb + 2][k] * t[i, k];
            }

            gate[i] += MathF.Log(w[i]);
        }

        var beta = SoftmaxScalar(gate);
        var input = new float[d + descriptors.Length];
        for (var k = 0; k < d; k++)
        {
            for (var i = 0; i < n; i++)
            {
                input[k] += beta[i] * t[i, k];
            }
        }

        descriptors.CopyTo(input.AsSpan(d));
        return Head.ForwardScalar(input)[0];
    }

    private static float[] SoftmaxScalar(float[] logits)
    {
        var max = logits.Max();
        var exp = logits.Select(x => MathF.Exp(x - max)).ToArray();
        var sum = exp.Sum();
        return [.. exp.Select(x => x / sum)];
    }
}
