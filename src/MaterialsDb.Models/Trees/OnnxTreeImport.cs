using Onnx;

namespace MaterialsDb.Models.Trees;

/// <summary>
/// Reads a graph that is exactly one ONNX-ML <c>TreeEnsembleRegressor</c> (single target, SUM, no post-transform,
/// BRANCH_LEQ splits) between the graph's input and the named output, optionally through Identity nodes: the graphs
/// <c>models train</c> writes. Anything else is left to ONNX Runtime.
/// </summary>
public static class OnnxTreeImport
{
    /// <summary>The compiled ensemble, or null with the reason when the graph is not of that shape.</summary>
    public static TreeEnsemble? TryRead(byte[] onnx, string inputName, string outputName, int featureCount, out string? reason)
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
        var trees = graph.Node.Where(n => n.OpType == "TreeEnsembleRegressor" && n.Domain == "ai.onnx.ml").ToList();
        if (trees.Count != 1 || graph.Node.Any(n => n.OpType != "Identity" && n != trees[0]))
        {
            reason = "the graph is not a single TreeEnsembleRegressor";
            return null;
        }

        var node = trees[0];
        if (Source(graph, node.Input[0]) != inputName || !ReachesOutput(graph, node.Output[0], outputName))
        {
            reason = $"the tree ensemble does not map '{inputName}' to '{outputName}'";
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
        var ensemble = TreeLayout.Build(
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
        return ensemble;
    }

    private static string Source(GraphProto graph, string tensor)
    {
        while (graph.Node.FirstOrDefault(n => n.OpType == "Identity" && n.Output[0] == tensor) is { } identity)
        {
            tensor = identity.Input[0];
        }

        return tensor;
    }

    private static bool ReachesOutput(GraphProto graph, string tensor, string output)
    {
        if (tensor == output)
        {
            return true;
        }

        return graph.Node.Where(n => n.OpType == "Identity" && n.Input[0] == tensor).Any(n => ReachesOutput(graph, n.Output[0], output));
    }
}
