using System;
using System.IO;
using System.Linq;
using BenchmarkDotNet.Attributes;
using Google.Protobuf;
using Microsoft.ML.OnnxRuntime;
using NeuralDsl.Benchmarks.Infrastructure;
using NeuralDsl.Onnx.Proto;
using PretrainedResNet18;
using TorchSharp;
using static TorchSharp.torch;

namespace NeuralDsl.Benchmarks.Suites;

/// <summary>
/// Issue 15, item 5: the forward pass of ResNet-18 (samples/PretrainedResNet18's <c>ResNet18Features</c>, the CNTK
/// ResNet-18 of the ML.NET featurizer package, 224×224×3 → 512 features, about 2.3 GFLOP per image) at batch 1 and 16,
/// with the package's ImageNet weights (LoadOnnxWeights), beside ONNX Runtime 1.32.0 running the same ONNX file (CPU,
/// IntraOpNumThreads = 2, sequential execution, inputs and outputs bound once) and TorchSharp running its twin
/// (<see cref="TorchResNet18"/>, the same weights, eval mode, no autograd). Two threads on every side. ONNX Runtime is
/// the baseline (the targets: at least its speed at batch 1, within 1.5× at batch 16). The file's input is fixed at
/// batch 1, so the setup writes a copy whose batch dimension is symbolic.
/// </summary>
public class ResNet18Benchmarks
{
    private const int Side = 224, Pixels = Side * Side * 3, Features = 512;

    [Params(1, 16)]
    public int Batch { get; set; }

    private ResNet18Features _model = null!;
    private float[] _nhwc = null!;
    private float[] _output = null!;

    private InferenceSession _session = null!;
    private RunOptions _runOptions = null!;
    private OrtValue _ortInput = null!, _ortOutput = null!;
    private string[] _inputNames = null!, _outputNames = null!;
    private string _batchFile = null!;

    private TorchResNet18 _torch = null!;
    private Tensor _torchInput = null!;

    /// <summary>tools/DnnImageModels/ResNet18Onnx/ResNet18.onnx of the package, copied beside the benchmarks.</summary>
    public static string OnnxPath => Path.Combine(AppContext.BaseDirectory, "DnnImageModels", "ResNet18Onnx", "ResNet18.onnx");

    [GlobalSetup]
    public void Setup()
    {
        TorchNativeFix.EnsureLoadable();
        TorchThreads.Configure(Machine.ModelThreads);
        Gemm.MaxThreads = Machine.ModelThreads;

        // One batch of images, NCHW for ONNX Runtime and torch, the same values NHWC for ours.
        var random = new Random(31);
        var nchw = new float[Batch * Pixels];
        for (int i = 0; i < nchw.Length; i++) nchw[i] = (float)(random.NextDouble() * 255 - 120);
        _nhwc = new float[nchw.Length];
        for (int b = 0; b < Batch; b++)
        for (int c = 0; c < 3; c++)
        for (int p = 0; p < Side * Side; p++)
            _nhwc[b * Pixels + p * 3 + c] = nchw[b * Pixels + c * Side * Side + p];
        _output = new float[Batch * Features];

        _model = new ResNet18Features(seed: 1);
        _model.LoadOnnxWeights(OnnxPath);

        _batchFile = Path.Combine(Path.GetTempPath(), $"ndsl-resnet18-batch-{Guid.NewGuid():N}.onnx");
        WriteWithSymbolicBatch(OnnxPath, _batchFile);
        using (var options = new SessionOptions { IntraOpNumThreads = Machine.ModelThreads, InterOpNumThreads = 1, ExecutionMode = ExecutionMode.ORT_SEQUENTIAL })
            _session = new InferenceSession(_batchFile, options);
        _inputNames = [.. _session.InputMetadata.Keys];
        _outputNames = [.. _session.OutputMetadata.Keys];
        _runOptions = new RunOptions();
        _ortInput = OrtValue.CreateTensorValueFromMemory(nchw, [Batch, 3, Side, Side]);
        _ortOutput = OrtValue.CreateTensorValueFromMemory(new float[Batch * Features], [Batch, Features, 1, 1]);

        _torch = new TorchResNet18();
        _torch.CopyWeightsFrom(_model);
        _torch.FreezeForInference();
        _torchInput = torch.tensor(nchw, [Batch, 3, Side, Side]);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _ortInput.Dispose();
        _ortOutput.Dispose();
        _runOptions.Dispose();
        _session.Dispose();
        File.Delete(_batchFile);
        _torchInput.Dispose();
        _torch.Dispose();
    }

    [BenchmarkCategory(Categories.ResNet18Forward), Benchmark(Baseline = true, Description = "ONNX Runtime")]
    public void OnnxRuntime() => _session.Run(_runOptions, _inputNames, [_ortInput], _outputNames, [_ortOutput]);

    [BenchmarkCategory(Categories.ResNet18Forward), Benchmark(Description = "NeuralDsl")]
    public float NeuralDsl()
    {
        _model.Predict(_nhwc, _output);
        return _output[0];
    }

    [BenchmarkCategory(Categories.ResNet18Forward), Benchmark(Description = "TorchSharp")]
    public float TorchSharp()
    {
        using IDisposable noGrad = torch.no_grad();
        using DisposeScope scope = torch.NewDisposeScope();
        Tensor features = _torch.forward(_torchInput);
        return features[0, 0].item<float>();
    }

    /// <summary>
    /// Copies the ONNX file with dimension 0 of its input, output and intermediate values (CNTK lists them all in
    /// value_info, at batch 1) made symbolic (<c>N</c>).
    /// </summary>
    private static void WriteWithSymbolicBatch(string source, string destination)
    {
        ModelProto model = ModelProto.Parser.ParseFrom(File.ReadAllBytes(source));
        GraphProto g = model.Graph;
        foreach (ValueInfoProto v in g.Input.Concat(g.Output).Concat(g.ValueInfo))
        {
            if (v.Type?.TensorType?.Shape is { Dim.Count: > 0 } shape) shape.Dim[0] = new TensorShapeProto.Types.Dimension { DimParam = "N" };
        }
        File.WriteAllBytes(destination, model.ToByteArray());
    }
}
