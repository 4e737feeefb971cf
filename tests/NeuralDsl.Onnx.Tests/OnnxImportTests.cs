using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using Google.Protobuf;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using NeuralDsl.Onnx.Proto;
using NeuralDsl.Onnx.Tests.Models;
using Xunit;

namespace NeuralDsl.Onnx.Tests;

// The declared counterpart of the hand-built file below: NHWC, Keras layers; the file is NCHW in PyTorch/CNTK
// conventions. The residual's shortcut is declared after the main branch, while the file writes it first (as CNTK does).
[Sequential]
[Input(8, 8, 3)]
[Conv2D(4, 3, Padding = Padding.Same, Name = "conv1")]
[BatchNormalization(Epsilon = 1e-5, Name = "bn1")]
[Activation(Activation.ReLU, Name = "relu1")]
[MaxPooling2D(2, Name = "pool")]
[Conv2D(6, 3, Padding = Padding.Same, UseBias = false, Name = "conv2")]
[BatchNormalization(Epsilon = 1e-5, Name = "bn2")]
[Activation(Activation.ReLU, Name = "relu2")]
[Conv2D(6, 1, UseBias = false, Input = "pool", Name = "shortcut")]
[BatchNormalization(Epsilon = 1e-5, Name = "shortcut_bn")]
[Add(From = "relu2", Name = "add")]
[Activation(Activation.ReLU, Name = "out")]
[GlobalAveragePooling2D(Name = "gap")]
[Dense(5, Name = "fc")]
public partial class OnnxImportNet;

// The same network with a wrong filter count in conv2 (7 instead of 6).
[Sequential]
[Input(8, 8, 3)]
[Conv2D(4, 3, Padding = Padding.Same, Name = "conv1")]
[BatchNormalization(Epsilon = 1e-5, Name = "bn1")]
[Activation(Activation.ReLU, Name = "relu1")]
[MaxPooling2D(2, Name = "pool")]
[Conv2D(7, 3, Padding = Padding.Same, UseBias = false, Name = "conv2")]
[BatchNormalization(Epsilon = 1e-5, Name = "bn2")]
[Activation(Activation.ReLU, Name = "relu2")]
[Conv2D(7, 1, UseBias = false, Input = "pool", Name = "shortcut")]
[BatchNormalization(Epsilon = 1e-5, Name = "shortcut_bn")]
[Add(From = "relu2", Name = "add")]
[Activation(Activation.ReLU, Name = "out")]
[GlobalAveragePooling2D(Name = "gap")]
[Dense(5, Name = "fc")]
public partial class OnnxImportWrongShapeNet;

// The same network with Keras' default BatchNormalization epsilon (1e-3) instead of the file's 1e-5.
[Sequential]
[Input(8, 8, 3)]
[Conv2D(4, 3, Padding = Padding.Same, Name = "conv1")]
[BatchNormalization(Name = "bn1")]
[Activation(Activation.ReLU, Name = "relu1")]
[MaxPooling2D(2, Name = "pool")]
[Conv2D(6, 3, Padding = Padding.Same, UseBias = false, Name = "conv2")]
[BatchNormalization(Name = "bn2")]
[Activation(Activation.ReLU, Name = "relu2")]
[Conv2D(6, 1, UseBias = false, Input = "pool", Name = "shortcut")]
[BatchNormalization(Name = "shortcut_bn")]
[Add(From = "relu2", Name = "add")]
[Activation(Activation.ReLU, Name = "out")]
[GlobalAveragePooling2D(Name = "gap")]
[Dense(5, Name = "fc")]
public partial class OnnxImportEpsilonNet;

// The network without the final Dense: the file's Gemm is left over.
[Sequential]
[Input(8, 8, 3)]
[Conv2D(4, 3, Padding = Padding.Same, Name = "conv1")]
[BatchNormalization(Epsilon = 1e-5, Name = "bn1")]
[Activation(Activation.ReLU, Name = "relu1")]
[MaxPooling2D(2, Name = "pool")]
[Conv2D(6, 3, Padding = Padding.Same, UseBias = false, Name = "conv2")]
[BatchNormalization(Epsilon = 1e-5, Name = "bn2")]
[Activation(Activation.ReLU, Name = "relu2")]
[Conv2D(6, 1, UseBias = false, Input = "pool", Name = "shortcut")]
[BatchNormalization(Epsilon = 1e-5, Name = "shortcut_bn")]
[Add(From = "relu2", Name = "add")]
[Activation(Activation.ReLU, Name = "out")]
[GlobalAveragePooling2D(Name = "gap")]
public partial class OnnxImportNoHeadNet;

