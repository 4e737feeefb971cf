using System;
using System.Collections.Generic;
using System.Linq;
using BenchmarkDotNet.Attributes;
using NeuralDsl.Benchmarks.Infrastructure;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace NeuralDsl.Benchmarks.Suites;

/// <summary>
/// Issue 14, item 4: one TransformerEncoder block (sequence 64, model dim 64, 4 heads, feed-forward 128, post-norm,
/// no dropout) → GlobalAveragePooling1D → Dense(1, sigmoid) on [64, 64] float inputs (no embedding): a training step at
/// batch 16 (binary cross-entropy, Adam with Keras' defaults) and Predict of one sequence, 16 batches of synthetic
/// sequences in rotation, at 1 and 2 threads. The TorchSharp twin is libtorch's <c>nn.TransformerEncoderLayer</c>
/// (post-norm, ReLU, ε 1e-5: the same block) on sequence-first tensors [64, B, 64] (the layout its C++ module takes,
/// prepared once), a mean over the steps and <c>Linear(64, 1)</c> + sigmoid; it gets the NeuralDsl model's weights
/// (<see cref="CopyWeights"/>) and setup checks that both predict the same. Targets: TrainStep ≥ 1.5× and Predict
/// ≥ 3× faster than TorchSharp, 0 B per call.
/// </summary>
public class TransformerBenchmarks
{
    private const int Steps = 64;
    private const int Dim = 64;
    private const int Heads = 4;
    private const int FeedForward = 128;
    private const int TrainBatch = 16;
    private const int Batches = 16;

    private readonly float[] _prediction = new float[1];
    private int _batch;

    private TransformerBlock64 _predictModel = null!;
    private TransformerBlock64 _trainModel = null!;
    private Adam _adam = null!;
    private float[] _x = null!;
    private float[] _y = null!;

    private TorchTransformer _torchPredict = null!;
    private TorchTransformer _torchTrain = null!;
    private optim.Optimizer _torchAdam = null!;
    private BCELoss _bce = null!;
    private Tensor _sampleTensor = null!;
    private Tensor[] _xTensors = null!;
    private Tensor[] _yTensors = null!;

    /// <summary>Threads for libtorch and for NeuralDsl's GEMM.</summary>
    [Params(1, 2)]
    public int Threads { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        TorchNativeFix.EnsureLoadable();
        TorchThreads.Configure(Threads);
        Gemm.MaxThreads = Threads;
        torch.manual_seed(1);

        (_x, _y) = SyntheticData.Sequences(TrainBatch * Batches, Steps, Dim, seed: 37);
        _predictModel = new TransformerBlock64(seed: 1);
        _trainModel = new TransformerBlock64(seed: 1);
        _adam = new Adam();

        _torchPredict = new TorchTransformer();
        CopyWeights(_predictModel, _torchPredict);
        foreach (Parameter p in _torchPredict.parameters()) p.requires_grad = false;
        _torchPredict.eval();
        _torchTrain = new TorchTransformer();
        CopyWeights(_trainModel, _torchTrain);
        _torchTrain.train();
        // Keras/NeuralDsl Adam defaults: lr 1e-3, betas (0.9, 0.999), epsilon 1e-7.
        _torchAdam = optim.Adam(_torchTrain.parameters(), lr: 1e-3, beta1: 0.9, beta2: 0.999, eps: 1e-7);
        _bce = nn.BCELoss();

        _sampleTensor = SequenceFirst(_x.AsSpan(0, Steps * Dim), 1);
        _xTensors = new Tensor[Batches];
        _yTensors = new Tensor[Batches];
        for (int b = 0; b < Batches; b++)
        {
            _xTensors[b] = SequenceFirst(_x.AsSpan(b * TrainBatch * Steps * Dim, TrainBatch * Steps * Dim), TrainBatch);
            _yTensors[b] = torch.tensor(_y.AsSpan(b * TrainBatch, TrainBatch).ToArray(), [TrainBatch, 1]);
        }

        // Both sides compute the same function on the same weights.
        float torchP = TorchSharpPredict(), dslP = NeuralDslPredict();
        if (Math.Abs(torchP - dslP) > 1e-4f)
            throw new InvalidOperationException($"TransformerEncoder twins disagree: TorchSharp {torchP}, NeuralDsl {dslP}.");
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _sampleTensor.Dispose();
        foreach (Tensor t in _xTensors) t.Dispose();
        foreach (Tensor t in _yTensors) t.Dispose();
        _torchAdam.Dispose();
        _bce.Dispose();
        _torchPredict.Dispose();
        _torchTrain.Dispose();
    }

    [BenchmarkCategory(Categories.TransformerTrain), Benchmark(Baseline = true, Description = "TorchSharp")]
    public float TrainStepTorchSharp()
    {
        int b = NextBatch();
        using DisposeScope scope = torch.NewDisposeScope();
        Tensor p = _torchTrain.forward(_xTensors[b]);
        Tensor loss = _bce.forward(p, _yTensors[b]);
        loss.backward();
        _torchAdam.step();
        _torchAdam.zero_grad();
        return loss.item<float>();
    }

    [BenchmarkCategory(Categories.TransformerTrain), Benchmark(Description = "NeuralDsl")]
    public float TrainStepNeuralDsl()
    {
        int b = NextBatch();
        return _trainModel.TrainStep(_x.AsSpan(b * TrainBatch * Steps * Dim, TrainBatch * Steps * Dim), _y.AsSpan(b * TrainBatch, TrainBatch), _adam);
    }

    [BenchmarkCategory(Categories.TransformerPredict), Benchmark(Baseline = true, Description = "TorchSharp")]
    public float PredictTorchSharp()
    {
        using DisposeScope scope = torch.NewDisposeScope();
        Tensor y = _torchPredict.forward(_sampleTensor);
        y.data<float>().CopyTo(_prediction);
        return _prediction[0];
    }

