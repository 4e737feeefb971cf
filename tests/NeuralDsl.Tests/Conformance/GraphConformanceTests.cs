using System;
using System.Collections.Generic;
using System.Numerics;
using Xunit;

namespace NeuralDsl.Tests.Conformance;

/// <summary>
/// The <c>graph_conv_*</c> cases against <see cref="GraphAdjacency"/>: Â built from the edges of the stored
/// <c>adjacency</c> equals <c>normalized_adjacency</c> (the relu case has an isolated node), and
/// <c>act(Â·X·W + b)</c> with the gradients <c>grad_input</c>, <c>grad_kernel</c>, <c>grad_bias</c> match when the
/// graph products go through <see cref="GraphAdjacency.Multiply{T}"/> (the dense products here are plain loops in
/// double). Double and float, tolerances of Fixtures/README.md (<see cref="Tolerance.For{T}"/>).
/// </summary>
public sealed class GraphConformanceTests
{
    public static TheoryData<string> Cases => ["graph_conv_linear", "graph_conv_relu"];

    [Theory]
    [MemberData(nameof(Cases))]
    public void Normalized_adjacency_matches(string name)
    {
        Fixture f = Fixture.Load(name);
        GraphAdjacency graph = Build(f, out int nodes);
        Tolerance.Double.AssertClose<double>(graph.ToDense(), f.Get("normalized_adjacency"), name + " normalized_adjacency");
        Assert.Equal(nodes, graph.Nodes);
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Layer_matches_in_double(string name) => CheckLayer<double>(name);

    [Theory]
    [MemberData(nameof(Cases))]
    public void Layer_matches_in_float(string name) => CheckLayer<float>(name);

    private static void CheckLayer<T>(string name) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        Fixture f = Fixture.Load(name);
        GraphAdjacency graph = Build(f, out int nodes);
        bool relu = f.Meta("activation") == "relu";
        int features = f.Shape("kernel")[0];
        int units = f.Shape("kernel")[1];
        double[] x = f.Get("input");
        double[] w = f.Get("kernel");
        double[] b = f.Get("bias");
        double[] g = f.Get("grad_output");
        Tolerance tol = Tolerance.For<T>();

        // Forward: Z = X·W (loops), P = Â·Z (the kernel), Y = act(P + b).
        T[] z = Convert<T>(MatMul(x, w, nodes, features, units));
        var p = new T[z.Length];
        graph.Multiply<T>(z, p, units);
        var y = new double[p.Length];
        for (int i = 0; i < y.Length; i++)
        {
            double pre = double.CreateTruncating(p[i]) + b[i % units];
            y[i] = relu ? Math.Max(pre, 0) : pre;
        }
        tol.AssertClose<double>(y, f.Get("output"), name + " output");

        // Backward: dP = G ⊙ act′, dZ = Âᵀ·dP = Â·dP (the kernel), dW = Xᵀ·dZ, db = Σ dP, dX = dZ·Wᵀ.
        var dP = new T[p.Length];
        var db = new double[units];
        for (int i = 0; i < dP.Length; i++)
        {
            double d = relu && y[i] <= 0 ? 0 : g[i];
            dP[i] = T.CreateTruncating(d);
            db[i % units] += d;
        }
        var dZ = new T[dP.Length];
        graph.Multiply<T>(dP, dZ, units);
        double[] dz = Convert(dZ);
        tol.AssertClose<double>(MatMul(Transpose(x, nodes, features), dz, features, nodes, units), f.Get("grad_kernel"), name + " grad_kernel");
        tol.AssertClose<double>(db, f.Get("grad_bias"), name + " grad_bias");
        tol.AssertClose<double>(MatMul(dz, Transpose(w, features, units), nodes, units, features), f.Get("grad_input"), name + " grad_input");
    }

    [Fact]
    public void Isolated_node_keeps_only_its_self_loop_and_repeats_count_once()
    {
        GraphAdjacency graph = GraphAdjacency.FromEdges(4, [(0, 1), (1, 0), (1, 2), (1, 2), (2, 2)]);
        Assert.Equal(2, graph.EdgeCount);
        Assert.Equal(2 * 2 + 4, graph.NonZeroCount);
        double[] dense = graph.ToDense();
        // Degrees of A + I: 2, 3, 2, 1.
        Assert.Equal(1 / Math.Sqrt(2 * 3), dense[0 * 4 + 1], 15);
        Assert.Equal(1 / 3.0, dense[1 * 4 + 1], 15);
        Assert.Equal(1.0, dense[3 * 4 + 3], 15);
        Assert.Equal(0.0, dense[3 * 4 + 0]);
    }

    [Theory]
    [InlineData(4, 2)]
    [InlineData(-1, 0)]
    public void An_edge_outside_the_node_range_throws_naming_it(int source, int target)
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => GraphAdjacency.FromEdges(4, [(0, 1), (source, target)]));
        Assert.Contains($"Edge 1 ({source}, {target})", e.Message, StringComparison.Ordinal);
        Assert.Contains("[0, 4)", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Multiply_checks_the_row_count_against_the_graph()
    {
        GraphAdjacency graph = GraphAdjacency.FromEdges(3, [(0, 1)]);
        var e = Assert.Throws<ArgumentException>(() => graph.Multiply<float>(new float[8], new float[6], 2));
        Assert.Contains("3 nodes", e.Message, StringComparison.Ordinal);
        Assert.Equal("h", e.ParamName);
    }

    /// <summary>The edges of the fixture's 0/1 adjacency, the upper triangle, half of them written reversed.</summary>
    private static GraphAdjacency Build(Fixture f, out int nodes)
    {
        nodes = f.Shape("adjacency")[0];
        double[] a = f.Get("adjacency");
        var edges = new List<(int, int)>();
        for (int i = 0; i < nodes; i++)
        {
            for (int j = i + 1; j < nodes; j++)
            {
                if (a[i * nodes + j] != 0)
                    edges.Add(edges.Count % 2 == 0 ? (i, j) : (j, i));
            }
        }
        return GraphAdjacency.FromEdges(nodes, edges.ToArray());
    }

    private static double[] MatMul(double[] a, double[] b, int m, int k, int n)
    {
        var c = new double[m * n];
        for (int i = 0; i < m; i++)
            for (int t = 0; t < k; t++)
                for (int j = 0; j < n; j++)
                    c[i * n + j] += a[i * k + t] * b[t * n + j];
        return c;
    }

    private static double[] Transpose(double[] a, int rows, int columns)
    {
        var t = new double[a.Length];
        for (int i = 0; i < rows; i++)
            for (int j = 0; j < columns; j++)
                t[j * rows + i] = a[i * columns + j];
        return t;
    }

    private static T[] Convert<T>(double[] values) where T : unmanaged, IBinaryFloatingPointIeee754<T> =>
        Array.ConvertAll(values, T.CreateTruncating);

    private static double[] Convert<T>(T[] values) where T : unmanaged, IBinaryFloatingPointIeee754<T> =>
        Array.ConvertAll(values, double.CreateTruncating);
}
