using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace MaterialsDb.Models.Trees;

/// <summary>
/// Evaluates a <see cref="TreeEnsemble"/> on row-major float32 features. <see cref="Predict"/> walks eight rows at a
/// time through each tree, branch-free; <see cref="PredictGathered"/> does the same with AVX2 gathers;
/// <see cref="PredictScalar"/> is their plain twin, one row at a time, which the tests hold both to bit for bit.
/// </summary>
/// <remarks>
/// Both fast paths are tree-major over blocks of <see cref="BlockRows"/> rows: one tree's nodes (a few KB) stay in L1
/// while every row of the block walks it, and the block's rows stay in L2 across all trees. Eight rows step in
/// lockstep (leaves point to themselves) until all eight sit on leaves; each step's child choice is a comparison's
/// 0/1 added to the left child's index, so no branch depends on the data and eight independent walks overlap in the
/// core. On this project's AMD EPYC (Zen 5) the gathers are slower than eight scalar walks, so <see cref="Predict"/>
/// is the scalar-interleaved one (figures in README, from benchmarks/TreeEvaluatorBenchmarks).
/// </remarks>
public static class TreeEvaluator
{
    /// <summary>Rows per block of the fast path.</summary>
    public const int BlockRows = 64;

    /// <summary>Reference evaluation: each row walks each tree until it reaches a leaf; leaf values summed in tree order.</summary>
    public static void PredictScalar(TreeEnsemble ensemble, ReadOnlySpan<float> features, int rows, Span<float> output)
    {
        Check(ensemble, features, rows, output);
        var width = ensemble.FeatureCount;
        for (var r = 0; r < rows; r++)
        {
            var x = features.Slice(r * width, width);
            var sum = 0f;
            foreach (var root in ensemble.Roots)
            {
                var node = root;
                while (ensemble.Left[node] != node)
                {
                    node = x[ensemble.Feature[node]] > ensemble.Threshold[node] ? ensemble.Left[node] + 1 : ensemble.Left[node];
                }

                sum += ensemble.Value[node];
            }

            output[r] = sum + ensemble.BaseValue;
        }
    }

    /// <summary>Same results as <see cref="PredictScalar"/>, eight rows per AVX2 gather (scalar without AVX2).</summary>
    public static void PredictGathered(TreeEnsemble ensemble, ReadOnlySpan<float> features, int rows, Span<float> output)
    {
        Check(ensemble, features, rows, output);
        if (!Avx2.IsSupported || rows < Vector256<float>.Count)
        {
            PredictScalar(ensemble, features, rows, output);
            return;
        }

        Span<float> sums = stackalloc float[BlockRows];
        for (var start = 0; start < rows; start += BlockRows)
        {
            var count = Math.Min(BlockRows, rows - start);
            var block = features.Slice(start * ensemble.FeatureCount, count * ensemble.FeatureCount);
            GatheredBlock(ensemble, block, count, sums);
            for (var r = 0; r < count; r++)
            {
                output[start + r] = sums[r] + ensemble.BaseValue;
            }
        }
    }

    /// <summary>Same results as <see cref="PredictScalar"/>: eight rows walk each tree in lockstep, branch-free.</summary>
    public static void Predict(TreeEnsemble ensemble, ReadOnlySpan<float> features, int rows, Span<float> output)
    {
        Check(ensemble, features, rows, output);
        if (rows < 8)
        {
            PredictScalar(ensemble, features, rows, output);
            return;
        }

        Span<float> sums = stackalloc float[BlockRows];
        for (var start = 0; start < rows; start += BlockRows)
        {
            var count = Math.Min(BlockRows, rows - start);
            // The slice keeps the rows before it reachable: a short last block walks some of them again.
            InterleavedBlock(ensemble, features.Slice(start * ensemble.FeatureCount, count * ensemble.FeatureCount), count, sums);
            for (var r = 0; r < count; r++)
            {
                output[start + r] = sums[r] + ensemble.BaseValue;
            }
        }
    }

