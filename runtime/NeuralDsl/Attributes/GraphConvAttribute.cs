using System;

namespace NeuralDsl;

/// <summary>
/// Kipf &amp; Welling's graph convolution (GCN): <c>y = activation(Â · x · kernel + bias)</c> with
/// <c>Â = D^−½ (A + I) D^−½</c> the normalized adjacency of the graph given to the model instance by its generated
/// <c>SetGraph</c>, kernel (in, units) and bias (units) in Keras layout (<c>graph_conv.kernel</c>, <c>graph_conv.bias</c>).
/// </summary>
/// <remarks>
/// The batch axis of <c>Predict</c>, <c>Forward</c>, <c>ComputeGradients</c> and <c>TrainStep</c> is the node axis of the
/// graph: one call runs the whole graph, its input is [nodes, features] (one row per node, in node-id order), and a
/// call whose row count is not the graph's node count throws. Each node's per-sample input is one feature vector.
/// </remarks>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class GraphConvAttribute : LayerAttribute
{
    /// <summary>Declares a graph convolution with <paramref name="units"/> output features per node.</summary>
    public GraphConvAttribute(int units, Activation activation = Activation.Linear)
    {
        Units = units;
        Activation = activation;
    }

    /// <summary>Output features per node.</summary>
    public int Units { get; }

    /// <summary>Activation applied to <c>Â · x · kernel + bias</c>.</summary>
    public Activation Activation { get; }

    /// <summary>Whether the layer has a bias (default true).</summary>
    public bool UseBias { get; set; } = true;

    /// <summary>Kernel initializer (default glorot_uniform, as Spektral's GCNConv and PyG's GCNConv).</summary>
    public Initializer KernelInitializer { get; set; } = Initializer.GlorotUniform;

    /// <summary>Bias initializer (default zeros).</summary>
    public Initializer BiasInitializer { get; set; } = Initializer.Zeros;
}
