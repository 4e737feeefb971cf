using System;
using System.Collections.Generic;
using System.IO;
using System.Text;
using Xunit;

namespace NeuralDsl.Tests.IO;

public sealed class SafeTensorsTests
{
    [Fact]
    public void WriterOutput_ReadsBackEveryDtypeShapeAndMetadata()
    {
        var writer = new SafeTensorsWriter();
        writer.SetMetadata("epochs", "3");
        writer.SetMetadata("note", "héllo <&>");
        writer.SetMetadata("epochs", "4");
        writer.Add("w", [1.5f, -2f, 3.25f, float.MaxValue, -0f, float.Epsilon], 2, 3);
        writer.Add("b", [0.1, -0.2], 2);
        writer.Add("labels", [3L, -1L, long.MaxValue], 3);
        writer.Add("scalar", [42.0]);
        writer.Add("empty", ReadOnlySpan<float>.Empty, 0, 5);

        SafeTensorsFile file = SafeTensors.Parse(writer.ToArray(), "memory");

        Assert.Equal(["w", "b", "labels", "scalar", "empty"], Names(file));
        Assert.Equal(new Dictionary<string, string> { ["epochs"] = "4", ["note"] = "héllo <&>" }, file.Metadata);
        Assert.Equal([1.5f, -2f, 3.25f, float.MaxValue, -0f, float.Epsilon], file.ToSingleArray("w"));
        Assert.Equal([2, 3], file.GetTensor("w").Shape);
        Assert.Equal([0.1, -0.2], file.ToDoubleArray("b"));
        Assert.Equal([3L, -1L, long.MaxValue], file.ToInt64Array("labels"));
        Assert.Empty(file.GetTensor("scalar").Shape);
        Assert.Equal(1, file.GetTensor("scalar").ElementCount);
        Assert.Equal([42.0], file.ToDoubleArray("scalar"));
        Assert.Equal(0, file.GetTensor("empty").ElementCount);
        Assert.Empty(file.ToSingleArray("empty"));
    }

    [Fact]
    public void Writer_PadsTheHeaderToAMultipleOf8WithSpaces()
    {
        // Name lengths 1..16 move the JSON length through every remainder modulo 8.
        for (int length = 1; length <= 16; length++)
        {
            var writer = new SafeTensorsWriter();
            writer.Add(new string('x', length), [1.0, 2.0], 2);
            byte[] bytes = writer.ToArray();
            int header = (int)BitConverter.ToUInt64(bytes, 0);
            Assert.Equal(0, header % 8);
            string json = Encoding.UTF8.GetString(bytes, 8, header);
            Assert.EndsWith("}", json.TrimEnd(' '), StringComparison.Ordinal);
            Assert.True(json.Length - json.TrimEnd(' ').Length < 8);
            Assert.Equal(8 + header + 16, bytes.Length);
            Assert.Equal(2.0, BitConverter.ToDouble(bytes, 8 + header + 8));
        }
    }

    [Fact]
    public void Writer_WithoutMetadata_WritesNoMetadataKey()
    {
        var writer = new SafeTensorsWriter();
        writer.Add("a", [1f], 1);
        byte[] bytes = writer.ToArray();
        string json = Encoding.UTF8.GetString(bytes, 8, (int)BitConverter.ToUInt64(bytes, 0)).TrimEnd();
        Assert.Equal("""{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}""", json);
        Assert.Empty(SafeTensors.Parse(bytes).Metadata);
    }

    [Fact]
    public void Writer_RejectsBadTensors()
    {
        var writer = new SafeTensorsWriter();
        writer.Add("a", [1f, 2f], 2);
        ArgumentException e = Assert.Throws<ArgumentException>(() => writer.Add("a", [1f], 1));
        Assert.Contains("Tensor 'a' was already added", e.Message, StringComparison.Ordinal);
        e = Assert.Throws<ArgumentException>(() => writer.Add("b", [1f, 2f, 3f], 2, 2));
        Assert.Contains("Tensor 'b': 3 values do not match shape [2, 2] (4 values)", e.Message, StringComparison.Ordinal);
        e = Assert.Throws<ArgumentException>(() => writer.Add("__metadata__", [1f], 1));
        Assert.Contains("reserved", e.Message, StringComparison.Ordinal);
        e = Assert.Throws<ArgumentException>(() => writer.Add("c", ReadOnlySpan<float>.Empty, 2, -1));
        Assert.Contains("negative dimension", e.Message, StringComparison.Ordinal);
        // A failed Add leaves the writer as it was.
        Assert.Equal(["a"], Names(SafeTensors.Parse(writer.ToArray())));
    }

