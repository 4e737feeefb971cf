using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Numerics;
using NeuralDsl.Tests.Conformance;
using Xunit;

namespace NeuralDsl.Tests.IO;

/// <summary>
/// <see cref="PyTorchWeights.LoadPyTorchWeights{T}"/> on state dicts written by libtorch (Fixtures/pytorch, made by
/// <c>dotnet run -c Release --project tests/NeuralDsl.Benchmarks -- write-pytorch-fixtures &lt;dir&gt;</c>): after the
/// import our Predict equals libtorch's eval-mode forward on the stored input, within
/// |ours − libtorch| ≤ 1e-6 + 1e-5·|libtorch| for float (Fixtures/README.md's float tolerance) and 1e-10 relative,
/// 1e-12 absolute when both sides ran in double. Every rejected file leaves the model bit-for-bit unchanged.
/// </summary>
public sealed class PyTorchImportTests : IDisposable
{
    private static readonly Dictionary<string, string> MlpMap = new() { ["fc1"] = "dense", ["fc2"] = "dense_1" };

    private static readonly Dictionary<string, string> CnnMap = new()
    {
        ["features.0"] = "conv2d", ["features.1"] = "batch_normalization", ["features.4"] = "conv2d_1", ["fc"] = "dense",
    };

    private static readonly Dictionary<string, string> LstmMap = new() { ["lstm"] = "lstm", ["head"] = "dense" };

    private static readonly Dictionary<string, string> GruMap = new() { ["gru"] = "gru", ["head"] = "dense" };

    private static readonly Dictionary<string, string> SequenceMap = new()
    {
        ["embedding"] = "embedding", ["norm"] = "layer_normalization", ["conv"] = "conv1d", ["fc"] = "dense",
    };

    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void Mlp_Float_MatchesLibtorch() =>
        AssertMatchesLibtorch(new TorchMlpNet(seed: 1), "mlp", MlpMap, Tolerance.Single);

    [Fact]
    public void Mlp_F64FileIntoDouble_MatchesLibtorchInDouble() =>
        AssertMatchesLibtorch(new TorchMlpNetDouble(seed: 1), "mlp_f64", MlpMap, Tolerance.Double);

    [Fact]
    public void Mlp_F32FileIntoDouble_MatchesLibtorch() =>
        // The float weights widen exactly; libtorch computed in float, so its output carries float rounding.
        AssertMatchesLibtorch(new TorchMlpNetDouble(seed: 1), "mlp", MlpMap, Tolerance.Single);

    [Fact]
    public void Mlp_F64FileIntoFloat_MatchesLibtorchInDouble() =>
        // The double weights round to float (nearest); the float model then agrees with libtorch's double forward.
        AssertMatchesLibtorch(new TorchMlpNet(seed: 1), "mlp_f64", MlpMap, Tolerance.Single);

    [Fact]
    public void Cnn_ConvBatchNormPoolLinear_MatchesLibtorch() =>
        // The input is NCHW in the fixture; ours is NHWC. The network ends in a 1×1 map, so Flatten orders the
        // features the same way on both sides and only the input image needs transposing.
        AssertMatchesLibtorch(new TorchCnnNet(seed: 1), "cnn", CnnMap, Tolerance.Single, NchwToNhwc(channels: 3, height: 6, width: 6));

    [Fact]
    public void Lstm_LastStepLinear_MatchesLibtorch() =>
        AssertMatchesLibtorch(new TorchLstmNet(seed: 1), "lstm", LstmMap, Tolerance.Single);

    [Fact]
    public void Gru_LastStepLinear_MatchesLibtorch() =>
        AssertMatchesLibtorch(new TorchGruNet(seed: 1), "gru", GruMap, Tolerance.Single);

    [Fact]
    public void Sequence_EmbeddingLayerNormConv1D_MatchesLibtorch() =>
        AssertMatchesLibtorch(new TorchSequenceNet(seed: 1), "sequence", SequenceMap, Tolerance.Single);