// The network with one more Dense than the file has.
[Sequential]
[Input(8, 8, 3)]
[Conv2D(4, 3, Padding = Padding.Same, Name = "conv1")]
[BatchNormalization(Epsilon = 1e-5, Name = "bn1")]
[Activation(Activation.ReLU, Name = "relu1")]
[MaxPooling2D(2, Name = "pool")]
[Conv2D(6, 3, Padding = Padding.Same, UseBias = false, Name = "conv2")]
[BatchNormalization(Epsilon = 1e-5, Name = "bn2")]
[Activation(Activation.ReLU, Name = "relu2")]
[Conv2D(6, 1, UseBias = false, Input = "pool", Name = "shortcut")]
[BatchNormalization(Epsilon = 1e-5, Name = "shortcut_bn")]
[Add(From = "relu2", Name = "add")]
[Activation(Activation.ReLU, Name = "out")]
[GlobalAveragePooling2D(Name = "gap")]
[Dense(5, Name = "fc")]
[Dense(2, Name = "extra")]
public partial class OnnxImportExtraLayerNet;

// Conv -> ReLU -> Flatten -> Dense: the file flattens NCHW, we flatten NHWC, so the kernel's rows are reordered.
[Sequential]
[Input(5, 4, 2)]
[Conv2D(3, 2, Activation.ReLU, Name = "conv")]
[Flatten(Name = "flatten")]
[Dense(4, Name = "dense")]
public partial class OnnxFlattenNet;

// The same in double.
[Sequential(ElementType = typeof(double))]
[Input(5, 4, 2)]
[Conv2D(3, 2, Activation.ReLU, Name = "conv")]
[Flatten(Name = "flatten")]
[Dense(4, Name = "dense")]
public partial class OnnxFlattenNetD;

/// <summary>
/// LoadOnnxWeights on small ONNX files built here with the protobuf classes in PyTorch/CNTK conventions (NCHW, OIHW
/// weights, Gemm with transB = 1, seeded random weights): after the import our Predict equals ONNX Runtime's output of
/// the same file, and every rejected file names the tensor and leaves the model's parameters and state unchanged.
/// </summary>
public sealed class OnnxImportTests : IDisposable
{
    /// <summary>Largest |ours − ORT| over the largest |ORT| of an output (float; a double model is held to the same).</summary>
    private const double Tolerance = 1e-5;

    private readonly List<string> _files = [];

    public void Dispose()
    {
        foreach (string f in _files) File.Delete(f);
    }

    [Fact]
    public void AConvBnResidualGemmFileGivesOnnxRuntimesOutput()
    {
        string path = Save(ResidualFile(seed: 1, epsilon: 1e-5f));
        var model = new OnnxImportNet(seed: 3);
        model.LoadOnnxWeights(path);

        float[] nchw = RandomValues(new Random(11), 4 * 3 * 8 * 8, 2.0);
        float[] expected = RunOrt(path, nchw, [4, 3, 8, 8]);
        var ours = new float[4 * 5];
        model.Predict(ToNhwc(nchw, 4, 3, 8, 8), ours);
        AssertClose(expected, ours);
    }

    [Fact]
    public void AFlattenedFeatureMapReachesTheDenseInOurRowOrder()
    {
        string path = Save(FlattenFile(seed: 5));
        var model = new OnnxFlattenNet(seed: 3);
        model.LoadOnnxWeights(path);
        var modelD = new OnnxFlattenNetD(seed: 3);
        modelD.LoadOnnxWeights(path);

        float[] nchw = RandomValues(new Random(12), 3 * 2 * 5 * 4, 1.0);
        float[] expected = RunOrt(path, nchw, [3, 2, 5, 4]);
        float[] nhwc = ToNhwc(nchw, 3, 2, 5, 4);
        var ours = new float[3 * 4];
        model.Predict(nhwc, ours);
        AssertClose(expected, ours);
        var oursD = new double[3 * 4];
        modelD.Predict(Array.ConvertAll(nhwc, v => (double)v), oursD);
        AssertClose(expected, Array.ConvertAll(oursD, v => (float)v));
    }

