using System;
using System.Collections.Generic;
using System.IO;
using NeuralDsl;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace NeuralDsl.Benchmarks.Infrastructure;

/// <summary>
/// <c>write-pytorch-fixtures &lt;dir&gt;</c>: builds small models with libtorch (TorchSharp) from fixed seeds and writes,
/// per model, its <c>state_dict()</c> as safetensors (<c>{name}.safetensors</c>, PyTorch names and layouts, exactly
/// what <c>safetensors.torch.save_file(model.state_dict(), ...)</c> writes) and one input batch with libtorch's
/// forward output in eval mode (<c>{name}.io.safetensors</c>: <c>input</c> in PyTorch's layout, <c>output</c>).
/// The files are committed under tests/NeuralDsl.Tests/Fixtures/pytorch/, where <c>PyTorchImportTests</c> loads
/// each state dict with <c>LoadPyTorchWeights</c> into the same network declared with the DSL.
/// </summary>
internal static class PyTorchFixtures
{
    public static int Write(string directory)
    {
        Directory.CreateDirectory(directory);
        // One thread: the reductions inside libtorch's kernels then run in one fixed order.
        torch.set_num_threads(1);
        using (torch.no_grad())
        {
            WriteMlp(directory, "mlp", torch.float32, seed: 1);
            WriteMlp(directory, "mlp_f64", torch.float64, seed: 1);
            WriteCnn(directory, seed: 2);
            WriteRecurrent(directory, "lstm", gru: false, seed: 3);
            WriteRecurrent(directory, "gru", gru: true, seed: 4);
            WriteSequence(directory, seed: 5);
        }
        return 0;
    }

    /// <summary>Linear(4, 8), ReLU, Linear(8, 3) on [5, 4]; <paramref name="dtype"/> float32 or float64.</summary>
    private static void WriteMlp(string directory, string name, ScalarType dtype, int seed)
    {
        torch.manual_seed(seed);
        using Sequential net = nn.Sequential(("fc1", nn.Linear(4, 8)), ("relu", nn.ReLU()), ("fc2", nn.Linear(8, 3)));
        net.to(dtype);
        using Tensor input = torch.randn([5, 4], dtype: dtype);
        Save(directory, name, net, input, "Linear(4, 8), ReLU, Linear(8, 3); input [5, 4]");
    }

    /// <summary>
    /// <c>features</c> = Conv2d(3, 4, 3, padding 1), BatchNorm2d(4) (eval, non-trivial running statistics), ReLU,
    /// MaxPool2d(2), Conv2d(4, 6, 3); then Flatten and <c>fc</c> = Linear(6, 3), on NCHW [2, 3, 6, 6]. The last
    /// convolution leaves a 1×1 map, so Flatten gives the same 6 features in NCHW and NHWC order and the Linear
    /// layer needs no row permutation; the test only transposes the input image to NHWC.
    /// </summary>
    private static void WriteCnn(string directory, int seed)
    {
        torch.manual_seed(seed);
        BatchNorm2d bn = nn.BatchNorm2d(4);
        using Sequential net = nn.Sequential(
            ("features", nn.Sequential(
                ("0", nn.Conv2d(3, 4, 3, padding: 1)), ("1", bn), ("2", nn.ReLU()), ("3", nn.MaxPool2d(2)),
                ("4", nn.Conv2d(4, 6, 3)))),
            ("flatten", nn.Flatten()),
            ("fc", nn.Linear(6, 3)));
        // Fresh BatchNorm statistics are (0, 1) and its affine (1, 0): set them so a wrong mapping shows.
        bn.weight!.copy_(torch.rand(4) + 0.5);
        bn.bias!.copy_(torch.randn(4) * 0.2);
        bn.running_mean!.copy_(torch.randn(4) * 0.3);
        bn.running_var!.copy_(torch.rand(4) + 0.5);
        bn.num_batches_tracked!.fill_(7);
        net.eval();
        using Tensor input = torch.randn(2, 3, 6, 6);
        Save(directory, "cnn", net, input,
            "features: Conv2d(3, 4, 3, padding=1), BatchNorm2d(4, eps=1e-5) eval, ReLU, MaxPool2d(2), Conv2d(4, 6, 3); Flatten; fc: Linear(6, 3); input NCHW [2, 3, 6, 6]");
    }

    /// <summary><c>lstm</c> = LSTM(3, 5) or <c>gru</c> = GRU(3, 5), batch first, on [2, 6, 3]; its last step into <c>head</c> = Linear(5, 2).</summary>
    private static void WriteRecurrent(string directory, string name, bool gru, int seed)
    {
        torch.manual_seed(seed);
        using var net = new LastStepNet(name, gru ? nn.GRU(3, 5, batchFirst: true) : nn.LSTM(3, 5, batchFirst: true), gru);
        using Tensor input = torch.randn(2, 6, 3);
        Save(directory, name, net, input, (gru ? "GRU" : "LSTM") + "(3, 5, batch_first=True) → last step → head: Linear(5, 2); input [2, 6, 3]");
    }