    [BenchmarkCategory(Categories.TransformerPredict), Benchmark(Description = "NeuralDsl")]
    public float PredictNeuralDsl()
    {
        _predictModel.Predict(_x.AsSpan(0, Steps * Dim), _prediction);
        return _prediction[0];
    }

    private float TorchSharpPredict() => PredictTorchSharp();

    private float NeuralDslPredict() => PredictNeuralDsl();

    private int NextBatch()
    {
        int b = _batch;
        _batch = (b + 1) % Batches;
        return b;
    }

    /// <summary>Batch-first samples [B, 64, 64] as the contiguous sequence-first tensor [64, B, 64] torch's encoder layer takes.</summary>
    private static Tensor SequenceFirst(ReadOnlySpan<float> x, int batch)
    {
        using Tensor batchFirst = torch.tensor(x.ToArray(), [batch, Steps, Dim]);
        return batchFirst.transpose(0, 1).contiguous();
    }

    /// <summary>
    /// The NeuralDsl model's weights in torch's layout: the query, key and value kernels (64, heads, 16) are the rows of
    /// <c>in_proj_weight</c> (3·64, 64) transposed, their biases <c>in_proj_bias</c>; the output kernel (heads, 16, 64)
    /// transposed is <c>out_proj.weight</c>; Dense kernels (in, units) transposed are <c>linear1</c>, <c>linear2</c> and
    /// the head; the two LayerNormalization γ, β are <c>norm1</c>, <c>norm2</c>. Every torch tensor is written once.
    /// </summary>
    private static void CopyWeights(TransformerBlock64 model, TorchTransformer twin)
    {
        Dictionary<string, Parameter> target = twin.named_parameters().ToDictionary(p => p.name, p => p.parameter);
        float[] Get(string name)
        {
            ParameterInfo info = TransformerBlock64.ParameterLayout.Single(p => p.Name == name);
            return model.Parameters.Slice(info.Offset, info.Length).ToArray();
        }
        static float[] Transpose(float[] m, int rows, int columns)
        {
            var t = new float[m.Length];
            for (int r = 0; r < rows; r++)
                for (int c = 0; c < columns; c++)
                    t[c * rows + r] = m[r * columns + c];
            return t;
        }

        const string a = "transformer_encoder_self_attention_layer.", f = "transformer_encoder_feedforward_";
        var written = new HashSet<string>();
        using IDisposable noGrad = torch.no_grad();
        void Set(string name, float[] values)
        {
            Parameter p = target.TryGetValue(name, out Parameter? found) ? found
                : throw new InvalidOperationException($"torch's encoder has no '{name}'; it has {string.Join(", ", target.Keys)}.");
            if (p.numel() != values.Length)
                throw new InvalidOperationException($"'{name}' has {p.numel()} elements in torch, {values.Length} in NeuralDsl.");
            using Tensor source = torch.tensor(values, p.shape);
            p.copy_(source);
            written.Add(name);
        }

        Set("encoder.self_attn.in_proj_weight", [.. Transpose(Get(a + "query.kernel"), Dim, Dim), .. Transpose(Get(a + "key.kernel"), Dim, Dim),
            .. Transpose(Get(a + "value.kernel"), Dim, Dim)]);
        Set("encoder.self_attn.in_proj_bias", [.. Get(a + "query.bias"), .. Get(a + "key.bias"), .. Get(a + "value.bias")]);
        Set("encoder.self_attn.out_proj.weight", Transpose(Get(a + "attention_output.kernel"), Dim, Dim));
        Set("encoder.self_attn.out_proj.bias", Get(a + "attention_output.bias"));
        Set("encoder.linear1.weight", Transpose(Get(f + "intermediate_dense.kernel"), Dim, FeedForward));
        Set("encoder.linear1.bias", Get(f + "intermediate_dense.bias"));
        Set("encoder.linear2.weight", Transpose(Get(f + "output_dense.kernel"), FeedForward, Dim));
        Set("encoder.linear2.bias", Get(f + "output_dense.bias"));
        Set("encoder.norm1.weight", Get("transformer_encoder_self_attention_layer_norm.gamma"));
        Set("encoder.norm1.bias", Get("transformer_encoder_self_attention_layer_norm.beta"));
        Set("encoder.norm2.weight", Get("transformer_encoder_feedforward_layer_norm.gamma"));
        Set("encoder.norm2.bias", Get("transformer_encoder_feedforward_layer_norm.beta"));
        Set("head.weight", Get("dense.kernel"));
        Set("head.bias", Get("dense.bias"));
        if (written.Count != target.Count)
            throw new InvalidOperationException($"Wrote {written.Count} of torch's {target.Count} tensors: {string.Join(", ", target.Keys.Except(written))} left.");
    }

    /// <summary>libtorch's post-norm encoder layer (no dropout) on [64, B, 64] → mean over the steps → Linear(64, 1) → sigmoid.</summary>
    private sealed class TorchTransformer : nn.Module<Tensor, Tensor>
    {
        private readonly TransformerEncoderLayer encoder;
        private readonly Linear head;

        public TorchTransformer() : base(nameof(TorchTransformer))
        {
            encoder = nn.TransformerEncoderLayer(Dim, Heads, FeedForward, 0.0);
            head = nn.Linear(Dim, 1);
            RegisterComponents();
        }

        public override Tensor forward(Tensor x)
        {
            using Tensor encoded = encoder.forward(x);
            using Tensor pooled = encoded.mean([0]);
            using Tensor logits = head.forward(pooled);
            return torch.sigmoid(logits);
        }
    }
}
