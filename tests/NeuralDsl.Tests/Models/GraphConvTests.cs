using System;
using System.Collections.Generic;
using System.Numerics;
using NeuralDsl.Tests.Conformance;
using Xunit;

namespace NeuralDsl.Tests.Models;

// The conformance cases: graph_conv_linear (5 nodes, 4 -> 2: units ≤ in, so Â · (x · kernel)) and graph_conv_relu
// (6 nodes, one isolated, 3 -> 4: units > in, so (Â · x) · kernel). Both orders of the products are covered.
[Sequential] [Input(4)] [GraphConv(2)] public partial class GcnLinearF;
[Sequential(ElementType = typeof(double))] [Input(4)] [GraphConv(2)] public partial class GcnLinearD;
[Sequential] [Input(3)] [GraphConv(4, Activation.ReLU)] public partial class GcnReluF;
[Sequential(ElementType = typeof(double))] [Input(3)] [GraphConv(4, Activation.ReLU)] public partial class GcnReluD;

// Gradient checks: two GraphConv layers (5 -> 6 aggregates first, 6 -> 3 aggregates after the product), and the same
// with a softmax head and a loss for ComputeGradients and the node mask.
[Sequential(ElementType = typeof(double))] [Input(5)] [GraphConv(6, Activation.Tanh)] [GraphConv(3)]
public partial class GradGcn;

[Sequential(Loss = Loss.SparseCategoricalCrossEntropy, ElementType = typeof(double))]
[Input(5)] [GraphConv(6, Activation.Tanh)] [GraphConv(3, Activation.Softmax)]
public partial class GradGcnClassifier;

[Sequential(Loss = Loss.MeanSquaredError, ElementType = typeof(double))]
[Input(3)] [GraphConv(4, Activation.Tanh, UseBias = false)] [Dense(2)]
public partial class GradGcnRegression;

// Token ids per node (an embedded bag of 3 ids), then a graph convolution: the int overloads check the graph too.
[Sequential(Loss = Loss.MeanSquaredError)] [Input(3)] [Embedding(5, 2)] [Flatten] [GraphConv(2)]
public partial class GcnOnTokens;

/// <summary>
/// The generated GraphConv layer: libtorch conformance (outputs and every gradient, float and double, the isolated
/// node included), double gradient checks of two-layer GCNs, the node-mask loss (mean over labelled nodes, other
/// targets never read), the run-time checks (no graph, wrong node count, Fit's shuffle) and zero allocations per step.
/// </summary>
public sealed class GraphConvTests
{
    // A small graph for the gradient checks: a path 0-1-2-3, a triangle 3-4-5, node 6 isolated.
    private const int Nodes = 7;
    private static readonly (int, int)[] Edges = [(0, 1), (1, 2), (2, 3), (3, 4), (4, 5), (5, 3)];

    [Theory]
    [InlineData("graph_conv_linear")]
    [InlineData("graph_conv_relu")]
    public void Matches_libtorch_in_float_and_double(string name)
    {
        var fixture = Fixture.Load(name);
        (IModel<float> f, IModel<double> d) = name == "graph_conv_linear"
            ? ((IModel<float>)new GcnLinearF(), (IModel<double>)new GcnLinearD())
            : (new GcnReluF(), new GcnReluD());
        Check(fixture, f);
        Check(fixture, d);
    }

    private static void Check<T>(Fixture fixture, IModel<T> model) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        // Tolerance.For: float 1e-5 relative / 1e-6 absolute, double 1e-10 (the conformance README's suggestion).
        Tolerance tolerance = Tolerance.For<T>();
        Assert.Equal("graph_conv.kernel", model.ParameterLayout[0].Name);
        Assert.Equal("graph_conv.bias", model.ParameterLayout[1].Name);
        fixture.Input<T>("kernel").CopyTo(model.Parameters.Slice(model.ParameterLayout[0].Offset, model.ParameterLayout[0].Length));
        fixture.Input<T>("bias").CopyTo(model.Parameters.Slice(model.ParameterLayout[1].Offset, model.ParameterLayout[1].Length));
        GraphAdjacency graph = FromAdjacency(fixture, out int nodes);
        ((IGraphModel)model).SetGraph(graph);
        Assert.Same(graph, ((IGraphModel)model).Graph);

