using System;
using System.IO;
using System.Linq;
using Google.Protobuf;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using NeuralDsl.Onnx.Proto;
using Xunit;

namespace NeuralDsl.Onnx.Tests;

/// <summary>
/// The protobuf classes generated from our subset of onnx.proto write files ONNX Runtime accepts: a one-node graph
/// (Y = X·W + B through Gemm, opset 17) built by hand, saved, and run by ORT, which must give the product computed here.
/// A wrong field number or type in onnx.proto makes ORT reject the file or compute something else.
/// </summary>
public sealed class OnnxProtoTests
{
    [Fact]
    public void AHandBuiltGemmGraphRunsInOnnxRuntime()
    {
        float[] w = [1f, 2f, 3f, 4f, 5f, 6f]; // [2, 3]
        float[] b = [0.5f, -1f, 2f];
        var model = new ModelProto
        {
            IrVersion = 8,
            ProducerName = "NeuralDsl.Onnx.Tests",
            OpsetImport = { new OperatorSetIdProto { Domain = "", Version = 17 } },
            Graph = new GraphProto
            {
                Name = "gemm",
                Input = { TensorValue("x", 1, 2) },
                Output = { TensorValue("y", 1, 3) },
                Initializer = { FloatTensor("w", w, 2, 3), FloatTensor("b", b, 3) },
                Node = { new NodeProto { OpType = "Gemm", Name = "dense", Input = { "x", "w", "b" }, Output = { "y" } } },
            },
        };
        string path = Path.Combine(Path.GetTempPath(), $"ndsl-proto-{Guid.NewGuid():N}.onnx");
        try
        {
            File.WriteAllBytes(path, model.ToByteArray());
            using var session = new InferenceSession(path);
            var x = new DenseTensor<float>(new float[] { 1f, -2f }, [1, 2]);
            using var results = session.Run([NamedOnnxValue.CreateFromTensor("x", x)]);
            float[] y = results.Single().AsEnumerable<float>().ToArray();
            // [1, -2]·W + b = [1 - 8, 2 - 10, 3 - 12] + b = [-7, -8, -9] + [0.5, -1, 2]
            Assert.Equal(new[] { -6.5f, -9f, -7f }, y);

            var read = ModelProto.Parser.ParseFrom(File.ReadAllBytes(path));
            Assert.Equal("Gemm", read.Graph.Node.Single().OpType);
            Assert.Equal(new long[] { 2, 3 }, read.Graph.Initializer[0].Dims.ToArray());
        }
        finally
        {
            File.Delete(path);
        }
    }

    private static ValueInfoProto TensorValue(string name, params long[] dims)
    {
        var shape = new TensorShapeProto();
        foreach (long d in dims) shape.Dim.Add(new TensorShapeProto.Types.Dimension { DimValue = d });
        return new ValueInfoProto
        {
            Name = name,
            Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = (int)TensorProto.Types.DataType.Float, Shape = shape } },
        };
    }

    private static TensorProto FloatTensor(string name, float[] values, params long[] dims)
    {
        var t = new TensorProto { Name = name, DataType = (int)TensorProto.Types.DataType.Float };
        t.Dims.AddRange(dims);
        t.FloatData.AddRange(values);
        return t;
    }
}