    [Fact]
    public void AWrongShapeNamesBothTensorsAndChangesNothing()
    {
        string path = Save(ResidualFile(seed: 1, epsilon: 1e-5f));
        var model = new OnnxImportWrongShapeNet(seed: 3);
        var e = AssertRejected<InvalidDataException>(model, path);
        Assert.Contains("'conv2_w'", e.Message);
        Assert.Contains("[6, 4, 3, 3]", e.Message);
        Assert.Contains("'conv2.kernel' [3, 3, 4, 7]", e.Message);
    }

    [Fact]
    public void AnEpsilonMismatchNamesTheNodeAndTheLayerAndChangesNothing()
    {
        string path = Save(ResidualFile(seed: 1, epsilon: 1e-5f));
        var model = new OnnxImportEpsilonNet(seed: 3);
        var e = AssertRejected<InvalidDataException>(model, path);
        Assert.Contains("BatchNormalization 'bn1_node'", e.Message);
        Assert.Contains("'bn1'", e.Message);
        Assert.Contains("Epsilon = 0.001", e.Message);
    }

    [Fact]
    public void AnInitializerTheModelDoesNotHaveIsRejected()
    {
        string path = Save(ResidualFile(seed: 1, epsilon: 1e-5f));
        var model = new OnnxImportNoHeadNet(seed: 3);
        var e = AssertRejected<InvalidDataException>(model, path);
        Assert.Contains("Gemm 'fc_node'", e.Message);
        Assert.Contains("'fc_w'", e.Message);
    }

    [Fact]
    public void AFloatInitializerOnANodeWithNoCounterpartIsRejected()
    {
        // An extra Mul by a constant before the head: a weight the model cannot hold.
        ModelProto file = ResidualFile(seed: 1, epsilon: 1e-5f);
        GraphProto g = file.Graph;
        NodeProto flatten = g.Node.Single(n => n.OpType == "Flatten");
        g.Initializer.Add(FloatTensor("scale_c", [2f], raw: false, 1));
        int at = g.Node.IndexOf(flatten);
        g.Node.Insert(at + 1, new NodeProto { OpType = "Mul", Name = "scale_node", Input = { "flat", "scale_c" }, Output = { "flat_scaled" } });
        g.Node.Single(n => n.OpType == "Gemm").Input[0] = "flat_scaled";
        string path = Save(file);
        var model = new OnnxImportNet(seed: 3);
        var e = AssertRejected<InvalidDataException>(model, path);
        Assert.Contains("'scale_c'", e.Message);
        Assert.Contains("Mul 'scale_node'", e.Message);
    }

    [Fact]
    public void AModelLayerMissingFromTheFileIsRejected()
    {
        string path = Save(ResidualFile(seed: 1, epsilon: 1e-5f));
        var model = new OnnxImportExtraLayerNet(seed: 3);
        var e = AssertRejected<InvalidDataException>(model, path);
        Assert.Contains("'extra'", e.Message);
    }

    [Fact]
    public void AMissingBiasIsRejected()
    {
        // conv1 without its bias in the file; the model's conv1 has one.
        ModelProto file = ResidualFile(seed: 1, epsilon: 1e-5f);
        NodeProto conv1 = file.Graph.Node.Single(n => n.Name == "conv1_node");
        conv1.Input.RemoveAt(2);
        file.Graph.Initializer.Remove(file.Graph.Initializer.Single(t => t.Name == "conv1_b"));
        string path = Save(file);
        var model = new OnnxImportNet(seed: 3);
        var e = AssertRejected<InvalidDataException>(model, path);
        Assert.Contains("'conv1.bias' [4]", e.Message);
        Assert.Contains("Conv 'conv1_node'", e.Message);
    }

