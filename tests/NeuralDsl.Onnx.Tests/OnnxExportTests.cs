using System;
using System.Collections.Generic;
using System.Linq;
using NeuralDsl.Onnx.Tests.Models;
using Xunit;
using Xunit.Abstractions;

namespace NeuralDsl.Onnx.Tests;

/// <summary>
/// Every layer kind and option the export converts, and every sample model: exported, run in ONNX Runtime 1.32.0 and
/// compared with <c>Predict</c> on a seeded batch of 3 with randomized biases and statistics (OnnxHarness), within
/// 1e-5 in the max-norm relative error ‖onnx − predict‖∞ / ‖predict‖∞.
/// </summary>
public sealed class OnnxExportTests(ITestOutputHelper output)
{
    private static readonly Dictionary<string, Func<IModel<float>>> LayerModels = new()
    {
        [nameof(DenseMlp)] = () => new DenseMlp(1),
        [nameof(DenseOnSequence)] = () => new DenseOnSequence(2),
        [nameof(DenseNoBias)] = () => new DenseNoBias(3),
        [nameof(ActRelu)] = () => new ActRelu(4),
        [nameof(ActSigmoid)] = () => new ActSigmoid(5),
        [nameof(ActTanh)] = () => new ActTanh(6),
        [nameof(ActSoftmax)] = () => new ActSoftmax(7),
        [nameof(ActLeakyRelu)] = () => new ActLeakyRelu(8),
        [nameof(ActElu)] = () => new ActElu(9),
        [nameof(ActSelu)] = () => new ActSelu(10),
        [nameof(ActGelu)] = () => new ActGelu(11),
        [nameof(ActSwish)] = () => new ActSwish(12),
        [nameof(ActSoftplus)] = () => new ActSoftplus(13),
        [nameof(ActLinear)] = () => new ActLinear(14),
        [nameof(ConvValid)] = () => new ConvValid(15),
        [nameof(ConvSameStrides)] = () => new ConvSameStrides(16),
        [nameof(ConvDilation)] = () => new ConvDilation(17),
        [nameof(ConvUnequal)] = () => new ConvUnequal(18),
        [nameof(ConvSameEvenKernel)] = () => new ConvSameEvenKernel(19),
        [nameof(Conv1DValid)] = () => new Conv1DValid(20),
        [nameof(Conv1DSame)] = () => new Conv1DSame(21),
        [nameof(Conv1DDilation)] = () => new Conv1DDilation(22),
        [nameof(ConvPoolFlatten)] = () => new ConvPoolFlatten(23),
        [nameof(MaxPoolSame)] = () => new MaxPoolSame(24),
        [nameof(MaxPoolStrides)] = () => new MaxPoolStrides(25),
        [nameof(AveragePool)] = () => new AveragePool(26),
        [nameof(AveragePoolSame)] = () => new AveragePoolSame(27),
        [nameof(MaxPool1D)] = () => new MaxPool1D(28),
        [nameof(ZeroPaddingKeras)] = () => new ZeroPaddingKeras(29),
        [nameof(ZeroPaddingChannelsFirst)] = () => new ZeroPaddingChannelsFirst(30),
        [nameof(GlobalAverage2D)] = () => new GlobalAverage2D(31),
        [nameof(GlobalMax2D)] = () => new GlobalMax2D(32),
        [nameof(GlobalAverage2DKeras)] = () => new GlobalAverage2DKeras(33),
        [nameof(GlobalMax1DKeras)] = () => new GlobalMax1DKeras(34),
        [nameof(GlobalAverage1D)] = () => new GlobalAverage1D(35),
        [nameof(BatchNormDense)] = () => new BatchNormDense(36),
        [nameof(BatchNormConv)] = () => new BatchNormConv(37),
        [nameof(BatchNormNhwc)] = () => new BatchNormNhwc(38),
        [nameof(LayerNormModel)] = () => new LayerNormModel(39),
        [nameof(LayerNormNoCenter)] = () => new LayerNormNoCenter(40),
        [nameof(LayerNormRms)] = () => new LayerNormRms(41),
        [nameof(Merges)] = () => new Merges(42),
        [nameof(MergesChannelsFirst)] = () => new MergesChannelsFirst(43),
        [nameof(EmbeddingIds)] = () => new EmbeddingIds(44),
        [nameof(PositionEmbeddingModel)] = () => new PositionEmbeddingModel(46),
        [nameof(SinePositionModel)] = () => new SinePositionModel(47),
        [nameof(TokenAndPositionModel)] = () => new TokenAndPositionModel(48),
        [nameof(SimpleRnnLast)] = () => new SimpleRnnLast(49),
        [nameof(SimpleRnnSequences)] = () => new SimpleRnnSequences(50),
        [nameof(LstmLast)] = () => new LstmLast(51),
        [nameof(LstmSequences)] = () => new LstmSequences(52),
        [nameof(LstmBackwards)] = () => new LstmBackwards(53),
        [nameof(LstmBackwardsLast)] = () => new LstmBackwardsLast(54),
        [nameof(GruLast)] = () => new GruLast(55),
        [nameof(GruSequences)] = () => new GruSequences(56),
        [nameof(GruResetBefore)] = () => new GruResetBefore(57),
        [nameof(BidirectionalStack)] = () => new BidirectionalStack(58),
        [nameof(BidirectionalAverage)] = () => new BidirectionalAverage(59),
        [nameof(BidirectionalMultiply)] = () => new BidirectionalMultiply(60),
        [nameof(AttentionModel)] = () => new AttentionModel(61),
        [nameof(AttentionCausal)] = () => new AttentionCausal(62),
        [nameof(AttentionSizes)] = () => new AttentionSizes(63),
        [nameof(AttentionCross)] = () => new AttentionCross(64),
    };