    [Fact]
    public void Reader_ReadsAFileWrittenByAnotherImplementation()
    {
        // The conformance fixtures were written by the libtorch/TorchSharp fixture generator, not by our writer.
        SafeTensorsFile file = SafeTensors.Read(Path.Combine(AppContext.BaseDirectory, "Fixtures", "conformance", "loss_huber.safetensors"));
        Assert.Equal("huber", file.Metadata["type"]);
        Assert.Equal("0.5*e^2 if |e| <= delta else delta*|e| - 0.5*delta^2, e = y_pred - y_true", file.Metadata["formula"]);
        Assert.Equal(["y_true", "y_pred", "output", "per_sample_loss", "grad_output", "grad_y_pred"], Names(file));
        Assert.Empty(file.GetTensor("output").Shape);
        Assert.Equal([4, 3], file.GetTensor("y_pred").Shape);
        // The values decode consistently: the scalar loss is the mean of the per-sample losses, and each of those
        // is the Huber loss of its row recomputed from the decoded inputs.
        double[] perSample = file.ToDoubleArray("per_sample_loss");
        double[] yTrue = file.ToDoubleArray("y_true"), yPred = file.ToDoubleArray("y_pred");
        Assert.Equal(file.ToDoubleArray("output")[0], (perSample[0] + perSample[1] + perSample[2] + perSample[3]) / 4, 1e-15);
        for (int r = 0; r < 4; r++)
        {
            double sum = 0;
            for (int j = 0; j < 3; j++)
            {
                double e = Math.Abs(yPred[r * 3 + j] - yTrue[r * 3 + j]);
                sum += e <= 1 ? 0.5 * e * e : e - 0.5;
            }
            Assert.Equal(perSample[r], sum / 3, 1e-15);
        }
    }

    [Fact]
    public void Accessors_CheckTheDtype()
    {
        var writer = new SafeTensorsWriter();
        writer.Add("d", [1.0, 2.0], 2);
        writer.Add("f", [0.1f, 3f], 2);
        writer.Add("i", [7L, -9L], 2);
        SafeTensorsFile file = SafeTensors.Parse(writer.ToArray(), "memory");
        InvalidDataException e = Assert.Throws<InvalidDataException>(() => file.ToSingleArray("d"));
        Assert.Equal("Safetensors data 'memory': tensor 'd' has dtype F64, expected F32.", e.Message);
        Assert.Throws<InvalidDataException>(() => file.ToInt64Array("f"));
        // Widening to double is exact for F32 and for small I64 values.
        Assert.Equal([(double)0.1f, 3.0], file.ToDoubleArray("f"));
        Assert.Equal([7.0, -9.0], file.ToDoubleArray("i"));
        Assert.Equal(BitConverter.GetBytes(0.1f), file.GetBytes("f")[..4].ToArray());
        KeyNotFoundException missing = Assert.Throws<KeyNotFoundException>(() => file.GetTensor("x"));
        Assert.Contains("there is no tensor 'x' (the file has 'd', 'f', 'i')", missing.Message, StringComparison.Ordinal);
        Assert.False(file.TryGetTensor("x", out _));
        Assert.True(file.Contains("i"));
    }

    [Fact]
    public void Reader_AcceptsUnknownKeysAndOtherDtypes()
    {
        // BF16 is not converted, but a file holding it is still valid and its other tensors readable.
        string header = """{"h":{"dtype":"BF16","shape":[2],"data_offsets":[0,4],"extra":{"x":[1]}},"f":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}""";
        byte[] data = new byte[8];
        BitConverter.TryWriteBytes(data.AsSpan(4), 2.5f);
        SafeTensorsFile file = SafeTensors.Parse(RawSafeTensors.Build(header, data));
        Assert.Equal(SafeTensorsDType.BF16, file.GetTensor("h").DType);
        Assert.Equal([2.5f], file.ToSingleArray("f"));
        Assert.Throws<InvalidDataException>(() => file.ToDoubleArray("h"));
    }

