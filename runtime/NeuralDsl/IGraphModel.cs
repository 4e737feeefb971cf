using System;
using System.Globalization;

namespace NeuralDsl;

/// <summary>
/// A generated model with <c>[GraphConv]</c> layers: it runs on one graph per instance (<c>SetGraph</c>), and the batch
/// axis of its calls is the node axis of that graph, so one call is the whole graph, rows in node-id order.
/// </summary>
public interface IGraphModel
{
    /// <summary>The instance's normalized adjacency, or null before <c>SetGraph</c>.</summary>
    GraphAdjacency? Graph { get; }

    /// <summary>Gives the model its graph; every later call runs on it, one input row per node.</summary>
    /// <param name="graph">Â of the graph, built by <see cref="GraphAdjacency.FromEdges(int, ReadOnlySpan{int}, ReadOnlySpan{int})"/> or its pair overload.</param>
    void SetGraph(GraphAdjacency graph);
}

/// <summary>The run-time checks a graph model's calls make before they touch anything.</summary>
public static class GraphCalls
{
    /// <summary>
    /// Throws unless the model has a graph and <paramref name="batch"/> (the input's rows) is its node count.
    /// </summary>
    /// <param name="graph">The model's graph, or null before <c>SetGraph</c>.</param>
    /// <param name="batch">The rows of the call's input.</param>
    /// <param name="model">The model name, for the message.</param>
    /// <param name="call">The public call being made (<c>Predict</c>, <c>TrainStep</c>, ...), for the message.</param>
    /// <exception cref="InvalidOperationException">No graph was set.</exception>
    /// <exception cref="ArgumentException">The input does not hold one row per node.</exception>
    public static void CheckNodes(GraphAdjacency? graph, int batch, string model, string call)
    {
        if (graph is null)
        {
            throw new InvalidOperationException(
                $"GraphConv needs a graph: call SetGraph(nodes, edges) before {call} (model '{model}').");
        }
        if (batch != graph.Nodes)
        {
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture,
                $"Model '{model}' runs on its whole graph at once, one input row per node: the graph has {graph.Nodes} nodes, but the input of {call} holds {batch} rows."),
                "input");
        }
    }
}
