using System.Linq;
using NeuralDsl.Generator.Layers;
using NeuralDsl.Generator.Model;

namespace NeuralDsl.Generator.Emit;

/// <summary>
/// The members of a model with <c>[GraphConv]</c> layers: the instance's graph (<c>SetGraph</c>, <c>Graph</c>), the check
/// every call makes that the graph is set and the batch is its nodes, and the node-mask overloads of
/// ComputeGradients and TrainStep (semi-supervised node classification).
/// </summary>
internal sealed partial class ModelEmitter
{
    /// <summary>True when a layer is a GraphConv: the batch axis is then the graph's node axis.</summary>
    private bool HasGraph => Layers.Any(l => l.Spec is GraphConvSpec);

    private const string GraphField = GraphConvSpec.GraphField;

    /// <summary>In a graph model, the check that the graph is set and the input has one row per node.</summary>
    private void WriteGraphCheck(string call)
    {
        if (HasGraph)
            _w.Call("global::NeuralDsl.GraphCalls.CheckNodes", [GraphField, "batch", "ModelName", "\"" + call + "\""]);
    }

    private void WriteGraphMembers()
    {
        if (!HasGraph)
            return;
        string t = _t;
        _w.Comment("Â of the graph every call runs on, set once by SetGraph; the layers read it, never write it.");
        _w.Line("private global::NeuralDsl.GraphAdjacency? " + GraphField + ";");
        _w.Line();
        _w.DocSummary("The graph the GraphConv layers run on (Â, normalized), or null before <c>SetGraph</c>.");
        _w.Line("public global::NeuralDsl.GraphAdjacency? Graph => " + GraphField + ";");
        _w.Line();
        _w.DocSummary("Gives the model its graph: builds Â = D^−½(A + I)D^−½ of the undirected <paramref name=\"edges\"/> once. Every later " +
            "call runs on the whole graph: its input is [<paramref name=\"nodes\"/> × " + Literals.Int(_plan.InputSize) + "], one row per node in id order.");
        using (_w.Method("public void SetGraph", ["int nodes", "global::System.ReadOnlySpan<(int Source, int Target)> edges"]))
            _w.Line("SetGraph(global::NeuralDsl.GraphAdjacency.FromEdges(nodes, edges));");
        _w.Line();
        _w.DocSummary("Gives the model its graph from two id spans (PyTorch Geometric's <c>edge_index</c> rows): edge e joins " +
            "<paramref name=\"sources\"/>[e] and <paramref name=\"targets\"/>[e].");
        using (_w.Method("public void SetGraph", ["int nodes", "global::System.ReadOnlySpan<int> sources", "global::System.ReadOnlySpan<int> targets"]))
            _w.Line("SetGraph(global::NeuralDsl.GraphAdjacency.FromEdges(nodes, sources, targets));");
        _w.Line();
        _w.DocSummary("Gives the model a graph built before (one Â may serve several models). Waits for no call: it takes the " +
            "instance like a training call, so it throws while another call runs.");
        using (_w.Method("public void SetGraph", ["global::NeuralDsl.GraphAdjacency graph"]))
        {
            _w.Line("global::System.ArgumentNullException.ThrowIfNull(graph);");
            WriteInCallState(Names.EnterTraining, Names.ExitTraining, GraphField + " = graph;");
        }
        _w.Line();
        if (Spec.Loss == Loss.None)
            return;

        string summary = "labelled nodes (<paramref name=\"mask\"/>[i] true) only: the loss is the mean over them and the other nodes' " +
            "targets are never read (Kipf &amp; Welling's semi-supervised setting, PyTorch Geometric's <c>loss[train_mask]</c>).";
        _w.DocSummary("<c>ComputeGradients</c> on the " + summary);
        using (_w.Method("public " + t + " ComputeGradients", [ReadOnlySpan + " input", ReadOnlySpan + " target", "global::System.ReadOnlySpan<bool> mask"]))
        {
            WriteMaskedChecks("ComputeGradients");
            WriteInCallState(Names.EnterTraining, Names.ExitTraining,
                "return " + Names.TrainingWorkspace + "." + Names.Private("ComputeGradientsMasked") + "(input, target, mask, batch);");
        }
        _w.Line();
        _w.DocSummary("One training step on the " + summary);
        using (_w.Method("public " + t + " TrainStep",
            [ReadOnlySpan + " input", ReadOnlySpan + " target", "global::System.ReadOnlySpan<bool> mask", "global::NeuralDsl.Optimizer optimizer"]))
        {
            _w.Line("global::System.ArgumentNullException.ThrowIfNull(optimizer);");
            WriteMaskedChecks("TrainStep");
            WriteInCallState(Names.EnterTraining, Names.ExitTraining,
                t + " loss = " + Names.TrainingWorkspace + "." + Names.Private("ComputeGradientsMasked") + "(input, target, mask, batch);",
                OptimizerStep,
                "return loss;");
        }
        _w.Line();
    }

    // The batch, the graph, the target's length and the mask with its labelled targets, before anything moves.
    private void WriteMaskedChecks(string call)
    {
        WriteBatchCount(call);
        _w.Call("global::NeuralDsl.Batches.CheckTargetLength", ["target.Length", "(long)batch * TargetSize", "nameof(target)", "batch", "TargetSize"]);
        _w.Call("global::NeuralDsl.NodeMask.Validate", [LossName, "target", "mask", "batch", "TargetSize", Literals.Int(_plan.OutputShape.Last)]);
    }
}
