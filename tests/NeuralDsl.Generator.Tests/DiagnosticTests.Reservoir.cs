using NeuralDsl.Generator.Tests.Harness;
using Xunit;

namespace NeuralDsl.Generator.Tests;

// Echo state networks ([Reservoir] + [Input] + [Readout]): one test per diagnostic of the reservoir pipeline, id and span.
public sealed partial class DiagnosticTests
{
    private static void ExpectOne(string id, string markedSource) => Expect(id, markedSource);

    private static string EchoStateNetwork(string reservoir, string input = "[Input(1)]", string readout = "[Readout(1)]") =>
        "using NeuralDsl;\n\nnamespace Models;\n\n" + reservoir + "\n" + input + "\n" + readout + "\npublic partial class Esn;\n";

    [Fact]
    public void NDSL0021_reservoir_without_readout_on_the_reservoir() =>
        ExpectOne("NDSL0021", EchoStateNetwork("[[|Reservoir(10)|]]", readout: ""));

    [Fact]
    public void NDSL0021_readout_without_reservoir_on_the_readout() =>
        ExpectOne("NDSL0021", "using NeuralDsl;\n\n[[|Readout(1)|]]\npublic partial class Lonely;\n");

    [Fact]
    public void NDSL0022_reservoir_with_a_layer_on_the_layer() =>
        ExpectOne("NDSL0022", EchoStateNetwork("[Reservoir(10)]\n[[|Dense(3)|]]"));

    [Fact]
    public void NDSL0023_softmax_reservoir_on_the_activation() =>
        ExpectOne("NDSL0023", EchoStateNetwork("[Reservoir(10, [|Activation = Activation.Softmax|])]"));

    [Theory]
    [InlineData("LeakRate = 0")]
    [InlineData("LeakRate = 1.5")]
    [InlineData("Connectivity = 0")]
    [InlineData("Connectivity = 1.01")]
    [InlineData("InputConnectivity = -0.1")]
    [InlineData("LeakRate = double.NaN")]
    public void NDSL1021_rate_or_density_outside_0_1_on_the_argument(string argument) =>
        ExpectOne("NDSL1021", EchoStateNetwork("[Reservoir(10, [|" + argument + "|])]"));

    [Theory]
    [InlineData("SpectralRadius = -1")]
    [InlineData("SpectralRadius = double.PositiveInfinity")]
    [InlineData("InputScaling = -0.5")]
    [InlineData("Bias = -1")]
    public void NDSL1022_negative_reservoir_setting_on_the_argument(string argument) =>
        ExpectOne("NDSL1022", EchoStateNetwork("[Reservoir(10, [|" + argument + "|])]"));

    [Theory]
    [InlineData("Ridge = -1e-6")]
    [InlineData("Warmup = -1")]
    public void NDSL1022_negative_readout_setting_on_the_argument(string argument) =>
        ExpectOne("NDSL1022", EchoStateNetwork("[Reservoir(10)]", readout: "[Readout(1, [|" + argument + "|])]"));

    [Fact]
    public void NDSL1023_input_of_rank_two_on_the_input() =>
        ExpectOne("NDSL1023", EchoStateNetwork("[Reservoir(10)]", input: "[[|Input(5, 2)|]]"));

    [Fact]
    public void NDSL1001_units_below_one_on_the_reservoir() =>
        ExpectOne("NDSL1001", EchoStateNetwork("[[|Reservoir(0)|]]"));

    [Fact]
    public void NDSL1001_outputs_below_one_on_the_readout() =>
        ExpectOne("NDSL1001", EchoStateNetwork("[Reservoir(4)]", readout: "[[|Readout(0)|]]"));

    [Fact]
    public void NDSL0003_reservoir_without_input_on_the_reservoir() =>
        ExpectOne("NDSL0003", EchoStateNetwork("[[|Reservoir(4)|]]", input: ""));

    [Fact]
    public void NDSL0001_reservoir_class_not_partial() =>
        ExpectOne("NDSL0001", "using NeuralDsl;\n\n[Reservoir(4)]\n[Input(1)]\n[Readout(1)]\npublic class [|Plain|];\n");
}
