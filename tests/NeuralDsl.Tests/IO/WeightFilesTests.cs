using System;
using System.IO;
using System.Numerics;
using System.Runtime.InteropServices;
using Xunit;

namespace NeuralDsl.Tests.IO;

public sealed class WeightFilesTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void RoundTrip_Float_IsBitExact() => AssertRoundTrip<float>();

    [Fact]
    public void RoundTrip_Double_IsBitExact() => AssertRoundTrip<double>();

    private void AssertRoundTrip<T>() where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        var saved = new TinyModel<T>(seed: 1);
        // Values a text or rounding-based format would damage: negative zero, a subnormal, infinities and NaN.
        saved.Parameters[0] = T.NegativeZero;
        saved.Parameters[1] = T.Epsilon;
        saved.Parameters[2] = T.PositiveInfinity;
        saved.Parameters[3] = T.NegativeInfinity;
        saved.Parameters[4] = T.NaN;
        string path = _dir.File("tiny.safetensors");
        saved.SaveWeights(path);

        var loaded = new TinyModel<T>(seed: 2);
        Assert.False(Bits(saved).AsSpan().SequenceEqual(Bits(loaded)));
        loaded.LoadWeights(path);
        Assert.Equal(Bits(saved), Bits(loaded));

        // With finite weights the loaded model predicts exactly what the saved one did.
        var a = new TinyModel<T>(seed: 3);
        a.SaveWeights(path);
        var b = new TinyModel<T>(seed: 4);
        b.LoadWeights(path);
        T[] x = [T.CreateChecked(0.5), T.CreateChecked(-1.25), T.CreateChecked(2)];
        var ya = new T[1];
        var yb = new T[1];
        a.Predict(x, ya);
        b.Predict(x, yb);
        Assert.Equal(ya[0], yb[0]);
    }

    [Fact]
    public void SavedFile_HasTheModelsNamesShapesDtypeAndOrder()
    {
        var model = new TinyModel<float>();
        string path = _dir.File("tiny.safetensors");
        model.SaveWeights(path);

        byte[] bytes = File.ReadAllBytes(path);
        ulong headerLength = BitConverter.ToUInt64(bytes, 0);
        Assert.Equal(0UL, headerLength % 8);
        Assert.Equal((byte)'{', bytes[8]);

        SafeTensorsFile file = SafeTensors.Read(path);
        Assert.Equal(["dense.kernel", "dense.bias", "dense_1.kernel", "dense_1.bias"], SafeTensorInfo_Names(file));
        Assert.All(file.Tensors, t => Assert.Equal(SafeTensorsDType.F32, t.DType));
        Assert.Equal([3, 2], file.GetTensor("dense.kernel").Shape);
        Assert.Equal([1], file.GetTensor("dense_1.bias").Shape);
        Assert.Equal("Tiny", file.Metadata["model"]);
        Assert.Equal(model.Parameters.Slice(0, 6).ToArray(), file.ToSingleArray("dense.kernel"));
        Assert.Equal(bytes.Length - 8 - (long)headerLength, file.Tensors[^1].DataEnd);
    }

    [Fact]
    public void DoubleModel_SavesF64()
    {
        var model = new TinyModel<double>();
        string path = _dir.File("tiny.safetensors");
        model.SaveWeights(path);
        SafeTensorsFile file = SafeTensors.Read(path);
        Assert.All(file.Tensors, t => Assert.Equal(SafeTensorsDType.F64, t.DType));
        Assert.Equal(model.Parameters.Slice(8, 2).ToArray(), file.ToDoubleArray("dense_1.kernel"));
    }

    [Fact]
    public void Load_MissingFile_ThrowsFileNotFound_AndLeavesModelUnchanged()
    {
        var model = new TinyModel<float>();
        byte[] before = Bits(model);
        Assert.Throws<FileNotFoundException>(() => model.LoadWeights(_dir.File("absent.safetensors")));
        Assert.Equal(before, Bits(model));
    }

    [Fact]
    public void Load_FileShorterThanLengthPrefix_IsRejected()
    {
        string path = Write("short.safetensors", [1, 2, 3, 4, 5]);
        AssertRejected<float>(path, "5 bytes, fewer than the 8-byte header length");
    }

    [Fact]
    public void Load_HeaderLengthBeyondFile_IsRejected()
    {
        byte[] bytes = SaveBytes(new TinyModel<float>());
        BitConverter.TryWriteBytes(bytes.AsSpan(0, 8), 1_000_000UL);
        string path = Write("long-header.safetensors", bytes);
        AssertRejected<float>(path, $"header length 1000000 runs past the end of the file ({bytes.Length - 8} bytes follow");
    }

    [Fact]
    public void Load_FileCutInsideTheHeader_IsRejected()
    {
        byte[] bytes = SaveBytes(new TinyModel<float>());
        ulong headerLength = BitConverter.ToUInt64(bytes, 0);
        string path = Write("cut.safetensors", bytes.AsSpan(0, 40).ToArray());
        AssertRejected<float>(path, $"header length {headerLength} runs past the end of the file (32 bytes follow");
    }

    [Fact]
    public void Load_FileCutInsideTheData_IsRejected()
    {
        byte[] bytes = SaveBytes(new TinyModel<float>());
        string path = Write("cut.safetensors", bytes.AsSpan(0, bytes.Length - 4).ToArray());
        // The last tensor (dense_1.bias, 4 bytes) now points past the end of the shorter data section.
        AssertRejected<float>(path, "tensor 'dense_1.bias' has data_offsets [40, 44] outside the data section (40 bytes)");
    }

    [Fact]
    public void Load_BadJson_IsRejected()
    {
        string header = """{"dense.kernel":{"dtype":"F32","shape":[3,2],"data_offsets":[0,24]""";
        string path = Write("bad.safetensors", RawSafeTensors.Build(header, RawSafeTensors.Data(24)));
        AssertRejected<float>(path, "the JSON header is malformed");
    }

    [Fact]
    public void Load_HeaderNotAnObject_IsRejected()
    {
        string path = Write("array.safetensors", RawSafeTensors.Build("[1, 2]", []));
        AssertRejected<float>(path, "the JSON header must begin with '{' but starts with byte 0x5B");
    }

    [Fact]
    public void Load_MissingTensor_IsRejected()
    {
        var model = new TinyModel<float>();
        var writer = new SafeTensorsWriter();
        writer.Add("dense.kernel", model.Parameters.Slice(0, 6), 3, 2);
        writer.Add("dense.bias", model.Parameters.Slice(6, 2), 2);
        writer.Add("dense_1.kernel", model.Parameters.Slice(8, 2), 2, 1);
        string path = Write("missing.safetensors", writer.ToArray());
        AssertRejected<float>(path, "tensor 'dense_1.bias' of model 'Tiny' is missing (the file has 'dense.kernel', 'dense.bias', 'dense_1.kernel')");
    }

    [Fact]
    public void Load_ExtraTensor_IsRejected()
    {
        var model = new TinyModel<float>();
        SafeTensorsWriter writer = WriterFor(model);
        writer.Add("dense_2.kernel", [1f, 2f], 2, 1);
        string path = Write("extra.safetensors", writer.ToArray());
        AssertRejected<float>(path, "tensor 'dense_2.kernel' is not a parameter of model 'Tiny' (its parameters are 'dense.kernel', 'dense.bias', 'dense_1.kernel', 'dense_1.bias')");
    }

    [Fact]
    public void Load_WrongShape_IsRejectedWithTheExpectedAndFoundShapes()
    {
        var model = new TinyModel<float>();
        var writer = new SafeTensorsWriter();
        // The same six values, but transposed the way a PyTorch Linear weight ([out, in]) would be.
        writer.Add("dense.kernel", model.Parameters.Slice(0, 6), 2, 3);
        writer.Add("dense.bias", model.Parameters.Slice(6, 2), 2);
        writer.Add("dense_1.kernel", model.Parameters.Slice(8, 2), 2, 1);
        writer.Add("dense_1.bias", model.Parameters.Slice(10, 1), 1);
        string path = Write("transposed.safetensors", writer.ToArray());
        InvalidDataException e = AssertRejected<float>(path);
        Assert.Equal($"Weight file '{path}': tensor 'dense.kernel' has shape [2, 3], expected [3, 2].", e.Message);
    }

    [Fact]
    public void Load_WrongDtype_IsRejected()
    {
        string path = _dir.File("double.safetensors");
        new TinyModel<double>().SaveWeights(path);
        AssertRejected<float>(path, "tensor 'dense.kernel' has dtype F64, expected F32 (the model's element type is Single)");
        path = _dir.File("float.safetensors");
        new TinyModel<float>().SaveWeights(path);
        AssertRejected<double>(path, "tensor 'dense.kernel' has dtype F32, expected F64 (the model's element type is Double)");
    }

    [Fact]
    public void Load_OffsetsOutsideTheFile_AreRejected()
    {
        string header = """{"dense.kernel":{"dtype":"F32","shape":[3,2],"data_offsets":[0,4000]}}""";
        string path = Write("outside.safetensors", RawSafeTensors.Build(header, RawSafeTensors.Data(24)));
        AssertRejected<float>(path, "tensor 'dense.kernel' has data_offsets [0, 4000] outside the data section (24 bytes)");
    }

    [Fact]
    public void Load_OffsetsWithTheWrongLength_AreRejected()
    {
        string header = """{"dense.kernel":{"dtype":"F32","shape":[3,2],"data_offsets":[0,20]}}""";
        string path = Write("short-tensor.safetensors", RawSafeTensors.Build(header, RawSafeTensors.Data(20)));
        AssertRejected<float>(path, "tensor 'dense.kernel' has data_offsets [0, 20] (20 bytes) but its shape [3, 2] of F32 needs 24 bytes");
    }

    [Fact]
    public void Load_OverlappingTensors_AreRejected()
    {
        // Both tensors claim the first 8 bytes: writing one would silently change the other.
        string header = """
            {"dense.bias":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},
             "dense_1.kernel":{"dtype":"F32","shape":[2,1],"data_offsets":[0,8]}}
            """;
        string path = Write("overlap.safetensors", RawSafeTensors.Build(header, RawSafeTensors.Data(8)));
        AssertRejected<float>(path, "tensors 'dense.bias' [0, 8] and 'dense_1.kernel' [0, 8] overlap");
    }

    [Fact]
    public void Load_AfterARejectedFile_AGoodFileStillLoads()
    {
        var model = new TinyModel<float>(seed: 5);
        string bad = Write("bad.safetensors", RawSafeTensors.Build("{", []));
        Assert.Throws<InvalidDataException>(() => model.LoadWeights(bad));
        var source = new TinyModel<float>(seed: 6);
        string good = _dir.File("good.safetensors");
        source.SaveWeights(good);
        model.LoadWeights(good);
        Assert.Equal(Bits(source), Bits(model));
    }

    [Fact]
    public void Save_LayoutOutsideTheParameters_Throws()
    {
        var model = new BrokenLayoutModel();
        InvalidOperationException e = Assert.Throws<InvalidOperationException>(() => model.SaveWeights(_dir.File("x.safetensors")));
        Assert.Contains("parameter 'dense.bias' at offset 6 with 3 elements does not fit in its 8 parameters", e.Message, StringComparison.Ordinal);
        Assert.Empty(_dir.FileNames());
    }

    /// <summary>A model whose layout claims more elements than it has, as a buggy generator could emit.</summary>
    private sealed class BrokenLayoutModel : IModel<float>
    {
        private readonly float[] _parameters = new float[8];
        private readonly TinyModel<float> _inner = new();

        public string Name => "Broken";
        public int InputSize => 3;
        public int OutputSize => 1;
        public int TargetSize => 1;
        public int OutputLastAxis => 1;
        public Loss Loss => Loss.MeanSquaredError;
        public string Summary => "";
        public Span<float> Parameters => _parameters;
        public Span<float> Gradients => _inner.Gradients;
        public System.Collections.Generic.IReadOnlyList<ParameterInfo> ParameterLayout { get; } =
            [new("dense.kernel", 0, [3, 2]), new("dense.bias", 6, [3])];
        public ReadOnlySpan<float> LastOutput => _inner.LastOutput;
        public void Predict(ReadOnlySpan<float> input, Span<float> output) => _inner.Predict(input, output);
        public void Forward(ReadOnlySpan<float> input, Span<float> output, bool training) => _inner.Forward(input, output, training);
        public void Backward(ReadOnlySpan<float> outputGradient, Span<float> inputGradient) => _inner.Backward(outputGradient, inputGradient);
        public void ZeroGradients() => _inner.ZeroGradients();
        public float ComputeGradients(ReadOnlySpan<float> input, ReadOnlySpan<float> target) => _inner.ComputeGradients(input, target);
    }

    private static string[] SafeTensorInfo_Names(SafeTensorsFile file)
    {
        var names = new string[file.Tensors.Count];
        for (int i = 0; i < names.Length; i++) names[i] = file.Tensors[i].Name;
        return names;
    }

    private static SafeTensorsWriter WriterFor(TinyModel<float> model)
    {
        var writer = new SafeTensorsWriter();
        foreach (ParameterInfo p in model.ParameterLayout)
            writer.Add(p.Name, (ReadOnlySpan<float>)model.Parameters.Slice(p.Offset, p.Length), p.Shape);
        return writer;
    }

    private byte[] SaveBytes<T>(TinyModel<T> model) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        string path = _dir.File("source-" + Guid.NewGuid().ToString("N") + ".safetensors");
        model.SaveWeights(path);
        return File.ReadAllBytes(path);
    }

    private string Write(string name, byte[] bytes)
    {
        string path = _dir.File(name);
        File.WriteAllBytes(path, bytes);
        return path;
    }

    /// <summary>
    /// Loading <paramref name="path"/> must throw <see cref="InvalidDataException"/> whose message names the file and
    /// contains <paramref name="messagePart"/>, and must leave a model's parameters bit-for-bit unchanged.
    /// </summary>
    private static InvalidDataException AssertRejected<T>(string path, string? messagePart = null) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        var model = new TinyModel<T>(seed: 42);
        byte[] before = Bits(model);
        InvalidDataException e = Assert.Throws<InvalidDataException>(() => model.LoadWeights(path));
        Assert.StartsWith($"Weight file '{path}': ", e.Message, StringComparison.Ordinal);
        if (messagePart is not null) Assert.Contains(messagePart, e.Message, StringComparison.Ordinal);
        Assert.Equal(before, Bits(model));
        return e;
    }

    private static byte[] Bits<T>(IModel<T> model) where T : unmanaged, IBinaryFloatingPointIeee754<T> =>
        MemoryMarshal.AsBytes(model.Parameters).ToArray();
}