    [Fact]
    public void ATruncatedInitializerIsRejected()
    {
        ModelProto file = ResidualFile(seed: 1, epsilon: 1e-5f);
        TensorProto w = file.Graph.Initializer.Single(t => t.Name == "fc_w");
        w.FloatData.RemoveAt(w.FloatData.Count - 1);
        string path = Save(file);
        var model = new OnnxImportNet(seed: 3);
        var e = AssertRejected<InvalidDataException>(model, path);
        Assert.Contains("'fc_w'", e.Message);
        Assert.Contains("should hold 30 values but holds 29", e.Message);
    }

    [Fact]
    public void ALayerDescriptionNamingATensorNoLayoutHasIsRejectedByName()
    {
        // A hand-written model whose Layers names a kernel its ParameterLayout lacks: the mismatch is the model's, so
        // the error names the layer and the tensor before the file is even opened.
        var model = new DescribedModel(new LayerInfo("dense", "Dense", ["input_layer"], [4], LayerConfig.Empty, ["dense.kernel"], []));
        var e = Assert.Throws<InvalidOperationException>(() => model.LoadOnnxWeights(Path.Combine(Path.GetTempPath(), "absent.onnx")));
        Assert.Contains("layer 'dense' names tensor 'dense.kernel'", e.Message);
        Assert.Contains("No weight was loaded", e.Message);
    }

    // ----- helpers -----

    private static TException AssertRejected<TException>(IModel<float> model, string path) where TException : Exception
    {
        float[] parameters = model.Parameters.ToArray();
        float[] state = model.State.ToArray();
        var e = Assert.Throws<TException>(() => model.LoadOnnxWeights(path));
        Assert.Equal(parameters, model.Parameters.ToArray());
        Assert.Equal(state, model.State.ToArray());
        return e;
    }

    private static void AssertClose(float[] expected, float[] actual)
    {
        Assert.Equal(expected.Length, actual.Length);
        double scale = expected.Max(v => Math.Abs((double)v));
        Assert.True(scale > 0.1, $"reference output too small to compare ({scale})");
        double worst = 0;
        for (int i = 0; i < expected.Length; i++) worst = Math.Max(worst, Math.Abs((double)expected[i] - actual[i]));
        Assert.True(worst <= Tolerance * scale, $"max |ours - ORT| = {worst:R}, {worst / scale:R} of max |ORT| = {scale:R} (limit {Tolerance:R})");
    }

    private string Save(ModelProto model)
    {
        string path = Path.Combine(Path.GetTempPath(), $"ndsl-import-{Guid.NewGuid():N}.onnx");
        _files.Add(path);
        File.WriteAllBytes(path, model.ToByteArray());
        return path;
    }

    private static float[] RunOrt(string path, float[] input, int[] shape)
    {
        using var session = new InferenceSession(path);
        var x = new DenseTensor<float>(input, shape);
        using var results = session.Run([NamedOnnxValue.CreateFromTensor("x", x)]);
        return results.Single().AsEnumerable<float>().ToArray();
    }

    private static float[] ToNhwc(float[] nchw, int n, int c, int h, int w)
    {
        var r = new float[nchw.Length];
        for (int b = 0; b < n; b++)
        for (int ch = 0; ch < c; ch++)
        for (int y = 0; y < h; y++)
        for (int x = 0; x < w; x++)
            r[((b * h + y) * w + x) * c + ch] = nchw[((b * c + ch) * h + y) * w + x];
        return r;
    }

    private static float[] RandomValues(Random random, int count, double scale, double offset = 0)
    {
        var v = new float[count];
        for (int i = 0; i < count; i++) v[i] = (float)(offset + scale * (2 * random.NextDouble() - 1));
        return v;
    }