    /// <summary>
    /// <c>embedding</c> = Embedding(10, 4), <c>norm</c> = LayerNorm(4), <c>conv</c> = Conv1d(4, 3, 3) over the steps
    /// (transposed to (N, C, L) and back), Flatten, <c>fc</c> = Linear(12, 2), on token ids [3, 6] (stored as floats).
    /// </summary>
    private static void WriteSequence(string directory, int seed)
    {
        torch.manual_seed(seed);
        using var net = new SequenceNet();
        // LayerNorm starts as (1, 0): give it values so a swapped or missing mapping shows.
        net.Norm.weight!.copy_(torch.rand(4) + 0.5);
        net.Norm.bias!.copy_(torch.randn(4) * 0.2);
        using Tensor ids = torch.randint(0, 10, [3, 6], dtype: torch.int64);
        using Tensor output = net.forward(ids);
        using Tensor floatIds = ids.to(torch.float32);
        WriteFiles(directory, "sequence", net, floatIds, output,
            "embedding: Embedding(10, 4); norm: LayerNorm(4, eps=1e-5); conv: Conv1d(4, 3, 3) on (N, C, L); Flatten (steps, channels); fc: Linear(12, 2); input ids [3, 6]");
    }

    private static void Save(string directory, string name, nn.Module<Tensor, Tensor> net, Tensor input, string description)
    {
        net.eval();
        using Tensor output = net.forward(input);
        WriteFiles(directory, name, net, input, output, description);
    }

    private static void WriteFiles(string directory, string name, nn.Module net, Tensor input, Tensor output, string description)
    {
        var weights = new SafeTensorsWriter();
        weights.SetMetadata("format", "pt");
        foreach ((string key, Tensor value) in net.state_dict()) Add(weights, key, value);
        weights.Save(Path.Combine(directory, name + ".safetensors"));

        var io = new SafeTensorsWriter();
        io.SetMetadata("model", description);
        io.SetMetadata("generator", "dotnet run -c Release --project tests/NeuralDsl.Benchmarks -- write-pytorch-fixtures <dir> (TorchSharp-cpu 0.107.0)");
        Add(io, "input", input);
        Add(io, "output", output);
        io.Save(Path.Combine(directory, name + ".io.safetensors"));
        Console.WriteLine($"{name}: {string.Join(", ", Names(net))} → {output.shape.Length}-d output [{string.Join(", ", output.shape)}]");
    }

    private static IEnumerable<string> Names(nn.Module net)
    {
        foreach ((string key, Tensor value) in net.state_dict()) yield return $"{key} [{string.Join(", ", value.shape)}]";
    }

    private static void Add(SafeTensorsWriter writer, string name, Tensor tensor)
    {
        int[] shape = Array.ConvertAll(tensor.shape, d => checked((int)d));
        using Tensor contiguous = tensor.contiguous();
        switch (tensor.dtype)
        {
            case ScalarType.Float32: writer.Add(name, contiguous.data<float>().ToArray(), shape); break;
            case ScalarType.Float64: writer.Add(name, contiguous.data<double>().ToArray(), shape); break;
            case ScalarType.Int64: writer.Add(name, contiguous.data<long>().ToArray(), shape); break;
            default: throw new InvalidOperationException($"{name} has dtype {tensor.dtype}; the fixtures hold float32, float64 and int64 tensors.");
        }
    }

    /// <summary>A batch-first LSTM or GRU whose last step feeds <c>head</c> = Linear(units, 2).</summary>
    private sealed class LastStepNet : nn.Module<Tensor, Tensor>
    {
        private readonly nn.Module _recurrent;
        private readonly Linear _head = nn.Linear(5, 2);
        private readonly bool _gru;

        public LastStepNet(string name, nn.Module recurrent, bool gru) : base(name + "_net")
        {
            _recurrent = recurrent;
            _gru = gru;
            register_module(name, recurrent);
            register_module("head", _head);
        }

        public override Tensor forward(Tensor input)
        {
            using Tensor sequence = _gru ? ((GRU)_recurrent).forward(input).Item1 : ((LSTM)_recurrent).forward(input).Item1;
            using Tensor last = sequence.select(1, -1);
            return _head.forward(last);
        }
    }

    /// <summary>Embedding, LayerNorm, Conv1d over the steps, Flatten, Linear (see <see cref="WriteSequence"/>).</summary>
    private sealed class SequenceNet : nn.Module<Tensor, Tensor>
    {
        private readonly TorchSharp.Modules.Embedding _embedding = nn.Embedding(10, 4);
        private readonly Conv1d _conv = nn.Conv1d(4, 3, 3);
        private readonly Linear _fc = nn.Linear(12, 2);

        public SequenceNet() : base("sequence_net")
        {
            Norm = nn.LayerNorm(4);
            register_module("embedding", _embedding);
            register_module("norm", Norm);
            register_module("conv", _conv);
            register_module("fc", _fc);
        }

        public TorchSharp.Modules.LayerNorm Norm { get; }

        public override Tensor forward(Tensor ids)
        {
            using DisposeScope scope = torch.NewDisposeScope();
            Tensor x = Norm.forward(_embedding.forward(ids));          // (N, L, C)
            Tensor y = _conv.forward(x.transpose(1, 2)).transpose(1, 2); // (N, C, L) → (N, L − 2, 3)
            return _fc.forward(y.flatten(1)).MoveToOuterDisposeScope();   // steps-major, as a Keras Flatten
        }
    }
}