    private static readonly Dictionary<string, Func<IModel<float>>> SampleModels = new()
    {
        ["Mnist MLP"] = () => new DigitClassifier(42),
        ["MnistCnn"] = () => new DigitCnn(42),
        ["SeedCnn"] = () => new SeedCnn(42),
        ["BreastCancer"] = () => new TumourClassifier(42),
        ["small ResNet"] = () => new ResNet.MnistResNet(42),
        ["Keras ResNet-50 ([ResNetBottleneck] blocks)"] = () => new ResNet.ResNet50(42),
        ["RainTomorrow SimpleRNN"] = () => new RainModel(42),
        ["StockForecast LSTM"] = () => new StockModel(42),
        ["SpamFilter Bidirectional GRU, unmasked"] = () => new SpamModelUnmasked(42),
    };

    public static TheoryData<string> LayerModelNames => new(LayerModels.Keys);

    public static TheoryData<string> SampleModelNames => new(SampleModels.Keys);

    [Theory]
    [MemberData(nameof(LayerModelNames))]
    public void A_layer_model_exported_to_onnx_computes_what_Predict_computes(string name)
    {
        double error = OnnxHarness.ExportAndCompare(LayerModels[name]());
        output.WriteLine($"{name}: relative error {error:E2}");
        Assert.True(error <= OnnxHarness.FloatTolerance, $"{name}: relative error {error:E2} > {OnnxHarness.FloatTolerance:E0}");
    }

    [Theory]
    [MemberData(nameof(SampleModelNames))]
    public void A_sample_model_exported_to_onnx_computes_what_Predict_computes(string name)
    {
        double error = OnnxHarness.ExportAndCompare(SampleModels[name]());
        output.WriteLine($"{name}: relative error {error:E2}");
        Assert.True(error <= OnnxHarness.FloatTolerance, $"{name}: relative error {error:E2} > {OnnxHarness.FloatTolerance:E0}");
    }

    [Fact]
    public void A_double_model_is_exported_with_double_tensors_and_runs_in_onnx_runtime()
    {
        var model = new DenseMlpD(5);
        double error = OnnxHarness.ExportAndCompare(model);
        // Double all the way (ORT computes in double): far below the float tolerance.
        Assert.True(error <= 1e-12, $"relative error {error:E2}");
        var proto = OnnxExport.Build(model);
        Assert.All(proto.Graph.Initializer, t => Assert.Equal((int)Proto.TensorProto.Types.DataType.Double, t.DataType));
    }

    [Fact]
    public void The_graph_has_opset_17_a_symbolic_batch_and_the_models_layout()
    {
        var proto = OnnxExport.Build(new DigitCnn(1));
        Assert.Equal(17, proto.OpsetImport.Single().Version);
        Proto.ValueInfoProto input = proto.Graph.Input.Single();
        Assert.Equal("input_layer", input.Name);
        var dims = input.Type.TensorType.Shape.Dim;
        Assert.Equal("N", dims[0].DimParam);
        Assert.Equal(new long[] { 28, 28, 1 }, dims.Skip(1).Select(d => d.DimValue).ToArray()); // NHWC, as Predict takes it
        Assert.Equal(new long[] { 10 }, proto.Graph.Output.Single().Type.TensorType.Shape.Dim.Skip(1).Select(d => d.DimValue).ToArray());
        // Two convolutions and two poolings run channels-first between one Transpose in and one out.
        Assert.Equal(2, proto.Graph.Node.Count(n => n.OpType == "Transpose"));
        Assert.Equal(["Conv", "MaxPool", "Conv", "MaxPool"], proto.Graph.Node.Where(n => n.OpType is "Conv" or "MaxPool").Select(n => n.OpType));
    }
}