    /// <summary>
    /// x [N,3,8,8] → Conv(4, 3×3, pad 1, bias) → BN → Relu → MaxPool 2 → {shortcut: Conv(6, 1×1) → BN; main: Conv(6, 3×3,
    /// pad 1) → BN → Relu} → Add → Relu → GlobalAveragePool → Flatten → Gemm(5, transB = 1) → y [N,5]. The shortcut is
    /// written before the main branch; conv weights are raw_data, the rest float_data, and bn2's mean a Constant node.
    /// </summary>
    private static ModelProto ResidualFile(int seed, float epsilon)
    {
        var random = new Random(seed);
        var g = new GraphProto { Name = "residual" };
        g.Input.Add(TensorValue("x", 0, 3, 8, 8));
        g.Output.Add(TensorValue("y", 0, 5));

        g.Initializer.Add(FloatTensor("conv1_w", RandomValues(random, 4 * 3 * 9, 0.4), raw: true, 4, 3, 3, 3));
        g.Initializer.Add(FloatTensor("conv1_b", RandomValues(random, 4, 0.2), raw: false, 4));
        g.Node.Add(Conv("conv1_node", "x", "conv1_w", "conv1_b", "c1", 3, 1));
        AddBatchNorm(g, random, "bn1", "c1", "b1", 4, epsilon, constantMean: false);
        g.Node.Add(new NodeProto { OpType = "Relu", Name = "relu1_node", Input = { "b1" }, Output = { "r1" } });
        g.Node.Add(new NodeProto
        {
            OpType = "MaxPool", Name = "pool_node", Input = { "r1" }, Output = { "p" },
            Attribute = { Ints("kernel_shape", 2, 2), Ints("strides", 2, 2) },
        });

        g.Initializer.Add(FloatTensor("shortcut_w", RandomValues(random, 6 * 4, 0.5), raw: true, 6, 4, 1, 1));
        g.Node.Add(Conv("shortcut_node", "p", "shortcut_w", null, "s", 1, 0));
        AddBatchNorm(g, random, "shortcut_bn", "s", "sb", 6, epsilon, constantMean: false);

        g.Initializer.Add(FloatTensor("conv2_w", RandomValues(random, 6 * 4 * 9, 0.3), raw: true, 6, 4, 3, 3));
        g.Node.Add(Conv("conv2_node", "p", "conv2_w", null, "c2", 3, 1));
        AddBatchNorm(g, random, "bn2", "c2", "b2", 6, epsilon, constantMean: true);
        g.Node.Add(new NodeProto { OpType = "Relu", Name = "relu2_node", Input = { "b2" }, Output = { "r2" } });

        g.Node.Add(new NodeProto { OpType = "Add", Name = "add_node", Input = { "r2", "sb" }, Output = { "a" } });
        g.Node.Add(new NodeProto { OpType = "Relu", Name = "out_node", Input = { "a" }, Output = { "o" } });
        g.Node.Add(new NodeProto { OpType = "GlobalAveragePool", Name = "gap_node", Input = { "o" }, Output = { "gp" } });
        g.Node.Add(new NodeProto { OpType = "Flatten", Name = "flatten_node", Input = { "gp" }, Output = { "flat" } });

        g.Initializer.Add(FloatTensor("fc_w", RandomValues(random, 5 * 6, 0.5), raw: false, 5, 6));
        g.Initializer.Add(FloatTensor("fc_b", RandomValues(random, 5, 0.3), raw: false, 5));
        g.Node.Add(new NodeProto { OpType = "Gemm", Name = "fc_node", Input = { "flat", "fc_w", "fc_b" }, Output = { "y" }, Attribute = { Int("transB", 1) } });
        return Model(g);
    }

    /// <summary>x [N,2,5,4] → Conv(3, 2×2, bias) → Relu → Flatten ([N, 3·4·3], channels first) → MatMul [36, 4] → Add [4].</summary>
    private static ModelProto FlattenFile(int seed)
    {
        var random = new Random(seed);
        var g = new GraphProto { Name = "flatten" };
        g.Input.Add(TensorValue("x", 0, 2, 5, 4));
        g.Output.Add(TensorValue("y", 0, 4));
        g.Initializer.Add(FloatTensor("conv_w", RandomValues(random, 3 * 2 * 4, 0.5), raw: false, 3, 2, 2, 2));
        g.Initializer.Add(FloatTensor("conv_b", RandomValues(random, 3, 0.2), raw: true, 3));
        g.Node.Add(Conv("conv_node", "x", "conv_w", "conv_b", "c", 2, 0));
        g.Node.Add(new NodeProto { OpType = "Relu", Name = "relu_node", Input = { "c" }, Output = { "r" } });
        g.Node.Add(new NodeProto { OpType = "Flatten", Name = "flatten_node", Input = { "r" }, Output = { "f" } });
        g.Initializer.Add(FloatTensor("dense_w", RandomValues(random, 36 * 4, 0.4), raw: true, 36, 4));
        g.Initializer.Add(FloatTensor("dense_b", RandomValues(random, 4, 0.2), raw: false, 4));
        g.Node.Add(new NodeProto { OpType = "MatMul", Name = "matmul_node", Input = { "f", "dense_w" }, Output = { "m" } });
        g.Node.Add(new NodeProto { OpType = "Add", Name = "bias_node", Input = { "m", "dense_b" }, Output = { "y" } });
        return Model(g);
    }