    [Fact]
    public void Cnn_TensorsLandInKerasLayouts()
    {
        var model = new TorchCnnNet(seed: 1);
        model.LoadPyTorchWeights(FixturePath("cnn"), CnnMap);
        SafeTensorsFile torch = SafeTensors.Read(FixturePath("cnn"));
        float[] w = torch.ToSingleArray("features.0.weight"); // (out 4, in 3, kh 3, kw 3)
        float[] kernel = Tensor(model, "conv2d.kernel");          // (kh 3, kw 3, in 3, out 4)
        for (int o = 0; o < 4; o++)
            for (int i = 0; i < 3; i++)
                for (int y = 0; y < 3; y++)
                    for (int x = 0; x < 3; x++)
                        Assert.Equal(w[((o * 3 + i) * 3 + y) * 3 + x], kernel[((y * 3 + x) * 3 + i) * 4 + o]);
        Assert.Equal(torch.ToSingleArray("features.1.running_var"), State(model, "batch_normalization.moving_variance"));
        Assert.Equal(torch.ToSingleArray("features.1.weight"), Tensor(model, "batch_normalization.gamma"));
    }

    [Fact]
    public void Gru_GateBlocksMoveFromRznToZrh()
    {
        var model = new TorchGruNet(seed: 1);
        model.LoadPyTorchWeights(FixturePath("gru"), GruMap);
        SafeTensorsFile torch = SafeTensors.Read(FixturePath("gru"));
        const int u = 5, width = 15;
        float[] ih = torch.ToSingleArray("gru.weight_ih_l0"), bih = torch.ToSingleArray("gru.bias_ih_l0"), bhh = torch.ToSingleArray("gru.bias_hh_l0");
        float[] kernel = Tensor(model, "gru.kernel"), bias = Tensor(model, "gru.bias");
        // PyTorch block 0 = r → Keras block 1; block 1 = z → Keras block 0; block 2 = n → Keras block 2 (h).
        int[] kerasBlock = [1, 0, 2];
        for (int block = 0; block < 3; block++)
            for (int j = 0; j < u; j++)
            {
                int row = block * u + j, column = kerasBlock[block] * u + j;
                for (int f = 0; f < 3; f++) Assert.Equal(ih[row * 3 + f], kernel[f * width + column]);
                Assert.Equal(bih[row], bias[column]);
                Assert.Equal(bhh[row], bias[width + column]);
            }
    }

    [Fact]
    public void Lstm_BiasIsTheSumOfBothPyTorchBiases()
    {
        var model = new TorchLstmNet(seed: 1);
        model.LoadPyTorchWeights(FixturePath("lstm"), LstmMap);
        SafeTensorsFile torch = SafeTensors.Read(FixturePath("lstm"));
        float[] bih = torch.ToSingleArray("lstm.bias_ih_l0"), bhh = torch.ToSingleArray("lstm.bias_hh_l0");
        float[] bias = Tensor(model, "lstm.bias");
        for (int i = 0; i < 20; i++) Assert.Equal((float)((double)bih[i] + bhh[i]), bias[i]);
    }

    [Fact]
    public void BiasLessGru_ResetAfterFromTheAttribute_Loads()
    {
        string path = Rewrite("gru", e => e.Name.StartsWith("gru.bias", StringComparison.Ordinal) ? [] : [e]);
        var model = new TorchGruNoBiasNet(seed: 1);
        model.LoadPyTorchWeights(path, GruMap);
        float[] ih = SafeTensors.Read(path).ToSingleArray("gru.weight_ih_l0");
        // z (PyTorch row 5, the first of block 1) is Keras column 0.
        Assert.Equal(ih[5 * 3 + 2], Tensor(model, "gru.kernel")[2 * 15]);
    }

    // ---- Errors: each names the tensor and leaves the model unchanged ----

