using System;
using System.Globalization;
using System.Numerics;
using System.Numerics.Tensors;
using System.Runtime.InteropServices;

namespace NeuralDsl;

/// <summary>
/// The normalized adjacency of Kipf &amp; Welling's graph convolution, <c>Â = D^−½ (A + I) D^−½</c>, of an undirected
/// graph, built once from its edge list and kept in compressed sparse rows (CSR): D is the row sums of A + I, so
/// <c>Â[i, j] = 1 / sqrt(d_i d_j)</c> for every edge and every self loop. Â is symmetric, so the same product serves
/// the forward pass (Â·H) and the backward pass (Âᵀ·G = Â·G).
/// </summary>
/// <remarks>
/// Edges are undirected: (a, b) and (b, a) are the same edge, given once or twice; repeated edges count once, and a
/// self loop (a, a) adds nothing (every node has its loop from + I). An isolated node keeps only its self loop
/// (its row of Â is 1 on the diagonal). Building allocates; <see cref="Multiply{T}"/> does not.
/// </remarks>
public sealed class GraphAdjacency
{
    private readonly int[] _rowStarts;
    private readonly int[] _columns;
    private readonly double[] _values;
    private readonly float[] _singleValues;

    private GraphAdjacency(int nodes, int edges, int[] rowStarts, int[] columns, double[] values)
    {
        Nodes = nodes;
        EdgeCount = edges;
        _rowStarts = rowStarts;
        _columns = columns;
        _values = values;
        _singleValues = new float[values.Length];
        for (int i = 0; i < values.Length; i++)
            _singleValues[i] = (float)values[i];
    }

    /// <summary>Nodes of the graph: the rows (and columns) of Â.</summary>
    public int Nodes { get; }

    /// <summary>Distinct undirected edges between two different nodes (self loops and repeats not counted).</summary>
    public int EdgeCount { get; }

    /// <summary>Stored entries of Â: two per edge plus one self loop per node.</summary>
    public int NonZeroCount => _columns.Length;

    /// <summary>Where each row's entries start in <see cref="Columns"/> and <see cref="Values"/> (length nodes + 1).</summary>
    public ReadOnlySpan<int> RowStarts => _rowStarts;

    /// <summary>The column of each stored entry, ascending within a row.</summary>
    public ReadOnlySpan<int> Columns => _columns;

    /// <summary>The value of each stored entry, <c>1 / sqrt(d_i d_j)</c>.</summary>
    public ReadOnlySpan<double> Values => _values;

    /// <summary>
    /// Builds Â for <paramref name="nodes"/> nodes from an undirected edge list.
    /// </summary>
    /// <param name="nodes">Number of nodes; at least 1. Node ids are 0 … nodes − 1.</param>
    /// <param name="edges">The edges as (source, target) pairs, in either direction.</param>
    /// <returns>The normalized adjacency.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="nodes"/> is not positive, or an edge names a node
    /// outside [0, nodes) (the message names the edge's position and its two ids).</exception>
    public static GraphAdjacency FromEdges(int nodes, ReadOnlySpan<(int Source, int Target)> edges)
    {
        if (nodes < 1)
            throw new ArgumentOutOfRangeException(nameof(nodes), nodes, "A graph needs at least one node.");
        // Both directions of every edge plus the self loops, as row·nodes + column keys; sorted, repeats dropped.
        var keys = new long[2 * (long)edges.Length + nodes];
        int count = 0;
        for (int e = 0; e < edges.Length; e++)
        {
            (int a, int b) = edges[e];
            if ((uint)a >= (uint)nodes || (uint)b >= (uint)nodes)
            {
                throw new ArgumentOutOfRangeException(nameof(edges), string.Create(CultureInfo.InvariantCulture,
                    $"Edge {e} ({a}, {b}) names a node outside [0, {nodes}): node ids run from 0 to {nodes - 1}."));
            }
            if (a == b)
                continue;
            keys[count++] = (long)a * nodes + b;
            keys[count++] = (long)b * nodes + a;
        }
        for (int i = 0; i < nodes; i++)
            keys[count++] = (long)i * nodes + i;
        Array.Sort(keys, 0, count);

        var rowStarts = new int[nodes + 1];
        var columns = new int[count];
        int stored = 0;
        for (int k = 0; k < count; k++)
        {
            if (k > 0 && keys[k] == keys[k - 1])
                continue;
            int row = (int)(keys[k] / nodes);
            columns[stored++] = (int)(keys[k] % nodes);
            rowStarts[row + 1]++;
        }
        for (int i = 0; i < nodes; i++)
            rowStarts[i + 1] += rowStarts[i];
        Array.Resize(ref columns, stored);

        // d_i = entries of row i of A + I (the self loop included).
        var values = new double[stored];
        for (int i = 0; i < nodes; i++)
        {
            for (int k = rowStarts[i]; k < rowStarts[i + 1]; k++)
            {
                int j = columns[k];
                values[k] = 1.0 / Math.Sqrt((double)(rowStarts[i + 1] - rowStarts[i]) * (rowStarts[j + 1] - rowStarts[j]));
            }
        }
        return new GraphAdjacency(nodes, (stored - nodes) / 2, rowStarts, columns, values);
    }