    private static ModelProto Model(GraphProto g) => new()
    {
        IrVersion = 8,
        ProducerName = "NeuralDsl.Onnx.Tests",
        OpsetImport = { new OperatorSetIdProto { Domain = "", Version = 17 } },
        Graph = g,
    };

    private static void AddBatchNorm(GraphProto g, Random random, string name, string input, string output, int channels, float epsilon, bool constantMean)
    {
        g.Initializer.Add(FloatTensor(name + "_scale", RandomValues(random, channels, 0.5, 1.0), raw: false, channels));
        g.Initializer.Add(FloatTensor(name + "_bias", RandomValues(random, channels, 0.3), raw: false, channels));
        TensorProto mean = FloatTensor(name + "_mean", RandomValues(random, channels, 0.3), raw: false, channels);
        if (constantMean)
            g.Node.Add(new NodeProto { OpType = "Constant", Name = name + "_mean_node", Output = { mean.Name }, Attribute = { new AttributeProto { Name = "value", Type = AttributeProto.Types.AttributeType.Tensor, T = mean } } });
        else
            g.Initializer.Add(mean);
        g.Initializer.Add(FloatTensor(name + "_var", RandomValues(random, channels, 0.4, 1.0), raw: true, channels));
        g.Node.Add(new NodeProto
        {
            OpType = "BatchNormalization", Name = name + "_node",
            Input = { input, name + "_scale", name + "_bias", name + "_mean", name + "_var" }, Output = { output },
            Attribute = { new AttributeProto { Name = "epsilon", Type = AttributeProto.Types.AttributeType.Float, F = epsilon } },
        });
    }

    private static NodeProto Conv(string name, string x, string w, string? b, string y, int kernel, int pad)
    {
        var node = new NodeProto
        {
            OpType = "Conv", Name = name, Input = { x, w }, Output = { y },
            Attribute = { Ints("kernel_shape", kernel, kernel), Ints("pads", pad, pad, pad, pad), Ints("strides", 1, 1) },
        };
        if (b is not null) node.Input.Add(b);
        return node;
    }

    private static AttributeProto Ints(string name, params long[] values)
    {
        var a = new AttributeProto { Name = name, Type = AttributeProto.Types.AttributeType.Ints };
        a.Ints.AddRange(values);
        return a;
    }

    private static AttributeProto Int(string name, long value) => new() { Name = name, Type = AttributeProto.Types.AttributeType.Int, I = value };

    private static ValueInfoProto TensorValue(string name, params long[] dims)
    {
        var shape = new TensorShapeProto();
        foreach (long d in dims)
            shape.Dim.Add(d == 0 ? new TensorShapeProto.Types.Dimension { DimParam = "N" } : new TensorShapeProto.Types.Dimension { DimValue = d });
        return new ValueInfoProto
        {
            Name = name,
            Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = (int)TensorProto.Types.DataType.Float, Shape = shape } },
        };
    }

    private static TensorProto FloatTensor(string name, float[] values, bool raw, params long[] dims)
    {
        var t = new TensorProto { Name = name, DataType = (int)TensorProto.Types.DataType.Float };
        t.Dims.AddRange(dims);
        if (raw)
        {
            var bytes = new byte[values.Length * 4];
            for (int i = 0; i < values.Length; i++) BitConverter.TryWriteBytes(bytes.AsSpan(4 * i), values[i]);
            t.RawData = ByteString.CopyFrom(bytes);
        }
        else
        {
            t.FloatData.AddRange(values);
        }
        return t;
    }
}