        T[] input = fixture.Input<T>("input");
        var output = new T[nodes * model.OutputSize];
        model.Forward(input, output, training: true);
        tolerance.AssertClose<T>(output, fixture.Get("output"), fixture.Name + " output");
        var inference = new T[output.Length];
        model.Predict(input, inference);
        tolerance.AssertClose<T>(inference, fixture.Get("output"), fixture.Name + " output (inference)");

        var gradInput = new T[input.Length];
        model.ZeroGradients();
        model.Backward(fixture.Input<T>("grad_output"), gradInput);
        tolerance.AssertClose<T>(gradInput, fixture.Get("grad_input"), fixture.Name + " grad_input");
        tolerance.AssertClose<T>(model.Gradients.Slice(model.ParameterLayout[0].Offset, model.ParameterLayout[0].Length), fixture.Get("grad_kernel"), fixture.Name + " grad_kernel");
        tolerance.AssertClose<T>(model.Gradients.Slice(model.ParameterLayout[1].Offset, model.ParameterLayout[1].Length), fixture.Get("grad_bias"), fixture.Name + " grad_bias");
    }

    /// <summary>The fixture's 0/1 adjacency as an edge list (upper triangle), through the span-pair overload of SetGraph's builder.</summary>
    private static GraphAdjacency FromAdjacency(Fixture fixture, out int nodes)
    {
        nodes = fixture.Shape("adjacency")[0];
        double[] a = fixture.Get("adjacency");
        var sources = new List<int>();
        var targets = new List<int>();
        for (int i = 0; i < nodes; i++)
        {
            for (int j = i + 1; j < nodes; j++)
            {
                if (a[i * nodes + j] != 0)
                {
                    sources.Add(i);
                    targets.Add(j);
                }
            }
        }
        return GraphAdjacency.FromEdges(nodes, sources.ToArray(), targets.ToArray());
    }

    [Fact]
    public void Two_layer_gcn_backward_matches_central_differences()
    {
        var model = new GradGcn(seed: 3);
        model.SetGraph(Nodes, Edges);
        GradientCheck.Random(model.Parameters.Length, 11, scale: 0.8).CopyTo(model.Parameters);
        GradientCheck.CheckBackward(model, batch: Nodes, seed: 5);
    }

    [Fact]
    public void ComputeGradients_matches_central_differences_of_the_mean_loss()
    {
        var classifier = new GradGcnClassifier(seed: 4);
        classifier.SetGraph(Nodes, Edges);
        GradientCheck.Random(classifier.Parameters.Length, 12, scale: 0.8).CopyTo(classifier.Parameters);
        GradientCheck.CheckLoss(classifier, GradientCheck.Random(Nodes * 5, 13), [0, 2, 1, 1, 0, 2, 1]);

        // No bias, a Dense head and a loss without a fused gradient.
        var regression = new GradGcnRegression(seed: 5);
        int[] sources = [0, 1, 2, 3, 4, 5], targets = [1, 2, 3, 4, 5, 3];
        regression.SetGraph(Nodes, sources, targets);
        GradientCheck.Random(regression.Parameters.Length, 14, scale: 0.8).CopyTo(regression.Parameters);
        GradientCheck.CheckLoss(regression, GradientCheck.Random(Nodes * 3, 15), GradientCheck.Random(Nodes * 2, 16));
    }

    [Fact]
    public void Masked_loss_is_the_mean_over_labelled_nodes_and_its_gradient_matches_a_hand_computation()
    {
        var model = new GradGcnClassifier(seed: 6);
        model.SetGraph(Nodes, Edges);
        GradientCheck.Random(model.Parameters.Length, 21, scale: 0.8).CopyTo(model.Parameters);
        double[] x = GradientCheck.Random(Nodes * 5, 22);
        bool[] mask = [true, false, false, true, false, true, false];
        double[] labels = [2, 0, 1, 0, 1, 1, 2];

        double loss = model.ComputeGradients(x, labels, mask);
        double[] analytic = model.Gradients.ToArray();

        // By hand: the softmax outputs of the whole graph, then -log p[label] averaged over the three labelled nodes.
        double Objective()
        {
            double[] p = model.Predict(x);
            double sum = 0;
            int labelled = 0;
            for (int i = 0; i < Nodes; i++)
            {
                if (!mask[i])
                    continue;
                labelled++;
                sum -= Math.Log(p[i * 3 + (int)labels[i]]);
            }
            return sum / labelled;
        }

        Assert.Equal(Objective(), loss, 12);
        var numeric = new double[analytic.Length];
        for (int i = 0; i < numeric.Length; i++)
        {
            double saved = model.Parameters[i];
            model.Parameters[i] = saved + GradientCheck.Step;
            double plus = Objective();
            model.Parameters[i] = saved - GradientCheck.Step;
            double minus = Objective();
            model.Parameters[i] = saved;
            numeric[i] = (plus - minus) / (2 * GradientCheck.Step);
        }
        double error = GradientCheck.RelativeError(analytic, numeric);
        Assert.True(error < GradientCheck.Tolerance, $"masked loss gradient relative error {error:E3} ≥ {GradientCheck.Tolerance:E0}");

        // The unlabelled nodes' targets are never read: placeholders a sparse label would reject change nothing.
        double[] placeholders = [2, -1, double.NaN, 0, 99, 1, -1];
        Assert.Equal(loss, model.ComputeGradients(x, placeholders, mask));
        Assert.Equal(analytic, model.Gradients.ToArray());

        // Every node labelled: the same as the unmasked ComputeGradients.
        bool[] all = [true, true, true, true, true, true, true];
        double full = model.ComputeGradients(x, labels);
        double[] fullGradient = model.Gradients.ToArray();
        Assert.Equal(full, model.ComputeGradients(x, labels, all), 14);
        Assert.True(GradientCheck.RelativeError(fullGradient, model.Gradients.ToArray()) < 1e-14);
    }

    [Fact]
    public void Masked_train_step_moves_only_what_labelled_nodes_ask_for_and_checks_the_mask()
    {
        var model = new GradGcnClassifier(seed: 7);
        model.SetGraph(Nodes, Edges);
        double[] x = GradientCheck.Random(Nodes * 5, 23);
        double[] labels = [0, 0, 0, 0, 0, 0, 0];
        var e = Assert.Throws<ArgumentException>(() => model.TrainStep(x, labels, new bool[Nodes], new Sgd(0.1)));
        Assert.Equal("mask", e.ParamName);
        e = Assert.Throws<ArgumentException>(() => model.TrainStep(x, labels, new bool[Nodes - 1], new Sgd(0.1)));
        Assert.Contains("one entry per sample (7)", e.Message, StringComparison.Ordinal);
        bool[] mask = [true, false, false, false, false, false, false];
        labels[0] = 3; // not a class of 3
        e = Assert.Throws<ArgumentException>(() => model.TrainStep(x, labels, mask, new Sgd(0.1)));
        Assert.Equal("target", e.ParamName);
        Assert.Contains("labelled sample 0", e.Message, StringComparison.Ordinal);

        labels[0] = 1;
        double before = model.ComputeGradients(x, labels, mask);
        var sgd = new Sgd(0.5);
        for (int step = 0; step < 20; step++)
            model.TrainStep(x, labels, mask, sgd);
        Assert.True(model.ComputeGradients(x, labels, mask) < before / 2, "20 SGD steps on one labelled node halve its loss");
    }

    [Fact]
    public void Every_call_without_a_graph_throws_naming_the_call()
    {
        var model = new GradGcnClassifier(seed: 1);
        double[] x = new double[Nodes * 5], y = new double[Nodes], output = new double[Nodes * 3];
        Assert.Null(model.Graph);
        AssertNoGraph("Predict", () => model.Predict(x, output));
        AssertNoGraph("Forward", () => model.Forward(x, output, training: true));
        AssertNoGraph("ComputeGradients", () => model.ComputeGradients(x, y));
        AssertNoGraph("TrainStep", () => model.TrainStep(x, y, new Adam()));
        AssertNoGraph("TrainStep", () => model.TrainStep(x, y, new bool[Nodes], new Adam()));

        static void AssertNoGraph(string call, Action action)
        {
            var e = Assert.Throws<InvalidOperationException>(action);
            Assert.Contains("GraphConv needs a graph: call SetGraph(nodes, edges) before " + call, e.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Token_id_overloads_check_the_graph_too()
    {
        var model = new GcnOnTokens(seed: 1);
        int[] ids = [0, 1, 2, 3, 4, 0];
        var e = Assert.Throws<InvalidOperationException>(() => model.Predict(ids));
        Assert.Contains("before Predict", e.Message, StringComparison.Ordinal);
        e = Assert.Throws<InvalidOperationException>(() => model.TrainStep(ids, new float[4], new Adam()));
        Assert.Contains("before TrainStep", e.Message, StringComparison.Ordinal);
        model.SetGraph(2, [(0, 1)]);
        Assert.Equal(4, model.Predict(ids).Length);
        Assert.Throws<ArgumentException>(() => model.Predict(ids.AsSpan(0, 3)));
    }

    [Fact]
    public void A_batch_that_is_not_the_graphs_node_count_throws_naming_both()
    {
        var model = new GradGcnClassifier(seed: 1);
        model.SetGraph(Nodes, Edges);
        double[] x = new double[(Nodes - 1) * 5], output = new double[(Nodes - 1) * 3];
        var e = Assert.Throws<ArgumentException>(() => model.Predict(x, output));
        Assert.Contains("the graph has 7 nodes, but the input of Predict holds 6 rows", e.Message, StringComparison.Ordinal);
        e = Assert.Throws<ArgumentException>(() => model.TrainStep(x, new double[Nodes - 1], new Adam()));
        Assert.Contains("the input of TrainStep holds 6 rows", e.Message, StringComparison.Ordinal);

        // An edge naming a node outside the graph is rejected by SetGraph, which keeps the graph it had.
        Assert.Throws<ArgumentOutOfRangeException>(() => model.SetGraph(3, Edges));
        Assert.Equal(Nodes, model.Graph!.Nodes);
    }

    [Fact]
    public void Fit_refuses_to_shuffle_the_nodes_and_trains_on_the_whole_graph_in_order()
    {
        var model = new GradGcnClassifier(seed: 2);
        model.SetGraph(Nodes, Edges);
        double[] x = GradientCheck.Random(Nodes * 5, 24);
        double[] y = [0, 0, 1, 1, 2, 2, 1];
        var e = Assert.Throws<ArgumentException>(() => model.Fit(x, y, epochs: 1, batchSize: Nodes, verbose: false));
        Assert.Equal("shuffle", e.ParamName);
        History history = model.Fit(x, y, epochs: 30, batchSize: Nodes, shuffle: false, verbose: false, optimizer: new Adam(0.05));
        Assert.True(history["loss"][history["loss"].Count - 1] < history["loss"][0]);
    }

    [Fact]
    public void A_masked_train_step_allocates_nothing_once_warm()
    {
        var model = new GradGcnClassifier(seed: 8);
        model.SetGraph(Nodes, Edges);
        double[] x = GradientCheck.Random(Nodes * 5, 25);
        double[] labels = [0, 1, 2, 0, 1, 2, 0];
        bool[] mask = [true, false, true, false, true, false, false];
        var adam = new Adam();
        model.TrainStep(x, labels, mask, adam);
        var output = new double[Nodes * 3];
        model.Predict(x, output);
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 10; i++)
        {
            model.TrainStep(x, labels, mask, adam);
            model.Predict(x, output);
        }
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }
}