    [Fact]
    public void WrongShape_NamesTheTensorInBothLayouts()
    {
        // fc2's weight written already transposed (Keras layout), the last tensor of the model: fc1, which passed,
        // must not have been copied either.
        string path = Rewrite("mlp", e => e.Name == "fc2.weight" ? [Transposed(e)] : [e]);
        var e = AssertRejected<InvalidDataException>(new TorchMlpNet(seed: 1), path, MlpMap);
        Assert.Contains("'fc2.weight' has shape [8, 3], expected [3, 8]", e.Message);
        Assert.Contains("(out, in)", e.Message);
        Assert.Contains("'dense_1.kernel' [8, 3] in ours (in, out)", e.Message);
    }

    [Fact]
    public void WrongShape_RecurrentGates_NamesTheTensor()
    {
        string path = Rewrite("lstm", e => e.Name == "lstm.weight_hh_l0" ? [e with { Shape = [5, 20] }] : [e]);
        var e = AssertRejected<InvalidDataException>(new TorchLstmNet(seed: 1), path, LstmMap);
        Assert.Contains("'lstm.weight_hh_l0' has shape [5, 20], expected [20, 5]", e.Message);
        Assert.Contains("'lstm.recurrent_kernel' [5, 20]", e.Message);
    }

    [Fact]
    public void MissingTensor_IsNamed()
    {
        string path = Rewrite("cnn", e => e.Name == "features.1.running_var" ? [] : [e]);
        var e = AssertRejected<InvalidDataException>(new TorchCnnNet(seed: 1), path, CnnMap);
        Assert.Contains("'features.1.running_var' is missing", e.Message);
        Assert.Contains("'batch_normalization.moving_variance'", e.Message);
    }

    [Fact]
    public void MissingLstmBias_IsNamed()
    {
        string path = Rewrite("lstm", e => e.Name == "lstm.bias_hh_l0" ? [] : [e]);
        var e = AssertRejected<InvalidDataException>(new TorchLstmNet(seed: 1), path, LstmMap);
        Assert.Contains("'lstm.bias_hh_l0' is missing", e.Message);
    }

    [Fact]
    public void ExtraTensorUnderAMappedModule_IsNamed()
    {
        // A second LSTM layer (num_layers=2) has no place in our one-layer LSTM.
        string path = Rewrite("lstm", e => e.Name == "lstm.weight_ih_l0" ? [e, e with { Name = "lstm.weight_ih_l1", Shape = [20, 5], Values = new double[100] }] : [e]);
        var e = AssertRejected<InvalidDataException>(new TorchLstmNet(seed: 1), path, LstmMap);
        Assert.Contains("'lstm.weight_ih_l1' has no place in layer 'lstm' (LSTM)", e.Message);
    }

    [Fact]
    public void UnmappedTensor_IsNamed()
    {
        string path = Rewrite("mlp", e => e.Name == "fc2.bias" ? [e, e with { Name = "fc3.bias" }] : [e]);
        var e = AssertRejected<InvalidDataException>(new TorchMlpNet(seed: 1), path, MlpMap);
        Assert.Contains("'fc3.bias' is not mapped", e.Message);
    }

    [Fact]
    public void NumBatchesTracked_IsIgnoredEvenWithoutItsModule()
    {
        // The CNN fixture carries features.1.num_batches_tracked (I64); a stray counter elsewhere is ignored too.
        string path = Rewrite("mlp", e => e.Name == "fc2.bias" ? [e, new Entry("bn.num_batches_tracked", SafeTensorsDType.I64, [], [3])] : [e]);
        var model = new TorchMlpNet(seed: 1);
        model.LoadPyTorchWeights(path, MlpMap);
        Assert.Equal(SafeTensors.Read(path).ToSingleArray("fc2.bias"), Tensor(model, "dense_1.bias"));
    }

    [Fact]
    public void IntegerWeight_IsRejectedByDType()
    {
        string path = Rewrite("mlp", e => e.Name == "fc1.bias" ? [e with { DType = SafeTensorsDType.I64 }] : [e]);
        var e = AssertRejected<InvalidDataException>(new TorchMlpNet(seed: 1), path, MlpMap);
        Assert.Contains("'fc1.bias' has dtype I64, expected F32 or F64", e.Message);
    }

