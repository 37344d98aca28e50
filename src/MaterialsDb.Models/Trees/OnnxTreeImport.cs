using Onnx;

namespace MaterialsDb.Models.Trees;

/// <summary>
/// Reads the graphs <c>models train</c> writes: one ONNX-ML <c>TreeEnsembleRegressor</c> (single target, SUM, no
/// post-transform, BRANCH_LEQ splits) between the graph's input and the named output, optionally through Identity
/// nodes; or that regressor gated by a classifier ensemble (<c>--zero-gate</c>: Mul, Add, Sigmoid, Greater, Where on
/// scalar constants). Anything else is left to ONNX Runtime.
/// </summary>
public static class OnnxTreeImport
{
    /// <summary>The compiled ensemble, or null with the reason when the graph is not a bare tree ensemble.</summary>
    public static TreeEnsemble? TryRead(byte[] onnx, string inputName, string outputName, int featureCount, out string? reason)
    {
        var model = TryReadModel(onnx, inputName, outputName, featureCount, out reason);
        if (model is { Gate: not null })
        {
            reason = "the graph is a gated tree ensemble";
            return null;
        }

        return model?.Trees;
    }

    /// <summary>The compiled member (gated or not), or null with the reason when the graph is neither shape.</summary>
    public static NativeModel? TryReadModel(byte[] onnx, string inputName, string outputName, int featureCount, out string? reason)
    {
        ArgumentNullException.ThrowIfNull(onnx);
        ModelProto model;
        try
        {
            model = ModelProto.Parser.ParseFrom(onnx);
        }
        catch (Google.Protobuf.InvalidProtocolBufferException e)
        {
            reason = "not an ONNX model: " + e.Message;
            return null;
        }

        var graph = model.Graph;
        var constants = graph.Initializer.Where(t => t.Dims.Count == 0 || (t.Dims.Count == 1 && t.Dims[0] == 1)).ToDictionary(t => t.Name, Scalar);
        var end = Source(graph, outputName);
        var producer = graph.Node.FirstOrDefault(n => n.Output.Contains(end));
        if (producer is null)
        {
            reason = $"no node produces '{outputName}'";
            return null;
        }

        var used = new HashSet<NodeProto>();
        TreeEnsemble? trees;
        GateTrees? gate = null;
        if (producer.OpType == "Where")
        {
            // Where(Greater(Sigmoid(Add(Mul(classifier, slope), offset)), threshold), regressor, 0)
            var greater = Single(graph, producer.Input[0], "Greater", used);
            var sigmoid = greater is null ? null : Single(graph, greater.Input[0], "Sigmoid", used);
            var add = sigmoid is null ? null : Single(graph, sigmoid.Input[0], "Add", used);
            var mul = add is null ? null : Single(graph, add.Input[0], "Mul", used);
            if (mul is null || !constants.TryGetValue(greater!.Input[1], out var threshold) || !constants.TryGetValue(add!.Input[1], out var offset)
                || !constants.TryGetValue(mul.Input[1], out var slope) || !constants.TryGetValue(producer.Input[2], out var zero) || zero != 0)
            {
                reason = "the graph is not a tree ensemble gated the way models train --zero-gate writes it";
                return null;
            }

            used.Add(producer);
            var classifier = Ensemble(graph, mul.Input[0], inputName, featureCount, used, out reason);
            trees = classifier is null ? null : Ensemble(graph, producer.Input[1], inputName, featureCount, used, out reason);
            if (trees is null)
            {
                return null;
            }

            gate = new GateTrees(classifier!, slope, offset, threshold);
        }
        else
        {
            trees = Ensemble(graph, end, inputName, featureCount, used, out reason);
            if (trees is null)
            {
                return null;
            }
        }

        if (graph.Node.FirstOrDefault(n => n.OpType != "Identity" && !used.Contains(n)) is { } other)
        {
            reason = $"the graph has a {other.OpType} node the native evaluator does not run";
            return null;
        }

        return new NativeModel(trees, gate);
    }

    // The single node of the given type producing the tensor (through Identity nodes).
    private static NodeProto? Single(GraphProto graph, string tensor, string opType, HashSet<NodeProto> used)
    {
        var source = Source(graph, tensor);
        var node = graph.Node.FirstOrDefault(n => n.Output.Contains(source));
        if (node is null || node.OpType != opType || node.Input.Count < 1)
        {
            return null;
        }

        used.Add(node);
        return node;
    }

    private static float Scalar(TensorProto tensor)
    {
        if (tensor.DataType != (int)TensorProto.Types.DataType.Float)
        {
            return float.NaN;
        }

        return tensor.FloatData.Count == 1 ? tensor.FloatData[0] : tensor.RawData.Length == 4 ? BitConverter.ToSingle(tensor.RawData.Span) : float.NaN;
    }

    private static TreeEnsemble? Ensemble(GraphProto graph, string tensor, string inputName, int featureCount, HashSet<NodeProto> used, out string? reason)
    {
        var node = Single(graph, tensor, "TreeEnsembleRegressor", used);
        if (node is null || node.Domain != "ai.onnx.ml")
        {
            reason = "the graph is not a single TreeEnsembleRegressor";
            return null;
        }

        if (Source(graph, node.Input[0]) != inputName)
        {
            reason = $"the tree ensemble does not read '{inputName}'";
            return null;
        }

        var a = node.Attribute.ToDictionary(x => x.Name);
        string Text(string name, string fallback) => a.TryGetValue(name, out var v) ? v.S.ToStringUtf8() : fallback;
        if (Text("aggregate_function", "SUM") != "SUM" || Text("post_transform", "NONE") != "NONE"
            || (a.TryGetValue("n_targets", out var targets) && targets.I != 1)
            || a.ContainsKey("nodes_values_as_tensor") || a.ContainsKey("target_weights_as_tensor") || a.ContainsKey("base_values_as_tensor"))
        {
            reason = "unsupported TreeEnsembleRegressor attributes (only single-target SUM without post-transform)";
            return null;
        }

        if (a["nodes_modes"].Strings.Select(s => s.ToStringUtf8()).Any(m => m is not ("BRANCH_LEQ" or "LEAF")))
        {
            reason = "split modes other than BRANCH_LEQ";
            return null;
        }

        var baseValue = a.TryGetValue("base_values", out var b) && b.Floats.Count > 0 ? b.Floats[0] : 0f;
        return TreeLayout.Build(
            featureCount,
            [.. a["nodes_treeids"].Ints.Select(i => (int)i)],
            [.. a["nodes_nodeids"].Ints.Select(i => (int)i)],
            [.. a["nodes_featureids"].Ints.Select(i => (int)i)],
            [.. a["nodes_modes"].Strings.Select(s => s.ToStringUtf8() == "LEAF")],
            [.. a["nodes_values"].Floats],
            [.. a["nodes_truenodeids"].Ints.Select(i => (int)i)],
            [.. a["nodes_falsenodeids"].Ints.Select(i => (int)i)],
            [.. a["target_treeids"].Ints.Select(i => (int)i)],
            [.. a["target_nodeids"].Ints.Select(i => (int)i)],
            [.. a["target_weights"].Floats],
            baseValue,
            out reason);
    }

    private static string Source(GraphProto graph, string tensor)
    {
        while (graph.Node.FirstOrDefault(n => n.OpType == "Identity" && n.Output[0] == tensor) is { } identity)
        {
            tensor = identity.Input[0];
        }

        return tensor;
    }
}
