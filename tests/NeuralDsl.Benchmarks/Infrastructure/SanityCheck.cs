using System;
using System.IO;
using NeuralDsl;
using TorchSharp;
using static TorchSharp.torch;

namespace NeuralDsl.Benchmarks.Infrastructure;

/// <summary>
/// Before anything is timed: proves that libtorch loads and computes, and that both sides of every suite compute
/// the same function — torch.mm equals <see cref="Gemm.Multiply{T}"/> for every size and thread count the GEMM suite
/// uses, and each MLP twin gives the NeuralDsl model's predictions and (over a few Adam steps) its losses.
/// Throws <see cref="InvalidOperationException"/> on any disagreement or non-finite value.
/// </summary>
internal static class SanityCheck
{
    public static void Run(TextWriter log)
    {
        TorchThreads.Configure(Machine.ModelThreads);
        log.WriteLine($"libtorch: {torch.get_num_threads()} intra-op / {torch.get_num_interop_threads()} inter-op threads");

        CheckGemm(log, 37, 53, 29, threads: 1);
        foreach (int n in new[] { 128, 256, 512 })
        {
            foreach (int threads in new[] { 1, 2 }) CheckGemm(log, n, n, n, threads);
        }

        CheckSmallMlp(log);
        CheckMnistMlp(log);
        var simpleCnn = new SimpleCnn(seed: 1);
        CheckCnn(log, "SimpleCnn", simpleCnn, (x, y, adam) => simpleCnn.TrainStep(x, y, adam), TorchCnn.SimpleCnnLogits(), dropout: false);
        var mnistCnn = new DigitCnn(seed: 1);
        CheckCnn(log, "MnistCnn", mnistCnn, (x, y, adam) => mnistCnn.TrainStep(x, y, adam), TorchCnn.MnistCnnLogits(), dropout: true);
        var resNet = new ResNet.MnistResNet(seed: 1);
        CheckCnn(log, "SmallResNet", resNet, (x, y, adam) => resNet.TrainStep(x, y, adam), TorchResNet.Create(kerasPadding: true), dropout: false);
        CheckRecurrent(log, RecurrentCell.Lstm);
        CheckRecurrent(log, RecurrentCell.Gru);

        Gemm.MaxThreads = Machine.ModelThreads;
        TorchThreads.Configure(Machine.ModelThreads);
    }

    private static void CheckGemm(TextWriter log, int m, int k, int n, int threads)
    {
        TorchThreads.Configure(threads);
        Gemm.MaxThreads = threads;
        float[] a = SyntheticData.Uniform(m * k, seed: 101), b = SyntheticData.Uniform(k * n, seed: 102);
        var c = new float[m * n];
        Gemm.Multiply<float>(a, b, c, m, k, n);

        using Tensor at = torch.tensor(a, [m, k]), bt = torch.tensor(b, [k, n]);
        using Tensor ct = torch.mm(at, bt);
        float[] expected = ct.data<float>().ToArray();
        double maxDiff = MaxAbsDiff(c, expected);
        double tolerance = 1e-5 * k; // entries are sums of k products of values in [-1, 1)
        Require(maxDiff <= tolerance, $"Gemm.Multiply {m}×{k}·{k}×{n} on {threads} thread(s) differs from torch.mm by {maxDiff:G3} (tolerance {tolerance:G3}).");
        log.WriteLine($"  ok  GEMM {m}×{k}·{k}×{n}, {threads} thread(s): max |Gemm − torch.mm| = {maxDiff:G3}");
    }

    private static void CheckSmallMlp(TextWriter log)
    {
        const int batch = 32;
        var model = new SmallMlp(seed: 1);
        using TorchMlp twin = TorchMlp.SmallMlp();
        twin.CopyWeightsFrom(model);
        (float[] x, float[] y) = SyntheticData.Binary(batch * 3, seed: 7);

        CheckPredictions(log, "SmallMlp", model, twin, x.AsSpan(0, batch * 8).ToArray(), batch, 8, 1, softmax: false);

        var adam = new Adam();
        using optim.Optimizer torchAdam = optim.Adam(twin.Module.parameters(), lr: 1e-3, beta1: 0.9, beta2: 0.999, eps: 1e-7);
        using TorchSharp.Modules.BCELoss bce = nn.BCELoss();
        for (int step = 0; step < 3; step++)
        {
            float[] xb = x.AsSpan(step * batch * 8, batch * 8).ToArray(), yb = y.AsSpan(step * batch, batch).ToArray();
            float ours = model.TrainStep(xb, yb, adam);
            float theirs;
            using (DisposeScope scope = torch.NewDisposeScope())
            {
                Tensor loss = bce.forward(twin.Module.forward(torch.tensor(xb, [batch, 8])), torch.tensor(yb, [batch, 1]));
                loss.backward();
                torchAdam.step();
                torchAdam.zero_grad();
                theirs = loss.item<float>();
            }

            CheckLoss(log, "SmallMlp BCE", step, ours, theirs);
        }
    }