    [Fact]
    public void MapKeyWithNoTensors_IsNamed()
    {
        var map = new Dictionary<string, string> { ["fc1"] = "dense", ["fc9"] = "dense_1" };
        string path = Rewrite("mlp", e => e.Name.StartsWith("fc2.", StringComparison.Ordinal) ? [] : [e]);
        var e = AssertRejected<InvalidDataException>(new TorchMlpNet(seed: 1), path, map);
        Assert.Contains("maps 'fc9' to layer 'dense_1', but the file has no tensor 'fc9.*'", e.Message);
    }

    [Fact]
    public void MapToAnUnknownLayer_IsAnArgumentError()
    {
        var map = new Dictionary<string, string> { ["fc1"] = "dense", ["fc2"] = "dense_2" };
        var e = AssertRejected<ArgumentException>(new TorchMlpNet(seed: 1), FixturePath("mlp"), map);
        Assert.Contains("'dense_2', which is not a layer with parameters", e.Message);
        Assert.Equal("nameMap", e.ParamName);
    }

    [Fact]
    public void LayerLeftUnmapped_NamesItsTensors()
    {
        var map = new Dictionary<string, string> { ["fc1"] = "dense" };
        var e = AssertRejected<ArgumentException>(new TorchMlpNet(seed: 1), FixturePath("mlp"), map);
        Assert.Contains("'dense_1.kernel', 'dense_1.bias' would stay unfilled", e.Message);
    }

    [Fact]
    public void TwoKeysForOneLayer_AreRejected()
    {
        var map = new Dictionary<string, string> { ["fc1"] = "dense", ["fc2"] = "dense" };
        var e = AssertRejected<ArgumentException>(new TorchMlpNet(seed: 1), FixturePath("mlp"), map);
        Assert.Contains("both 'fc1' and 'fc2' to layer 'dense'", e.Message);
    }

    [Fact]
    public void MapOntoTheWrongKind_ReportsTheShapeMismatch()
    {
        // fc2 (Linear) mapped onto the LSTM: the LSTM needs weight_ih_l0, which fc2 does not have.
        var map = new Dictionary<string, string> { ["head"] = "lstm", ["lstm"] = "dense" };
        var e = AssertRejected<InvalidDataException>(new TorchLstmNet(seed: 1), FixturePath("lstm"), map);
        Assert.Contains("'head.weight_ih_l0' is missing", e.Message);
    }

    [Fact]
    public void GruIntoResetBefore_IsRefusedAsAnotherFunction()
    {
        var e = AssertRejected<InvalidDataException>(new TorchGruResetBeforeNet(seed: 1), FixturePath("gru"), GruMap);
        Assert.Contains("layer 'gru' is a GRU with ResetAfter = false", e.Message);
        Assert.Contains("'gru.weight_ih_l0'", e.Message);
    }

    [Fact]
    public void BiasLessGruIntoResetBefore_IsRefusedFromTheAttribute()
    {
        string path = Rewrite("gru", e => e.Name.StartsWith("gru.bias", StringComparison.Ordinal) ? [] : [e]);
        var e = AssertRejected<InvalidDataException>(new TorchGruNoBiasResetBeforeNet(seed: 1), path, GruMap);
        Assert.Contains("ResetAfter = false", e.Message);
    }

    // ---- helpers ----

    private static void AssertMatchesLibtorch<T>(IModel<T> model, string fixture, Dictionary<string, string> map, Tolerance tolerance,
        Func<double[], double[]>? toOurLayout = null) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        SafeTensorsFile io = SafeTensors.Read(FixturePath(fixture + ".io"));
        double[] input = io.ToDoubleArray("input"), expected = io.ToDoubleArray("output");
        if (toOurLayout is not null) input = toOurLayout(input);
        int batch = input.Length / model.InputSize;
        Assert.Equal(expected.Length, batch * model.OutputSize);