    private static void InterleavedBlock(TreeEnsemble ensemble, ReadOnlySpan<float> block, int count, Span<float> sums)
    {
        sums[..count].Clear();
        var width = ensemble.FeatureCount;
        ref var x = ref MemoryMarshal.GetReference(block);
        ref var packed = ref MemoryMarshal.GetArrayDataReference(ensemble.Packed);
        for (var t = 0; t < ensemble.Roots.Length; t++)
        {
            ref var tree = ref Unsafe.Add(ref packed, ensemble.Roots[t]);
            var depth = ensemble.Depths[t];
            for (var first = 0; first < count; first += 8)
            {
                // A last partial group overlaps the previous one; its repeated rows are walked but not summed twice.
                // With fewer than eight rows in the block (only ever a later block: the caller has ≥ 8 rows) the
                // group reaches back into the previous block's rows, which lie in the caller's span just before.
                var g = Math.Min(first, count - 8);
                ref var r0 = ref Unsafe.Add(ref x, g * width);
                ref var r1 = ref Unsafe.Add(ref r0, width);
                ref var r2 = ref Unsafe.Add(ref r1, width);
                ref var r3 = ref Unsafe.Add(ref r2, width);
                ref var r4 = ref Unsafe.Add(ref r3, width);
                ref var r5 = ref Unsafe.Add(ref r4, width);
                ref var r6 = ref Unsafe.Add(ref r5, width);
                ref var r7 = ref Unsafe.Add(ref r6, width);
                int n0 = 0, n1 = 0, n2 = 0, n3 = 0, n4 = 0, n5 = 0, n6 = 0, n7 = 0;
                for (var step = 0; step < depth; step++)
                {
                    var m0 = Step(ref tree, n0, ref r0);
                    var m1 = Step(ref tree, n1, ref r1);
                    var m2 = Step(ref tree, n2, ref r2);
                    var m3 = Step(ref tree, n3, ref r3);
                    var m4 = Step(ref tree, n4, ref r4);
                    var m5 = Step(ref tree, n5, ref r5);
                    var m6 = Step(ref tree, n6, ref r6);
                    var m7 = Step(ref tree, n7, ref r7);

                    // All eight on leaves (which point to themselves): this group is done with the tree.
                    if (((m0 ^ n0) | (m1 ^ n1) | (m2 ^ n2) | (m3 ^ n3) | (m4 ^ n4) | (m5 ^ n5) | (m6 ^ n6) | (m7 ^ n7)) == 0)
                    {
                        break;
                    }

                    (n0, n1, n2, n3, n4, n5, n6, n7) = (m0, m1, m2, m3, m4, m5, m6, m7);
                }

                var root = ensemble.Roots[t];
                var values = ensemble.Value;
                Span<int> leaves = [n0, n1, n2, n3, n4, n5, n6, n7];
                for (var lane = first - g; lane < 8; lane++)
                {
                    sums[g + lane] += values[root + leaves[lane]];
                }
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int Step(ref ulong tree, int node, ref float row)
    {
        var word = Unsafe.Add(ref tree, node);
        var value = Unsafe.Add(ref row, (int)(word >> 32) & 0xFFFF);
        var left = (int)(word >> 48);
        return left + (value > BitConverter.Int32BitsToSingle((int)word) ? 1 : 0);
    }

    // One block (≥ 8 rows): groups of eight; a last partial group overlaps the previous one and keeps only its new rows.
    [SkipLocalsInit]
    private static unsafe void GatheredBlock(TreeEnsemble ensemble, ReadOnlySpan<float> block, int count, Span<float> sums)
    {
        sums[..count].Clear();
        var width = ensemble.FeatureCount;
        var groups = (count + 7) / 8;
        Span<Vector256<float>> accumulators = stackalloc Vector256<float>[BlockRows / 8];
        accumulators[..groups].Clear();
        fixed (float* x = block)
        fixed (int* feature = ensemble.Feature)
        fixed (float* threshold = ensemble.Threshold)
        fixed (int* left = ensemble.Left)
        fixed (float* value = ensemble.Value)
        {
            var lanes = Vector256.Create(0, 1, 2, 3, 4, 5, 6, 7);
            for (var t = 0; t < ensemble.Roots.Length; t++)
            {
                var root = Vector256.Create(ensemble.Roots[t]);
                var depth = ensemble.Depths[t];
                for (var g = 0; g < groups; g++)
                {
                    // As in InterleavedBlock: a short last block's group reaches back into the previous block's rows.
                    var first = Math.Min(g * 8, count - 8);
                    var rowStart = (lanes + Vector256.Create(first)) * width;
                    var node = root;
                    for (var step = 0; step < depth; step++)
                    {
                        var f = Avx2.GatherVector256(feature, node, 4);
                        var limit = Avx2.GatherVector256(threshold, node, 4);
                        var values = Avx2.GatherVector256(x, rowStart + f, 4);
                        var children = Avx2.GatherVector256(left, node, 4);
                        // CompareGreaterThan gives -1 in lanes going right: left + 1.
                        var next = children - Avx.CompareGreaterThan(values, limit).AsInt32();
                        if (next == node)
                        {
                            break;
                        }

                        node = next;
                    }

                    // In an overlapping last group, lanes that repeat the previous group's rows are summed but not kept.
                    accumulators[g] += Avx2.GatherVector256(value, node, 4);
                }
            }
        }

        for (var g = 0; g < groups; g++)
        {
            var first = Math.Min(g * 8, count - 8);
            var span = MemoryMarshal.Cast<Vector256<float>, float>(accumulators.Slice(g, 1));
            for (var lane = g * 8 - first; lane < 8; lane++)
            {
                sums[first + lane] = span[lane];
            }
        }
    }

    private static void Check(TreeEnsemble ensemble, ReadOnlySpan<float> features, int rows, Span<float> output)
    {
        ArgumentNullException.ThrowIfNull(ensemble);
        ArgumentOutOfRangeException.ThrowIfNegative(rows);
        if (features.Length < rows * ensemble.FeatureCount || output.Length < rows)
        {
            throw new ArgumentException($"Buffers too small for {rows} rows of {ensemble.FeatureCount} features.");
        }
    }
}