    public static TheoryData<string, string, int> MalformedHeaders => new()
    {
        { """ {"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}""", "the JSON header must begin with '{' but starts with byte 0x20", 4 },
        { """{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}} x""", "the JSON header is malformed", 4 },
        { """{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},}""", "the JSON header is malformed", 4 },
        { """{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"a":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}""", "tensor 'a' appears twice in the header", 8 },
        { """{"a":{"dtype":"Q8","shape":[1],"data_offsets":[0,4]}}""", "tensor 'a' has the unknown dtype 'Q8'", 4 },
        { """{"a":{"dtype":"f32","shape":[1],"data_offsets":[0,4]}}""", "tensor 'a' has the unknown dtype 'f32'", 4 },
        { """{"a":{"shape":[1],"data_offsets":[0,4]}}""", "tensor 'a' has no 'dtype'", 4 },
        { """{"a":{"dtype":"F32","data_offsets":[0,4]}}""", "tensor 'a' has no 'shape'", 4 },
        { """{"a":{"dtype":"F32","shape":[1]}}""", "tensor 'a' has no 'data_offsets'", 4 },
        { """{"a":{"dtype":"F32","shape":[-1],"data_offsets":[0,4]}}""", "tensor 'a' has a 'shape' entry that is not a non-negative integer", 4 },
        { """{"a":{"dtype":"F32","shape":[1.5],"data_offsets":[0,4]}}""", "tensor 'a' has a 'shape' entry that is not a non-negative integer", 4 },
        { """{"a":{"dtype":"F32","shape":"1","data_offsets":[0,4]}}""", "tensor 'a' has a 'shape' that is String, not an array", 4 },
        { """{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4,8]}}""", "tensor 'a' has 3 data_offsets, expected 2", 8 },
        { """{"a":{"dtype":"F32","shape":[1],"data_offsets":[4,0]}}""", "tensor 'a' has data_offsets [4, 0] whose begin is after its end", 4 },
        { """{"a":{"dtype":"F32","shape":[3000000000],"data_offsets":[0,4]}}""", "tensor 'a' has the dimension 3000000000, larger than this reader supports", 4 },
        { """{"a":{"dtype":"F64","shape":[65536,65536,65536,65536],"data_offsets":[0,8]}}""", "needs more bytes than the file holds", 8 },
        { """{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"b":{"dtype":"F32","shape":[1],"data_offsets":[8,12]}}""", "bytes [4, 8) of the data section belong to no tensor", 12 },
        { """{"a":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}""", "bytes [0, 4) of the data section belong to no tensor", 8 },
        { """{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}""", "the data section has 12 bytes but the tensors end at byte 4", 12 },
        { """{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}""", "tensors 'a' [0, 8] and 'b' [4, 8] overlap", 8 },
        { """{"a":[1,2]}""", "tensor 'a' must be a JSON object, found StartArray", 0 },
        { """{"__metadata__":{"n":1}}""", "'__metadata__' must map strings to strings, but 'n' is Number", 0 },
        { """{"__metadata__":["x"]}""", "'__metadata__' must be an object mapping strings to strings, found StartArray", 0 },
        { """{"__metadata__":{"n":"1","n":"2"}}""", "'__metadata__' has the key 'n' twice", 0 },
        { """{"__metadata__":{},"__metadata__":{}}""", "'__metadata__' appears twice in the header", 0 },
        { "", "the JSON header must begin with '{' but starts with an empty header", 0 },
    };

    [Theory]
    [MemberData(nameof(MalformedHeaders))]
    public void Reader_RejectsMalformedHeaders(string header, string expectedMessagePart, int dataBytes)
    {
        byte[] bytes = header.Length == 0 ? new byte[8] : RawSafeTensors.Build(header, RawSafeTensors.Data(dataBytes));
        InvalidDataException e = Assert.Throws<InvalidDataException>(() => SafeTensors.Parse(bytes, "case"));
        Assert.StartsWith("Safetensors data 'case': ", e.Message, StringComparison.Ordinal);
        Assert.Contains(expectedMessagePart, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Reader_RejectsInvalidUtf8InTheHeader()
    {
        byte[] bytes = RawSafeTensors.Build("""{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}""", RawSafeTensors.Data(4));
        bytes[10] = 0xFF; // inside the name "a"
        InvalidDataException e = Assert.Throws<InvalidDataException>(() => SafeTensors.Parse(bytes, "case"));
        Assert.Contains("the JSON header is malformed", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Reader_RejectsAHeaderLengthPastTheEnd()
    {
        byte[] bytes = new byte[20];
        BitConverter.TryWriteBytes(bytes.AsSpan(0, 8), ulong.MaxValue);
        InvalidDataException e = Assert.Throws<InvalidDataException>(() => SafeTensors.Parse(bytes, "case"));
        Assert.Equal($"Safetensors data 'case': the header length {ulong.MaxValue} runs past the end of the file (12 bytes follow the 8-byte length).", e.Message);
    }

    private static string[] Names(SafeTensorsFile file)
    {
        var names = new string[file.Tensors.Count];
        for (int i = 0; i < names.Length; i++) names[i] = file.Tensors[i].Name;
        return names;
    }
}