        var x = Array.ConvertAll(input, T.CreateChecked);
        var before = new T[expected.Length];
        model.Predict(x, before);
        model.LoadPyTorchWeights(FixturePath(fixture), map);
        var y = new T[expected.Length];
        model.Predict(x, y);
        tolerance.AssertClose<T>(y, expected, fixture);
        // The freshly initialised model was far from libtorch: the comparison above can fail.
        Assert.Throws<Xunit.Sdk.XunitException>(() => tolerance.AssertClose<T>(before, expected, fixture + " before import"));
    }

    /// <summary>Asserts that the import throws <typeparamref name="TException"/> and changes no parameter or state value.</summary>
    private static TException AssertRejected<TException>(IModel<float> model, string path, Dictionary<string, string> map)
        where TException : Exception
    {
        float[] parameters = model.Parameters.ToArray(), state = model.State.ToArray();
        TException e = Assert.Throws<TException>(() => model.LoadPyTorchWeights(path, map));
        Assert.Equal(parameters, model.Parameters.ToArray());
        Assert.Equal(state, model.State.ToArray());
        return e;
    }

    private static string FixturePath(string name) => Path.Combine(AppContext.BaseDirectory, "Fixtures", "pytorch", name + ".safetensors");

    private static float[] Tensor(IModel<float> model, string name)
    {
        ParameterInfo p = model.ParameterLayout.Single(p => p.Name == name);
        return model.Parameters.Slice(p.Offset, p.Length).ToArray();
    }

    private static float[] State(IModel<float> model, string name)
    {
        ParameterInfo p = model.StateLayout.Single(p => p.Name == name);
        return model.State.Slice(p.Offset, p.Length).ToArray();
    }

    /// <summary>NCHW [B, C, H, W] → NHWC [B, H, W, C].</summary>
    private static Func<double[], double[]> NchwToNhwc(int channels, int height, int width) => nchw =>
    {
        var nhwc = new double[nchw.Length];
        int image = channels * height * width;
        for (int b = 0; b < nchw.Length / image; b++)
            for (int c = 0; c < channels; c++)
                for (int y = 0; y < height; y++)
                    for (int x = 0; x < width; x++)
                        nhwc[b * image + (y * width + x) * channels + c] = nchw[b * image + (c * height + y) * width + x];
        return nhwc;
    };

    /// <summary>One tensor of a fixture, editable.</summary>
    private sealed record Entry(string Name, SafeTensorsDType DType, int[] Shape, double[] Values);

    private static Entry Transposed(Entry e)
    {
        int rows = e.Shape[0], columns = e.Shape[1];
        var t = new double[e.Values.Length];
        for (int r = 0; r < rows; r++)
            for (int c = 0; c < columns; c++) t[c * rows + r] = e.Values[r * columns + c];
        return e with { Shape = [columns, rows], Values = t };
    }

    /// <summary>A copy of a fixture with each tensor replaced by what <paramref name="edit"/> returns for it.</summary>
    private string Rewrite(string fixture, Func<Entry, Entry[]> edit)
    {
        SafeTensorsFile file = SafeTensors.Read(FixturePath(fixture));
        var writer = new SafeTensorsWriter();
        foreach (SafeTensorInfo t in file.Tensors)
        {
            foreach (Entry e in edit(new Entry(t.Name, t.DType, [.. t.Shape], file.ToDoubleArray(t.Name))))
            {
                switch (e.DType)
                {
                    case SafeTensorsDType.F32: writer.Add(e.Name, Array.ConvertAll(e.Values, v => (float)v), e.Shape); break;
                    case SafeTensorsDType.F64: writer.Add(e.Name, e.Values, e.Shape); break;
                    case SafeTensorsDType.I64: writer.Add(e.Name, Array.ConvertAll(e.Values, v => (long)v), e.Shape); break;
                    default: throw new InvalidOperationException($"{e.Name}: {e.DType}");
                }
            }
        }
        string path = _dir.File(fixture + "-edited.safetensors");
        writer.Save(path);
        return path;
    }
}