    private static void CheckMnistMlp(TextWriter log)
    {
        const int batch = 64;
        var model = new MnistMlp(seed: 1);
        using TorchMlp twin = TorchMlp.MnistLogits();
        twin.CopyWeightsFrom(model);
        (float[] x, float[] labels, long[] longLabels) = SyntheticData.MnistLike(batch * 3, seed: 11);

        CheckPredictions(log, "MnistMlp", model, twin, x.AsSpan(0, batch * 784).ToArray(), batch, 784, 10, softmax: true);

        var adam = new Adam();
        using optim.Optimizer torchAdam = optim.Adam(twin.Module.parameters(), lr: 1e-3, beta1: 0.9, beta2: 0.999, eps: 1e-7);
        using TorchSharp.Modules.CrossEntropyLoss crossEntropy = nn.CrossEntropyLoss();
        for (int step = 0; step < 3; step++)
        {
            float[] xb = x.AsSpan(step * batch * 784, batch * 784).ToArray();
            float ours = model.TrainStep(xb, labels.AsSpan(step * batch, batch), adam);
            float theirs;
            using (DisposeScope scope = torch.NewDisposeScope())
            {
                Tensor logits = twin.Module.forward(torch.tensor(xb, [batch, 784]));
                Tensor loss = crossEntropy.forward(logits, torch.tensor(longLabels.AsSpan(step * batch, batch).ToArray(), [batch]));
                loss.backward();
                torchAdam.step();
                torchAdam.zero_grad();
                theirs = loss.item<float>();
            }

            CheckLoss(log, "MnistMlp SCCE", step, ours, theirs);
        }
    }

    /// <summary>
    /// A CNN twin (NCHW torch on the same floats): identical predictions on copied weights, then three Adam steps with
    /// finite losses on both sides — equal losses when the model has no dropout (with dropout the masks differ).
    /// </summary>
    private static void CheckCnn(TextWriter log, string name, IModel<float> model, Func<float[], float[], Adam, float> trainStep, TorchTwin twin, bool dropout)
    {
        const int batch = 32, pixels = 784;
        using TorchTwin owned = twin;
        twin.CopyWeightsFrom(model);
        (float[] x, float[] labels, long[] longLabels) = SyntheticData.MnistLike(batch * 3, seed: 19);

        float[] xb0 = x.AsSpan(0, batch * pixels).ToArray();
        var ours = new float[batch * 10];
        model.Predict(xb0, ours);
        float[] theirs;
        twin.Module.eval();
        using (IDisposable noGrad = torch.no_grad())
        using (DisposeScope scope = torch.NewDisposeScope())
            theirs = twin.Module.forward(torch.tensor(xb0, [batch, 1, 28, 28])).softmax(1).data<float>().ToArray();
        double maxDiff = MaxAbsDiff(ours, theirs);
        Require(maxDiff <= 1e-5, $"{name}.Predict differs from its TorchSharp twin by {maxDiff:G3} on identical weights (tolerance 1e-5).");
        log.WriteLine($"  ok  {name} Predict b={batch}: max |NeuralDsl − TorchSharp| = {maxDiff:G3}");

        twin.Module.train();
        var adam = new Adam();
        using optim.Optimizer torchAdam = optim.Adam(twin.Module.parameters(), lr: 1e-3, beta1: 0.9, beta2: 0.999, eps: 1e-7);
        using TorchSharp.Modules.CrossEntropyLoss crossEntropy = nn.CrossEntropyLoss();
        var batchLabels = new float[batch];
        for (int step = 0; step < 3; step++)
        {
            float[] xb = x.AsSpan(step * batch * pixels, batch * pixels).ToArray();
            labels.AsSpan(step * batch, batch).CopyTo(batchLabels);
            float mine = trainStep(xb, batchLabels, adam);
            float theirLoss;
            using (DisposeScope scope = torch.NewDisposeScope())
            {
                Tensor loss = crossEntropy.forward(twin.Module.forward(torch.tensor(xb, [batch, 1, 28, 28])), torch.tensor(longLabels.AsSpan(step * batch, batch).ToArray(), [batch]));
                loss.backward();
                torchAdam.step();
                torchAdam.zero_grad();
                theirLoss = loss.item<float>();
            }

            if (dropout)
            {
                Require(float.IsFinite(mine) && float.IsFinite(theirLoss), $"{name} step {step}: non-finite loss (NeuralDsl {mine}, TorchSharp {theirLoss}).");
                log.WriteLine($"  ok  {name} TrainStep {step}: loss {mine:F6} (NeuralDsl) vs {theirLoss:F6} (TorchSharp), finite (dropout masks differ)");
            }
            else
            {
                CheckLoss(log, name + " SCCE", step, mine, theirLoss);
            }
        }
    }