    /// <summary>
    /// Builds Â from an edge list given as two id spans: edge e joins <paramref name="sources"/>[e] and
    /// <paramref name="targets"/>[e] (PyTorch Geometric's <c>edge_index</c> rows).
    /// </summary>
    /// <param name="nodes">Number of nodes; at least 1. Node ids are 0 … nodes − 1.</param>
    /// <param name="sources">One end of each edge.</param>
    /// <param name="targets">The other end of each edge; as many as <paramref name="sources"/>.</param>
    /// <returns>The normalized adjacency.</returns>
    /// <exception cref="ArgumentException">The two spans differ in length.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="nodes"/> is not positive, or an edge names a node outside [0, nodes).</exception>
    public static GraphAdjacency FromEdges(int nodes, ReadOnlySpan<int> sources, ReadOnlySpan<int> targets)
    {
        if (sources.Length != targets.Length)
        {
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture,
                $"An edge list needs one target per source, but there are {sources.Length} sources and {targets.Length} targets."), nameof(targets));
        }
        var edges = new (int, int)[sources.Length];
        for (int e = 0; e < edges.Length; e++)
            edges[e] = (sources[e], targets[e]);
        return FromEdges(nodes, edges);
    }

    /// <summary>
    /// <c>y = Â h</c> for <paramref name="h"/> [nodes, features]: each output row is the weighted sum of its neighbours'
    /// rows (itself included), in column order. Also the backward product, Â being symmetric.
    /// </summary>
    /// <param name="h">Input [nodes, features]; must not overlap <paramref name="y"/>.</param>
    /// <param name="y">Output [nodes, features] (overwritten).</param>
    /// <param name="features">Values per node; at least 1.</param>
    /// <exception cref="ArgumentException">A length is not nodes·features, or y overlaps h.</exception>
    public void Multiply<T>(ReadOnlySpan<T> h, Span<T> y, int features)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        KernelGuard.EnsureSupported<T>();
        KernelGuard.Positive(features, nameof(features));
        long expected = (long)Nodes * features;
        if (h.Length != expected || y.Length != expected)
        {
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture,
                $"The graph has {Nodes} nodes, so both spans must hold nodes·features = {Nodes}·{features} = {expected} values (one row per node), but h has {h.Length} and y has {y.Length}."),
                h.Length != expected ? nameof(h) : nameof(y));
        }
        if (y.Overlaps(h))
            throw new ArgumentException("The output overlaps the input; Â·h reads every input row for each output row.", nameof(y));

        ReadOnlySpan<T> values = typeof(T) == typeof(float)
            ? MemoryMarshal.Cast<float, T>(_singleValues)
            : MemoryMarshal.Cast<double, T>(_values);
        for (int i = 0; i < Nodes; i++)
        {
            Span<T> row = y.Slice(i * features, features);
            int start = _rowStarts[i];
            // Every row has its self loop, so it has at least one entry.
            TensorPrimitives.Multiply(h.Slice(_columns[start] * features, features), values[start], row);
            for (int k = start + 1; k < _rowStarts[i + 1]; k++)
                TensorPrimitives.MultiplyAdd(h.Slice(_columns[k] * features, features), values[k], row, row);
        }
    }

    /// <summary>Â as a dense [nodes, nodes] row-major array, for tests and inspection.</summary>
    /// <returns>A new array of nodes² values.</returns>
    public double[] ToDense()
    {
        var dense = new double[(long)Nodes * Nodes];
        for (int i = 0; i < Nodes; i++)
        {
            for (int k = _rowStarts[i]; k < _rowStarts[i + 1]; k++)
                dense[(long)i * Nodes + _columns[k]] = _values[k];
        }
        return dense;
    }
}
