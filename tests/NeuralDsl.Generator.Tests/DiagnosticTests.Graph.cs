using NeuralDsl.Generator.Tests.Harness;
using Xunit;

namespace NeuralDsl.Generator.Tests;

/// <summary>
/// GraphConv's diagnostic: its batch axis is the graph's nodes, so each node's input must be one feature vector
/// (NDSL1024 on the GraphConv otherwise). A correct graph model reports nothing and compiles.
/// </summary>
public sealed partial class DiagnosticTests
{
    [Fact]
    public void Correct_graph_model_reports_nothing_and_compiles()
    {
        GeneratorRun run = ExpectNone(Model("[Sequential(Loss = Loss.SparseCategoricalCrossEntropy)]\n[Input(34)]\n[GraphConv(4, Activation.Tanh)]\n[Dropout(0.5)]\n[GraphConv(2, Activation.Softmax)]"));
        GeneratorHarness.AssertCompilesWithoutErrorsOrWarnings(run);
    }

    [Theory]
    [InlineData("[Input(5, 4)]\n[[|GraphConv(3)|]]",
        "GraphConv 'graph_conv' reads one feature vector per node (the batch axis is the graph's nodes), so its input must have the per-node shape [features], but 'input_layer' has shape [5, 4]")]
    [InlineData("[Input(6, 2)]\n[Conv1D(4, 3)]\n[[|GraphConv(3, Name = \"gcn\")|]]",
        "GraphConv 'gcn' reads one feature vector per node (the batch axis is the graph's nodes), so its input must have the per-node shape [features], but 'conv1d' has shape [4, 4]")]
    public void NDSL1024_graph_conv_on_more_than_a_feature_vector_per_node_names_the_shape(string layers, string message)
    {
        GeneratorRun run = Expect("NDSL1024", Model("[Sequential]\n" + layers));
        Assert.Equal(message, Assert.Single(run.GeneratorDiagnostics).GetMessage(System.Globalization.CultureInfo.InvariantCulture));
    }
}