    /// <summary>
    /// The recurrent twins load Keras-layout weights correctly: their predictions equal a scalar double evaluation of
    /// Keras' LSTM / GRU (reset_after) formulas on the same weights, for a few sequences of 30 × 8.
    /// </summary>
    private static void CheckRecurrent(TextWriter log, RecurrentCell cell)
    {
        const int batch = 4, steps = 30, features = 8, units = 50;
        var w = TorchRecurrent.KerasLikeWeights(cell, features, units, seed: 3);
        // Non-zero biases too, so a wrong bias mapping (the GRU's two rows, the LSTM's forget bias) shows.
        for (int i = 0; i < w.Bias.Length; i++) w.Bias[i] += 0.01f * ((i * 7 % 11) - 5);
        using TorchRecurrent twin = cell == RecurrentCell.Lstm ? TorchRecurrent.Lstm(features, units) : TorchRecurrent.Gru(features, units);
        twin.LoadKerasWeights(w.Kernel, w.RecurrentKernel, w.Bias, w.DenseKernel, w.DenseBias);
        twin.FreezeForInference();
        (float[] x, _) = SyntheticData.Sequences(batch, steps, features, seed: 5);

        float[] theirs;
        using (IDisposable noGrad = torch.no_grad())
        using (DisposeScope scope = torch.NewDisposeScope())
            theirs = twin.Module.forward(torch.tensor(x, [batch, steps, features])).data<float>().ToArray();

        // The NeuralDsl model of the suite on the same Keras-layout weights (ParameterLayout order).
        IModel<float> ours = cell == RecurrentCell.Lstm ? new RecurrentLstm50(seed: 1) : new RecurrentGru50(seed: 1);
        float[] all = [.. w.Kernel, .. w.RecurrentKernel, .. w.Bias, .. w.DenseKernel, .. w.DenseBias];
        Require(ours.Parameters.Length == all.Length, $"The NeuralDsl {cell} model has {ours.Parameters.Length} parameters, the Keras weights {all.Length}.");
        all.CopyTo(ours.Parameters);
        var mine = new float[batch];
        ours.Predict(x, mine);

        double maxDiff = 0, oursDiff = 0;
        for (int b = 0; b < batch; b++)
        {
            double expected = KerasRecurrentReference(cell, x.AsSpan(b * steps * features, steps * features), steps, features, units, w);
            maxDiff = Math.Max(maxDiff, Math.Abs(expected - theirs[b]));
            oursDiff = Math.Max(oursDiff, Math.Abs(expected - mine[b]));
        }

        Require(maxDiff <= 1e-5, $"TorchSharp {cell} twin differs from Keras' formulas on the same weights by {maxDiff:G3} (tolerance 1e-5).");
        Require(oursDiff <= 1e-5, $"NeuralDsl {cell} model differs from Keras' formulas on the same weights by {oursDiff:G3} (tolerance 1e-5).");
        log.WriteLine($"  ok  {cell} twin vs Keras formulas (Keras-layout weights), b={batch}: max diff = {maxDiff:G3}; NeuralDsl: {oursDiff:G3}");
    }

    /// <summary>Keras' LSTM (gates i, f, c, o) or GRU (reset_after; gates z, r, h) over one sequence, then Dense(1, sigmoid), in double.</summary>
    private static double KerasRecurrentReference(RecurrentCell cell, ReadOnlySpan<float> x, int steps, int features, int units,
        (float[] Kernel, float[] RecurrentKernel, float[] Bias, float[] DenseKernel, float[] DenseBias) w)
    {
        int g = cell == RecurrentCell.Lstm ? 4 : 3, width = g * units;
        var h = new double[units];
        var c = new double[units];
        var xz = new double[width];
        var hz = new double[width];
        for (int t = 0; t < steps; t++)
        {
            for (int j = 0; j < width; j++)
            {
                double sx = w.Bias[j], sh = cell == RecurrentCell.Gru ? w.Bias[width + j] : 0;
                for (int i = 0; i < features; i++) sx += x[t * features + i] * (double)w.Kernel[i * width + j];
                for (int i = 0; i < units; i++) sh += h[i] * (double)w.RecurrentKernel[i * width + j];
                xz[j] = sx;
                hz[j] = sh;
            }

            for (int k = 0; k < units; k++)
            {
                if (cell == RecurrentCell.Lstm)
                {
                    double ig = Sigmoid(xz[k] + hz[k]), fg = Sigmoid(xz[units + k] + hz[units + k]);
                    double cc = Math.Tanh(xz[2 * units + k] + hz[2 * units + k]), og = Sigmoid(xz[3 * units + k] + hz[3 * units + k]);
                    c[k] = fg * c[k] + ig * cc;
                    h[k] = og * Math.Tanh(c[k]);
                }
                else
                {
                    double z = Sigmoid(xz[k] + hz[k]), r = Sigmoid(xz[units + k] + hz[units + k]);
                    double hh = Math.Tanh(xz[2 * units + k] + r * hz[2 * units + k]);
                    c[k] = z * h[k] + (1 - z) * hh; // the new h, held in c until every unit has read the old h
                }
            }

            if (cell == RecurrentCell.Gru) Array.Copy(c, h, units);
        }

        double logit = w.DenseBias[0];
        for (int k = 0; k < units; k++) logit += h[k] * w.DenseKernel[k];
        return Sigmoid(logit);
    }

    private static double Sigmoid(double v) => 1 / (1 + Math.Exp(-v));

    private static void CheckPredictions(TextWriter log, string name, IModel<float> model, TorchMlp twin, float[] x, int batch, int inputs, int outputs, bool softmax)
    {
        var ours = new float[batch * outputs];
        model.Predict(x, ours);
        float[] theirs;
        using (IDisposable noGrad = torch.no_grad())
        using (DisposeScope scope = torch.NewDisposeScope())
        {
            Tensor y = twin.Module.forward(torch.tensor(x, [batch, inputs]));
            if (softmax) y = y.softmax(1);
            theirs = y.data<float>().ToArray();
        }

        double maxDiff = MaxAbsDiff(ours, theirs);
        Require(maxDiff <= 1e-5, $"{name}.Predict differs from its TorchSharp twin by {maxDiff:G3} on identical weights (tolerance 1e-5).");
        log.WriteLine($"  ok  {name} Predict b={batch}: max |NeuralDsl − TorchSharp| = {maxDiff:G3}");
    }

    private static void CheckLoss(TextWriter log, string name, int step, float ours, float theirs)
    {
        Require(float.IsFinite(ours) && float.IsFinite(theirs), $"{name} step {step}: non-finite loss (NeuralDsl {ours}, TorchSharp {theirs}).");
        // Same data, weights and Adam hyper-parameters; Keras and torch place Adam's epsilon slightly differently.
        double tolerance = 1e-4 + 1e-3 * Math.Abs(theirs);
        Require(Math.Abs(ours - theirs) <= tolerance, $"{name} step {step}: loss {ours} (NeuralDsl) vs {theirs} (TorchSharp), tolerance {tolerance:G3}.");
        log.WriteLine($"  ok  {name} TrainStep {step}: loss {ours:F6} (NeuralDsl) vs {theirs:F6} (TorchSharp)");
    }

    private static double MaxAbsDiff(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        Require(a.Length == b.Length, $"Length mismatch: {a.Length} vs {b.Length}.");
        double max = 0;
        for (int i = 0; i < a.Length; i++)
        {
            double d = Math.Abs((double)a[i] - b[i]);
            if (!(d <= max)) max = double.IsNaN(d) ? double.PositiveInfinity : d;
        }

        return max;
    }

    private static void Require(bool condition, string message)
    {
        if (!condition) throw new InvalidOperationException("Sanity check failed: " + message);
    }
}
