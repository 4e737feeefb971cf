using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using System.Threading;
using System.Threading.Tasks;

namespace NeuralDsl;

/// <summary>
/// scikit-learn's <c>Perceptron</c>: a linear classifier fitted by the perceptron rule (stochastic gradient descent on
/// the hinge loss with threshold 0 and a constant learning rate), one-vs-rest for more than two classes. Generated
/// <c>[Perceptron]</c> classes hold one and call it with literal sizes; it can be used directly too.
/// </summary>
/// <remarks>
/// <para>Each binary problem runs scikit-learn's <c>_plain_sgd</c> step for step, in double precision: per sample
/// p = wscale·(w·x) + b; the loss max(0, −y·p) is summed for the stopping rule; when y·p ≤ 0 the update is
/// η·y·class_weight; the L2 part of the penalty scales the weights by max(0, 1 − (1 − l1_ratio)·η·α) first (kept as
/// a separate scale factor, folded back below 1e-9 and at the end), then x·update/wscale is added, then the
/// intercept, then the L1 part by the cumulative truncated gradient (u += l1_ratio·η·α, q per feature).</para>
/// <para>Stopping: with a tolerance, an epoch whose summed loss is above best − tol·n_train counts as no
/// improvement, and <c>NIterNoChange</c> of those in a row stop the fit; with <c>EarlyStopping</c> the epoch's
/// accuracy on the held-out part must beat the best by tol instead (scored, as scikit-learn does, with the weights
/// before the L2 scale factor is folded in).</para>
/// <para>Random draws differ from scikit-learn's (numpy's generator is not reproduced): the per-epoch shuffle is a
/// Fisher–Yates permutation of the running row order from <see cref="Rng"/> seeded by the seed, the same order for
/// every one-vs-rest problem (scikit-learn draws one seed per class), and the early-stopping split is stratified with scikit-learn's sizes but its own draw. Without
/// shuffling and early stopping the results equal scikit-learn's to round-off.</para>
/// <para>Labels are the integers 0 … classes − 1, fixed at construction (scikit-learn's <c>partial_fit(classes=…)</c>);
/// for two classes the positive class is 1.</para>
/// </remarks>
public sealed class PerceptronClassifier
{
    /// <summary>The message scikit-learn gives its <c>ConvergenceWarning</c>, set in <see cref="ConvergenceWarning"/>.</summary>
    public const string ConvergenceWarningMessage =
        "Maximum number of iteration reached before convergence. Consider increasing max_iter to improve the fit.";

    /// <summary>The threshold below which the L2 scale factor is folded into the weights (scikit-learn's, for double).</summary>
    private const double WscaleResetThreshold = 1e-9;

    /// <summary>Below this many multiply-adds per epoch, one-vs-rest problems run on the caller's thread only.</summary>
    private const long ParallelWorkThreshold = 50_000;

    private readonly double[] _coef;
    private readonly double[] _intercept;
    private readonly int _seed;
    private readonly string _name;
    private int _callState; // ≥ 0: running predictions; −1: a training or loading call

    /// <summary>Sees each binary problem's row order at the start of every epoch (tests of the shuffling semantics).</summary>
    internal delegate void EpochOrderObserver(int problem, int epoch, ReadOnlySpan<int> order, ReadOnlySpan<byte> validation);

    /// <summary>Called with the row order of every epoch, before the epoch runs; null in normal use.</summary>
    internal EpochOrderObserver? ObserveEpochOrder { get; set; }

    /// <summary>Creates an unfitted perceptron over <paramref name="features"/> features and <paramref name="classes"/> classes.</summary>
    /// <param name="features">Features per sample, at least 1.</param>
    /// <param name="classes">Classes (labels 0 … classes − 1), at least 2.</param>
    /// <param name="options">The settings; scikit-learn's defaults when null.</param>
    /// <param name="seed">Seeds the per-epoch shuffles and the early-stopping split.</param>
    /// <param name="name">The model name written to weight files.</param>
    /// <exception cref="ArgumentOutOfRangeException">A size is out of range.</exception>
    /// <exception cref="ArgumentException">A setting in <paramref name="options"/> is out of range.</exception>
    public PerceptronClassifier(int features, int classes, PerceptronOptions? options = null, int seed = 0, string? name = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(features, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(classes, 2);
        options ??= new PerceptronOptions();
        options.Validate(classes);
        Features = features;
        Classes = classes;
        Options = options with { ClassWeights = options.ClassWeights is { } w ? (double[])w.Clone() : null };
        _seed = seed;
        _name = name ?? "perceptron";
        _coef = new double[CoefRows * features];
        _intercept = new double[CoefRows];
    }

    /// <summary>Features per sample.</summary>
    public int Features { get; }

    /// <summary>The number of classes.</summary>
    public int Classes { get; }

    /// <summary>Rows of <see cref="Coef"/>: 1 for two classes (scikit-learn's coef_ of shape (1, n)), else <see cref="Classes"/>.</summary>
    public int CoefRows => Classes == 2 ? 1 : Classes;

    /// <summary>The settings.</summary>
    public PerceptronOptions Options { get; }

    /// <summary>True after a successful <c>Fit</c>, <c>PartialFit</c> or <c>Load</c>.</summary>
    public bool IsFitted { get; private set; }

    /// <summary>The weights, [<see cref="CoefRows"/>, <see cref="Features"/>] row-major (scikit-learn's <c>coef_</c>).</summary>
    public ReadOnlySpan<double> Coef => _coef;

    /// <summary>The intercepts, [<see cref="CoefRows"/>] (scikit-learn's <c>intercept_</c>).</summary>
    public ReadOnlySpan<double> Intercept => _intercept;

    /// <summary>Epochs the last fit ran; for one-vs-rest the largest over the classes (scikit-learn's <c>n_iter_</c>).</summary>
    public int NIter { get; private set; }

    /// <summary>Weight updates counted as scikit-learn counts them: 1 + epochs · rows, summed over fits since the last <c>Fit</c> (<c>t_</c>).</summary>
    public double T { get; private set; } = 1.0;

    /// <summary>
    /// scikit-learn's <c>ConvergenceWarning</c>: <see cref="ConvergenceWarningMessage"/> when the last <c>Fit</c> had a
    /// tolerance and ran all <c>MaxIter</c> epochs, else null. <c>PartialFit</c> clears it (scikit-learn warns from
    /// <c>fit</c> only).
    /// </summary>
    public string? ConvergenceWarning { get; private set; }

    /// <summary>
    /// Fits from zero weights (scikit-learn <c>fit</c>, without warm start): up to <c>MaxIter</c> epochs over the rows.
    /// A rejected call (bad sizes, labels or values) leaves the model unchanged.
    /// </summary>
    /// <param name="x">The samples, [n, <see cref="Features"/>] row-major.</param>
    /// <param name="y">The labels, [n], each in 0 … <see cref="Classes"/> − 1.</param>
    /// <exception cref="ArgumentException">The sizes disagree, a label is out of range, a value is not finite, or balanced class weights meet a class absent from <paramref name="y"/>.</exception>
    /// <exception cref="InvalidOperationException">The weights overflowed, or the early-stopping split leaves a part empty; the model is unchanged.</exception>
    public void Fit(ReadOnlySpan<double> x, ReadOnlySpan<int> y)
    {
        int n = CheckData(x, y);
        EnterTraining();
        try
        {
            FitCore(x, y, n, Options.MaxIter, warmStart: false);
            ConvergenceWarning = Options.Tol is { } tol && !double.IsNaN(tol) && NIter == Options.MaxIter ? ConvergenceWarningMessage : null;
        }
        finally
        {
            Volatile.Write(ref _callState, 0);
        }
    }

    /// <summary>
    /// One epoch over the rows, continuing from the current weights (scikit-learn <c>partial_fit</c>); <see cref="T"/>
    /// keeps counting. Not available with <c>EarlyStopping</c> or balanced class weights, as in scikit-learn.
    /// </summary>
    /// <param name="x">The samples, [n, <see cref="Features"/>] row-major.</param>
    /// <param name="y">The labels, [n], each in 0 … <see cref="Classes"/> − 1.</param>
    /// <exception cref="ArgumentException">The sizes disagree, a label is out of range or a value is not finite.</exception>
    /// <exception cref="InvalidOperationException">EarlyStopping or balanced class weights are set, or the weights overflowed; the model is unchanged.</exception>
    public void PartialFit(ReadOnlySpan<double> x, ReadOnlySpan<int> y)
    {
        if (Options.EarlyStopping)
            throw new InvalidOperationException("PartialFit cannot be used with EarlyStopping (scikit-learn: early_stopping should be False with partial_fit).");
        if (Options.ClassWeight == ClassWeight.Balanced)
            throw new InvalidOperationException("PartialFit cannot use balanced class weights (they depend on the whole training set); give explicit ClassWeights instead.");
        int n = CheckData(x, y);
        EnterTraining();
        try
        {
            FitCore(x, y, n, maxIter: 1, warmStart: true);
            ConvergenceWarning = null;
        }
        finally
        {
            Volatile.Write(ref _callState, 0);
        }
    }

    /// <summary>The decision values, [n, <see cref="CoefRows"/>]: x·coefᵀ + intercept (scikit-learn <c>decision_function</c>).</summary>
    /// <param name="x">The samples, [n, <see cref="Features"/>] row-major.</param>
    /// <param name="scores">Receives n · <see cref="CoefRows"/> values.</param>
    /// <exception cref="ArgumentException">The sizes disagree.</exception>
    /// <exception cref="InvalidOperationException">The model is not fitted.</exception>
    public void DecisionFunction(ReadOnlySpan<double> x, Span<double> scores)
    {
        int n = CheckRows(x, nameof(x));
        if (scores.Length != n * CoefRows)
            throw new ArgumentException($"scores has {scores.Length} values; expected {n} rows × {CoefRows} = {n * CoefRows}.", nameof(scores));
        EnterPrediction();
        try
        {
            for (int r = 0; r < n; r++)
                Decide(x.Slice(r * Features, Features), scores.Slice(r * CoefRows, CoefRows));
        }
        finally
        {
            Interlocked.Decrement(ref _callState);
        }
    }

    /// <summary>The predicted class of one sample: the sign of the decision for two classes, else its arg-max (first on ties).</summary>
    /// <param name="sample">One sample, [<see cref="Features"/>].</param>
    /// <exception cref="ArgumentException">The sample has the wrong length.</exception>
    /// <exception cref="InvalidOperationException">The model is not fitted.</exception>
    public int Predict(ReadOnlySpan<double> sample)
    {
        if (sample.Length != Features)
            throw new ArgumentException($"The sample has {sample.Length} values; expected {Features} features.", nameof(sample));
        EnterPrediction();
        try
        {
            return PredictRow(sample);
        }
        finally
        {
            Interlocked.Decrement(ref _callState);
        }
    }

    /// <summary>The predicted class of each row (scikit-learn <c>predict</c>).</summary>
    /// <param name="x">The samples, [n, <see cref="Features"/>] row-major.</param>
    /// <param name="labels">Receives n labels.</param>
    /// <exception cref="ArgumentException">The sizes disagree.</exception>
    /// <exception cref="InvalidOperationException">The model is not fitted.</exception>
    public void Predict(ReadOnlySpan<double> x, Span<int> labels)
    {
        int n = CheckRows(x, nameof(x));
        if (labels.Length != n)
            throw new ArgumentException($"labels has {labels.Length} values; expected one per row ({n}).", nameof(labels));
        EnterPrediction();
        try
        {
            for (int r = 0; r < n; r++)
                labels[r] = PredictRow(x.Slice(r * Features, Features));
        }
        finally
        {
            Interlocked.Decrement(ref _callState);
        }
    }

    /// <summary>The mean accuracy of <see cref="Predict(ReadOnlySpan{double}, Span{int})"/> on the rows (scikit-learn <c>score</c>).</summary>
    /// <param name="x">The samples, [n, <see cref="Features"/>] row-major.</param>
    /// <param name="y">The labels, [n].</param>
    /// <exception cref="ArgumentException">The sizes disagree or a label is out of range.</exception>
    /// <exception cref="InvalidOperationException">The model is not fitted.</exception>
    public double Score(ReadOnlySpan<double> x, ReadOnlySpan<int> y)
    {
        int n = CheckRows(x, nameof(x));
        if (y.Length != n)
            throw new ArgumentException($"y has {y.Length} labels; expected one per row of x ({n}).", nameof(y));
        CheckLabels(y);
        EnterPrediction();
        try
        {
            int correct = 0;
            for (int r = 0; r < n; r++)
            {
                if (PredictRow(x.Slice(r * Features, Features)) == y[r])
                    correct++;
            }
            return n == 0 ? 0 : (double)correct / n;
        }
        finally
        {
            Interlocked.Decrement(ref _callState);
        }
    }

    /// <summary>
    /// Saves the fitted state as safetensors (F64 <c>coef</c> [rows, features], <c>intercept</c> [rows], <c>t</c> [1];
    /// I64 <c>n_iter</c> [1]), replacing the file atomically.
    /// </summary>
    /// <param name="path">The file to write.</param>
    /// <exception cref="IOException">Writing failed; the message names the path.</exception>
    public void Save(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        var writer = new SafeTensorsWriter();
        writer.SetMetadata("model", _name);
        writer.SetMetadata("library", "NeuralDsl");
        writer.SetMetadata("kind", "perceptron");
        writer.SetMetadata("classes", Classes.ToString(CultureInfo.InvariantCulture));
        writer.Add("coef", _coef, CoefRows, Features);
        writer.Add("intercept", _intercept, CoefRows);
        writer.Add("t", [T], 1);
        writer.Add("n_iter", [(long)NIter], 1);
        writer.Save(path);
    }

    /// <summary>
    /// Loads a state saved by <see cref="Save"/>. The whole file is validated first (every tensor present with its
    /// dtype and shape, no other tensor, finite values, n_iter ≥ 0, t ≥ 1); a rejected file leaves the model unchanged.
    /// </summary>
    /// <param name="path">The file to read.</param>
    /// <exception cref="InvalidDataException">The file is malformed or does not match this perceptron; the message names the tensor.</exception>
    /// <exception cref="FileNotFoundException">There is no such file.</exception>
    public void Load(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        (string Name, SafeTensorsDType DType, int[] Shape)[] expected =
        [
            ("coef", SafeTensorsDType.F64, [CoefRows, Features]),
            ("intercept", SafeTensorsDType.F64, [CoefRows]),
            ("t", SafeTensorsDType.F64, [1]),
            ("n_iter", SafeTensorsDType.I64, [1]),
        ];
        SafeTensorsFile file = SafeTensors.Read(path, "Weight file", (source, found) =>
        {
            var names = new HashSet<string>(StringComparer.Ordinal);
            foreach ((string name, SafeTensorsDType dtype, int[] shape) in expected)
            {
                names.Add(name);
                SafeTensorInfo? t = null;
                foreach (SafeTensorInfo candidate in found)
                {
                    if (candidate.Name == name) t = candidate;
                }
                if (t is null)
                    throw new InvalidDataException($"{source}: tensor '{name}' of perceptron '{_name}' is missing.");
                if (t.DType != dtype)
                    throw new InvalidDataException($"{source}: tensor '{name}' has dtype {SafeTensorsDTypes.ToHeaderString(t.DType)}, expected {SafeTensorsDTypes.ToHeaderString(dtype)}.");
                if (!t.HasShape(shape))
                    throw new InvalidDataException($"{source}: tensor '{name}' has shape {SafeTensorInfo.FormatShape(t.ShapeSpan)}, expected {SafeTensorInfo.FormatShape(shape)}.");
            }
            foreach (SafeTensorInfo t in found)
            {
                if (!names.Contains(t.Name))
                    throw new InvalidDataException($"{source}: tensor '{t.Name}' is not part of perceptron '{_name}' (it has 'coef', 'intercept', 't', 'n_iter').");
            }
        });
        double[] coef = file.ToDoubleArray("coef");
        double[] intercept = file.ToDoubleArray("intercept");
        double t = file.ToDoubleArray("t")[0];
        long nIter = file.ToInt64Array("n_iter")[0];
        if (!TensorPrimitives.IsFiniteAll<double>(coef) || !TensorPrimitives.IsFiniteAll<double>(intercept))
            throw new InvalidDataException($"{file.Source}: the coefficients or intercepts hold a value that is not finite.");
        if (!(t >= 1) || double.IsInfinity(t))
            throw new InvalidDataException($"{file.Source}: tensor 't' is {t.ToString("R", CultureInfo.InvariantCulture)}, expected a finite value >= 1.");
        if (nIter < 0 || nIter > int.MaxValue)
            throw new InvalidDataException($"{file.Source}: tensor 'n_iter' is {nIter}, expected a count in 0..{int.MaxValue}.");

        EnterTraining();
        try
        {
            coef.CopyTo(_coef, 0);
            intercept.CopyTo(_intercept, 0);
            T = t;
            NIter = (int)nIter;
            ConvergenceWarning = null;
            IsFitted = true;
        }
        finally
        {
            Volatile.Write(ref _callState, 0);
        }
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Fitting

    private void FitCore(ReadOnlySpan<double> x, ReadOnlySpan<int> y, int n, int maxIter, bool warmStart)
    {
        double[] classWeights = ExpandedClassWeights(y);
        byte[]? validation = Options.EarlyStopping ? ValidationMask(y, n) : null;

        // Fitted into copies and committed at the end, so an overflow leaves the model as it was.
        int rows = CoefRows;
        double[] coef = warmStart && IsFitted ? (double[])_coef.Clone() : new double[_coef.Length];
        double[] intercept = warmStart && IsFitted ? (double[])_intercept.Clone() : new double[rows];
        double startT = warmStart ? T : 1.0;
        var iterations = new int[rows];

        // Binary: one problem, class 1 positive (scikit-learn's classes_[1]) and class 0 negative, each with its
        // weight. More classes: problem c has class c positive with its weight against the rest at weight 1.
        var problems = new Problem[rows];
        for (int c = 0; c < rows; c++)
            problems[c] = rows == 1 ? new Problem(1, classWeights[1], classWeights[0]) : new Problem(c, classWeights[c], 1.0);

        // Two halves on two threads only where NeuralDslThreads allows it (the process setting or a Limit scope). They
        // run on the .NET thread pool, not the runtime's worker pool: each half is milliseconds long and allocates its
        // own buffers, which the worker pool's zero-allocation accounting would charge to the other callers' chunks.
        if (rows == 1 || (long)n * Features * rows < ParallelWorkThreshold || NeuralDslThreads.Current < 2)
        {
            FitProblems(x, y, n, problems, 0, rows, coef, intercept, iterations, validation, maxIter);
        }
        else
        {
            // The one-vs-rest problems are independent given the epoch orders, which both halves draw from the same
            // seed: each half writes only its own rows, so the result does not depend on the number of threads. The
            // inputs stay pinned while the worker thread reads them.
            int half = rows / 2;
            unsafe
            {
                fixed (double* px = x)
                fixed (int* py = y)
                {
                    nint xAddress = (nint)px, yAddress = (nint)py;
                    int features = Features;
                    try
                    {
                        Parallel.For(0, 2, part =>
                        {
                            var xs = new ReadOnlySpan<double>((double*)xAddress, n * features);
                            var ys = new ReadOnlySpan<int>((int*)yAddress, n);
                            FitProblems(xs, ys, n, problems, part == 0 ? 0 : half, part == 0 ? half : rows, coef, intercept, iterations, validation, maxIter);
                        });
                    }
                    catch (AggregateException ex) when (ex.InnerExceptions.Count > 0)
                    {
                        // The same exception as the sequential path (an overflow), not a wrapper.
                        System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(ex.InnerExceptions[0]).Throw();
                    }
                }
            }
        }

        int nIter = 0;
        foreach (int it in iterations) nIter = Math.Max(nIter, it);
        coef.CopyTo(_coef, 0);
        intercept.CopyTo(_intercept, 0);
        NIter = nIter;
        T = startT + (double)nIter * n;
        IsFitted = true;
    }

    /// <summary>One binary problem: its positive class and the weights of its positive and negative rows.</summary>
    private readonly record struct Problem(int Positive, double WeightPositive, double WeightNegative);

    /// <summary>
    /// Binary problems <paramref name="first"/> … <paramref name="last"/> − 1 (rows of the weights), each
    /// scikit-learn's <c>_plain_sgd</c> with the perceptron loss and a constant learning rate, run side by side: every
    /// epoch draws one order of the rows, and each row is read once for all the problems still running (a problem
    /// that met its stopping rule keeps its weights). Writes each problem's epochs into <paramref name="iterations"/>.
    /// </summary>
    private void FitProblems(ReadOnlySpan<double> x, ReadOnlySpan<int> y, int n, Problem[] problems, int first, int last,
        double[] coef, double[] intercepts, int[] iterations, byte[]? validation, int maxIter)
    {
        int f = Features, count = last - first;
        PerceptronOptions o = Options;
        double eta = o.Eta0, alpha = o.Alpha;
        bool l2 = o.Penalty is Penalty.L2 or Penalty.ElasticNet;
        bool l1 = o.Penalty is Penalty.L1 or Penalty.ElasticNet;
        double l1Ratio = o.Penalty switch { Penalty.L2 => 0.0, Penalty.L1 => 1.0, _ => o.L1Ratio };
        double l2Scale = Math.Max(0, 1.0 - ((1.0 - l1Ratio) * eta * alpha));
        double l1Step = l1Ratio * eta * alpha;
        double tol = o.EffectiveTol;
        bool earlyStopping = validation is not null;
        if (!l1 && !l2 && !earlyStopping)
        {
            // The default settings (no penalty, no early stopping): the scale factor stays 1 and no L1 state is kept.
            FitProblemsPlain(x, y, n, problems, first, last, coef, intercepts, iterations, maxIter);
            return;
        }
        int trainCount = n;
        if (validation is not null)
        {
            foreach (byte v in validation) trainCount -= v;
        }

        // Per problem: the L2 scale factor, the intercept, the L1 penalty so far (u) and per weight (q), the
        // stopping rule's state, and whether it is still running.
        var wscale = new double[count];
        var intercept = new double[count];
        var u = new double[count];
        double[]? q = l1 ? new double[count * f] : null;
        var sumLoss = new double[count];
        var bestLoss = new double[count];
        var bestScore = new double[count];
        var noImprovement = new int[count];
        var running = new bool[count];
        for (int k = 0; k < count; k++)
        {
            wscale[k] = 1.0;
            intercept[k] = intercepts[first + k];
            bestLoss[k] = double.PositiveInfinity;
            bestScore[k] = double.NegativeInfinity;
            running[k] = true;
            iterations[first + k] = maxIter;
        }
        int stillRunning = count;
        // The running problems in order: a row's dots are taken two problems at a time (Dot2).
        var active = new int[count];
        for (int k = 0; k < count; k++)
            active[k] = k;

        // The running row order: each epoch permutes it again (scikit-learn shuffles its index array in place).
        int[] order = new int[n];
        for (int i = 0; i < n; i++) order[i] = i;
        var rng = new Rng(((ulong)(uint)_seed << 32) ^ 0x5045524345505452UL); // "PERCEPTR"
        // Shuffled rows arrive in an order the hardware prefetcher cannot guess; rows up to 4 KB are asked for a few
        // rows ahead (longer rows are read sequentially, which it does guess).
        bool prefetch = o.Shuffle && Sse.IsSupported && f * sizeof(double) <= 4096;

        for (int epoch = 0; epoch < maxIter && stillRunning > 0; epoch++)
        {
            if (o.Shuffle)
                rng.Shuffle<int>(order);
            for (int k = 0; k < count; k++)
            {
                sumLoss[k] = 0;
                if (running[k])
                    ObserveEpochOrder?.Invoke(first + k, epoch, order, validation);
            }
            for (int i = 0; i < n; i++)
            {
                int s = order[i];
                if (prefetch && i + PrefetchRowsAhead < n)
                    PrefetchRow(x, order[i + PrefetchRowsAhead] * f, f);
                if (validation is not null && validation[s] != 0)
                    continue; // the validation rows are not learned from
                ReadOnlySpan<double> xs = x.Slice(s * f, f);
                int label = y[s];
                double nextDot = 0;
                for (int a = 0; a < stillRunning; a++)
                {
                    int k = active[a];
                    Problem problem = problems[first + k];
                    Span<double> w = coef.AsSpan((first + k) * f, f);
                    double target = label == problem.Positive ? 1.0 : -1.0;
                    // The dots of two running problems in one pass over the row (each problem's update touches only
                    // its own weights, so the second dot may be taken before the first problem learns); the same
                    // sums, bit for bit, as one Dot each.
                    double dot;
                    if ((a & 1) != 0)
                        dot = nextDot;
                    else if (a + 1 < stillRunning)
                        dot = Dot2(w, coef.AsSpan((first + active[a + 1]) * f, f), xs, out nextDot);
                    else
                        dot = Dot(w, xs);
                    double p = dot * wscale[k] + intercept[k];
                    double z = p * target;
                    if (!earlyStopping)
                        sumLoss[k] += z <= 0 ? -z : 0; // the perceptron loss max(0, −y·p)
                    double update = z <= 0 ? eta * target : 0; // −η·dloss, dloss = −y on a mistake
                    update *= target > 0 ? problem.WeightPositive : problem.WeightNegative;

                    if (l2)
                    {
                        // Never scaled to a negative value: a too large η·α sets the weights to zero.
                        wscale[k] *= l2Scale;
                        if (wscale[k] < WscaleResetThreshold)
                        {
                            TensorPrimitives.Multiply(w, wscale[k], w);
                            wscale[k] = 1.0;
                        }
                    }
                    if (update != 0.0)
                        AddScaled(w, xs, update / wscale[k]);
                    if (o.FitIntercept && update != 0)
                        intercept[k] += update;
                    if (l1)
                    {
                        u[k] += l1Step;
                        TruncateL1(w, q.AsSpan(k * f, f), u[k], wscale[k]);
                    }
                }
            }

            for (int k = 0; k < count; k++)
            {
                if (!running[k])
                    continue;
                Span<double> w = coef.AsSpan((first + k) * f, f);
                if (!double.IsFinite(intercept[k]) || !TensorPrimitives.IsFiniteAll<double>(w))
                    throw new InvalidOperationException(string.Create(CultureInfo.InvariantCulture,
                        $"Floating-point under-/overflow occurred at epoch #{epoch + 1}. Scaling the input data (e.g. with a Standardizer) might help; the model is unchanged."));

                if (earlyStopping)
                {
                    double score = ValidationAccuracy(x, y, n, problems[first + k].Positive, w, intercept[k], validation!);
                    if (tol > double.NegativeInfinity && score < bestScore[k] + tol)
                        noImprovement[k]++;
                    else
                        noImprovement[k] = 0;
                    if (score > bestScore[k])
                        bestScore[k] = score;
                }
                else
                {
                    if (tol > double.NegativeInfinity && sumLoss[k] > bestLoss[k] - tol * trainCount)
                        noImprovement[k]++;
                    else
                        noImprovement[k] = 0;
                    if (sumLoss[k] < bestLoss[k])
                        bestLoss[k] = sumLoss[k];
                }
                if (noImprovement[k] >= o.NIterNoChange)
                {
                    running[k] = false;
                    iterations[first + k] = epoch + 1;
                }
            }
            stillRunning = 0;
            for (int k = 0; k < count; k++)
            {
                if (running[k])
                    active[stillRunning++] = k;
            }
        }

        for (int k = 0; k < count; k++)
        {
            if (wscale[k] != 1.0)
            {
                Span<double> w = coef.AsSpan((first + k) * f, f);
                TensorPrimitives.Multiply(w, wscale[k], w);
            }
            intercepts[first + k] = intercept[k];
        }
    }

    /// <summary>
    /// <see cref="FitProblems"/> without a penalty and without early stopping (scikit-learn's <c>Perceptron</c>
    /// defaults): the L2 scale factor would stay 1 (p = w·x + b, the update added unscaled) and there is no L1 state, so
    /// this loop keeps neither. It runs over raw pointers, keeps the running problems in a compact list (each row's
    /// dots taken two problems at a time, <see cref="Dot2"/>), and touches a problem's loss, weights and intercept only
    /// on a mistake (a correct row adds 0 to the loss). Every sum and update is formed as in <see cref="FitProblems"/>,
    /// so the weights, intercepts and epochs are equal bit for bit. On the digits it takes about a fifth off the fit on
    /// one thread (docs/kernels.md, "Perceptron fit").
    /// </summary>
    private unsafe void FitProblemsPlain(ReadOnlySpan<double> x, ReadOnlySpan<int> y, int n, Problem[] problems, int first, int last,
        double[] coef, double[] intercepts, int[] iterations, int maxIter)
    {
        int f = Features, count = last - first;
        PerceptronOptions o = Options;
        double eta = o.Eta0, tol = o.EffectiveTol;
        bool fitIntercept = o.FitIntercept;

        // Per problem: its positive class and row weights, the intercept and the stopping rule's state.
        var positive = new int[count];
        var weightPositive = new double[count];
        var weightNegative = new double[count];
        var intercept = new double[count];
        var sumLoss = new double[count];
        var bestLoss = new double[count];
        var noImprovement = new int[count];
        // The running problems in order; a stopped one leaves the list and keeps its weights.
        var active = new int[count];
        for (int k = 0; k < count; k++)
        {
            Problem problem = problems[first + k];
            positive[k] = problem.Positive;
            weightPositive[k] = problem.WeightPositive;
            weightNegative[k] = problem.WeightNegative;
            intercept[k] = intercepts[first + k];
            bestLoss[k] = double.PositiveInfinity;
            active[k] = k;
            iterations[first + k] = maxIter;
        }
        int stillRunning = count;

        int[] order = new int[n];
        for (int i = 0; i < n; i++) order[i] = i;
        var rng = new Rng(((ulong)(uint)_seed << 32) ^ 0x5045524345505452UL); // "PERCEPTR", as FitProblems
        bool prefetch = o.Shuffle && Sse.IsSupported && f * sizeof(double) <= 4096;

        fixed (double* px = x)
        fixed (int* py = y)
        fixed (double* pcoef = coef)
        fixed (double* pb = intercept)
        fixed (double* pl = sumLoss)
        fixed (int* pa = active)
        fixed (int* po = order)
        {
            double* w0 = pcoef + ((nint)first * f); // problem k's weights: w0 + k·f
            for (int epoch = 0; epoch < maxIter && stillRunning > 0; epoch++)
            {
                if (o.Shuffle)
                    rng.Shuffle<int>(order);
                for (int a = 0; a < stillRunning; a++)
                    ObserveEpochOrder?.Invoke(first + pa[a], epoch, order, null);
                for (int k = 0; k < count; k++)
                    pl[k] = 0;
                for (int i = 0; i < n; i++)
                {
                    int s = po[i];
                    if (prefetch && i + PrefetchRowsAhead < n)
                    {
                        byte* ahead = (byte*)(px + ((nint)po[i + PrefetchRowsAhead] * f));
                        for (int b = 0; b < f * sizeof(double); b += 64)
                            Sse.Prefetch0(ahead + b);
                    }
                    double* xs = px + ((nint)s * f);
                    var row = new ReadOnlySpan<double>(xs, f);
                    int label = py[s];
                    int a = 0;
                    for (; a + 1 < stillRunning; a += 2)
                    {
                        // Both dots before either update: each problem's update touches only its own weights.
                        int k0 = pa[a], k1 = pa[a + 1];
                        double* wk0 = w0 + ((nint)k0 * f), wk1 = w0 + ((nint)k1 * f);
                        double d0 = Dot2(new ReadOnlySpan<double>(wk0, f), new ReadOnlySpan<double>(wk1, f), row, out double d1);
                        PlainStep(wk0, row, f, label == positive[k0], d0, pb + k0, pl + k0, eta, weightPositive[k0], weightNegative[k0], fitIntercept);
                        PlainStep(wk1, row, f, label == positive[k1], d1, pb + k1, pl + k1, eta, weightPositive[k1], weightNegative[k1], fitIntercept);
                    }
                    if (a < stillRunning)
                    {
                        int k = pa[a];
                        double* wk = w0 + ((nint)k * f);
                        double d = Dot(new ReadOnlySpan<double>(wk, f), row);
                        PlainStep(wk, row, f, label == positive[k], d, pb + k, pl + k, eta, weightPositive[k], weightNegative[k], fitIntercept);
                    }
                }

                int kept = 0;
                for (int a = 0; a < stillRunning; a++)
                {
                    int k = pa[a];
                    var w = new ReadOnlySpan<double>(w0 + ((nint)k * f), f);
                    if (!double.IsFinite(pb[k]) || !TensorPrimitives.IsFiniteAll(w))
                        throw new InvalidOperationException(string.Create(CultureInfo.InvariantCulture,
                            $"Floating-point under-/overflow occurred at epoch #{epoch + 1}. Scaling the input data (e.g. with a Standardizer) might help; the model is unchanged."));
                    if (tol > double.NegativeInfinity && pl[k] > bestLoss[k] - tol * n)
                        noImprovement[k]++;
                    else
                        noImprovement[k] = 0;
                    if (pl[k] < bestLoss[k])
                        bestLoss[k] = pl[k];
                    if (noImprovement[k] >= o.NIterNoChange)
                        iterations[first + k] = epoch + 1;
                    else
                        pa[kept++] = k;
                }
                stillRunning = kept;
            }
        }

        for (int k = 0; k < count; k++)
            intercepts[first + k] = intercept[k];
    }

    /// <summary>
    /// One row of one problem in <see cref="FitProblemsPlain"/>, given its dot: p = w·x + b; on a mistake (y·p ≤ 0) the
    /// loss −y·p is added and x·η·y·class_weight to the weights (and the intercept). The same operations, in the same
    /// order, as <see cref="FitProblems"/> with the scale factor 1.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe void PlainStep(double* w, ReadOnlySpan<double> row, int f, bool isPositive, double dot, double* intercept,
        double* loss, double eta, double weightPositive, double weightNegative, bool fitIntercept)
    {
        double target = isPositive ? 1.0 : -1.0;
        double z = (dot + *intercept) * target;
        if (z <= 0)
        {
            *loss += -z;
            double update = eta * target * (isPositive ? weightPositive : weightNegative);
            if (update != 0.0)
            {
                AddScaled(new Span<double>(w, f), row, update);
                if (fitIntercept)
                    *intercept += update;
            }
        }
    }

    /// <summary>Rows ahead of the current one whose cache lines <see cref="PrefetchRow"/> requests.</summary>
    private const int PrefetchRowsAhead = 2;

    /// <summary>
    /// Asks for the cache lines of the row at <paramref name="start"/> (<paramref name="length"/> values): a hint that
    /// never faults and changes no result. On the 1,797 digits (920 KB, beyond one core's L2) it saves about 5 % of a
    /// shuffled epoch (docs/kernels.md, "Perceptron fit").
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe void PrefetchRow(ReadOnlySpan<double> x, int start, int length)
    {
        fixed (double* p = x)
        {
            byte* row = (byte*)(p + start);
            for (int b = 0; b < length * sizeof(double); b += 64)
                Sse.Prefetch0(row + b);
        }
    }

    /// <summary>
    /// w·x for one row, in registers: four Vector256 accumulators (multiply, then add, never fused, so the result is
    /// the same on every x64 machine), then the tail. Rows are short (tens to thousands of features) and this runs
    /// once per row and epoch, so it skips the general kernels' set-up.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static double Dot(ReadOnlySpan<double> w, ReadOnlySpan<double> x)
    {
        int n = w.Length;
        if (!Vector256.IsHardwareAccelerated || n < Vector256<double>.Count)
            return TensorPrimitives.Dot(w, x);
        ref double rw = ref MemoryMarshal.GetReference(w);
        ref double rx = ref MemoryMarshal.GetReference(x);
        Vector256<double> a0 = Vector256<double>.Zero, a1 = Vector256<double>.Zero, a2 = Vector256<double>.Zero, a3 = Vector256<double>.Zero;
        int i = 0;
        for (; i <= n - 16; i += 16)
        {
            a0 += Vector256.LoadUnsafe(ref rw, (nuint)i) * Vector256.LoadUnsafe(ref rx, (nuint)i);
            a1 += Vector256.LoadUnsafe(ref rw, (nuint)(i + 4)) * Vector256.LoadUnsafe(ref rx, (nuint)(i + 4));
            a2 += Vector256.LoadUnsafe(ref rw, (nuint)(i + 8)) * Vector256.LoadUnsafe(ref rx, (nuint)(i + 8));
            a3 += Vector256.LoadUnsafe(ref rw, (nuint)(i + 12)) * Vector256.LoadUnsafe(ref rx, (nuint)(i + 12));
        }
        for (; i <= n - 4; i += 4)
            a0 += Vector256.LoadUnsafe(ref rw, (nuint)i) * Vector256.LoadUnsafe(ref rx, (nuint)i);
        double sum = Vector256.Sum((a0 + a1) + (a2 + a3));
        for (; i < n; i++)
            sum += Unsafe.Add(ref rw, i) * Unsafe.Add(ref rx, i);
        return sum;
    }

    /// <summary>
    /// <see cref="Dot"/>(<paramref name="w0"/>, <paramref name="x"/>) and <see cref="Dot"/>(<paramref name="w1"/>,
    /// <paramref name="x"/>) in one pass: each x vector is loaded once for both, and each sum is formed exactly as
    /// <see cref="Dot"/> forms it (the same four accumulators, the same reduction and tail), so the results are equal
    /// bit for bit. On the digits it takes about a fifth off a one-vs-rest epoch (docs/kernels.md, "Perceptron fit").
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static double Dot2(ReadOnlySpan<double> w0, ReadOnlySpan<double> w1, ReadOnlySpan<double> x, out double dot1)
    {
        int n = x.Length;
        if (!Vector256.IsHardwareAccelerated || n < Vector256<double>.Count)
        {
            dot1 = Dot(w1, x);
            return Dot(w0, x);
        }
        ref double r0 = ref MemoryMarshal.GetReference(w0);
        ref double r1 = ref MemoryMarshal.GetReference(w1);
        ref double rx = ref MemoryMarshal.GetReference(x);
        Vector256<double> a0 = Vector256<double>.Zero, a1 = Vector256<double>.Zero, a2 = Vector256<double>.Zero, a3 = Vector256<double>.Zero;
        Vector256<double> b0 = Vector256<double>.Zero, b1 = Vector256<double>.Zero, b2 = Vector256<double>.Zero, b3 = Vector256<double>.Zero;
        int i = 0;
        for (; i <= n - 16; i += 16)
        {
            Vector256<double> x0 = Vector256.LoadUnsafe(ref rx, (nuint)i), x1 = Vector256.LoadUnsafe(ref rx, (nuint)(i + 4));
            Vector256<double> x2 = Vector256.LoadUnsafe(ref rx, (nuint)(i + 8)), x3 = Vector256.LoadUnsafe(ref rx, (nuint)(i + 12));
            a0 += Vector256.LoadUnsafe(ref r0, (nuint)i) * x0;
            b0 += Vector256.LoadUnsafe(ref r1, (nuint)i) * x0;
            a1 += Vector256.LoadUnsafe(ref r0, (nuint)(i + 4)) * x1;
            b1 += Vector256.LoadUnsafe(ref r1, (nuint)(i + 4)) * x1;
            a2 += Vector256.LoadUnsafe(ref r0, (nuint)(i + 8)) * x2;
            b2 += Vector256.LoadUnsafe(ref r1, (nuint)(i + 8)) * x2;
            a3 += Vector256.LoadUnsafe(ref r0, (nuint)(i + 12)) * x3;
            b3 += Vector256.LoadUnsafe(ref r1, (nuint)(i + 12)) * x3;
        }
        for (; i <= n - 4; i += 4)
        {
            Vector256<double> xv = Vector256.LoadUnsafe(ref rx, (nuint)i);
            a0 += Vector256.LoadUnsafe(ref r0, (nuint)i) * xv;
            b0 += Vector256.LoadUnsafe(ref r1, (nuint)i) * xv;
        }
        double sum0 = Vector256.Sum((a0 + a1) + (a2 + a3));
        double sum1 = Vector256.Sum((b0 + b1) + (b2 + b3));
        for (; i < n; i++)
        {
            double xi = Unsafe.Add(ref rx, i);
            sum0 += Unsafe.Add(ref r0, i) * xi;
            sum1 += Unsafe.Add(ref r1, i) * xi;
        }
        dot1 = sum1;
        return sum0;
    }

    /// <summary>w += x · c elementwise, each element rounded as scikit-learn's loop rounds it (product, then sum).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void AddScaled(Span<double> w, ReadOnlySpan<double> x, double c)
    {
        int n = w.Length;
        ref double rw = ref MemoryMarshal.GetReference(w);
        ref double rx = ref MemoryMarshal.GetReference(x);
        int i = 0;
        if (Vector256.IsHardwareAccelerated)
        {
            Vector256<double> vc = Vector256.Create(c);
            for (; i <= n - 4; i += 4)
                (Vector256.LoadUnsafe(ref rw, (nuint)i) + Vector256.LoadUnsafe(ref rx, (nuint)i) * vc).StoreUnsafe(ref rw, (nuint)i);
        }
        for (; i < n; i++)
            Unsafe.Add(ref rw, i) += Unsafe.Add(ref rx, i) * c;
    }

    /// <summary>
    /// The L1 part of the penalty on every feature (dense rows touch every feature): the cumulative truncated gradient
    /// of Tsuruoka, Tsujii and Ananiadou (2009). <paramref name="u"/> is the total penalty so far, <paramref name="q"/>
    /// what each weight has received.
    /// </summary>
    private static void TruncateL1(Span<double> w, Span<double> q, double u, double wscale)
    {
        for (int j = 0; j < w.Length; j++)
        {
            double z = w[j];
            if (wscale * z > 0.0)
                w[j] = Math.Max(0.0, w[j] - ((u + q[j]) / wscale));
            else if (wscale * z < 0.0)
                w[j] = Math.Min(0.0, w[j] + ((u - q[j]) / wscale));
            q[j] += wscale * (w[j] - z);
        }
    }

    /// <summary>
    /// The accuracy on the validation rows of the binary problem, computed like scikit-learn's validation callback:
    /// from the stored weights without the pending L2 scale factor.
    /// </summary>
    private double ValidationAccuracy(ReadOnlySpan<double> x, ReadOnlySpan<int> y, int n, int positive, ReadOnlySpan<double> w, double intercept, byte[] validation)
    {
        int correct = 0, count = 0;
        for (int s = 0; s < n; s++)
        {
            if (validation[s] == 0) continue;
            count++;
            double p = TensorPrimitives.Dot(w, x.Slice(s * Features, Features)) + intercept;
            bool predictedPositive = p > 0;
            if (predictedPositive == (y[s] == positive)) correct++;
        }
        return (double)correct / count;
    }

    /// <summary>scikit-learn's <c>compute_class_weight</c>: ones, the explicit weights, or n / (classes · count).</summary>
    private double[] ExpandedClassWeights(ReadOnlySpan<int> y)
    {
        var weights = new double[Classes];
        if (Options.ClassWeights is { } explicitWeights)
        {
            explicitWeights.CopyTo(weights, 0);
            return weights;
        }
        if (Options.ClassWeight != ClassWeight.Balanced)
        {
            Array.Fill(weights, 1.0);
            return weights;
        }
        var counts = new int[Classes];
        foreach (int label in y) counts[label]++;
        for (int c = 0; c < Classes; c++)
        {
            if (counts[c] == 0)
                throw new ArgumentException($"Balanced class weights need every class in y; class {c} has no row (y has {y.Length} labels).", nameof(y));
            weights[c] = y.Length / (Classes * (double)counts[c]);
        }
        return weights;
    }

    /// <summary>
    /// The early-stopping split, stratified by label as scikit-learn's <c>StratifiedShuffleSplit</c>: ceil(fraction · n)
    /// validation rows, shared among the classes by their frequency (largest remainders first, then label order),
    /// drawn from this model's seed. 1 marks a validation row.
    /// </summary>
    private byte[] ValidationMask(ReadOnlySpan<int> y, int n)
    {
        int nTest = (int)Math.Ceiling(Options.ValidationFraction * n);
        int nTrain = n - nTest;
        if (nTrain <= 0 || nTest <= 0)
            throw new InvalidOperationException($"Splitting {n} samples into a train set and a validation set with ValidationFraction = "
                + $"{Options.ValidationFraction.ToString("R", CultureInfo.InvariantCulture)} leads to an empty set ({Math.Max(nTrain, 0)} and {Math.Max(nTest, 0)} samples); "
                + "change ValidationFraction, give more samples or turn EarlyStopping off.");
        var counts = new int[Classes];
        foreach (int label in y) counts[label]++;
        int present = 0;
        int smallest = int.MaxValue;
        foreach (int c in counts)
        {
            if (c == 0) continue;
            present++;
            smallest = Math.Min(smallest, c);
        }
        if (smallest < 2)
            throw new InvalidOperationException("The least populated class in y has only 1 row, too few for a stratified validation split; turn EarlyStopping off or give more rows.");
        if (nTest < present || nTrain < present)
            throw new InvalidOperationException($"A stratified validation split of {n} rows into {nTrain} and {nTest} needs at least {present} rows (one per class) on each side.");

        // The validation rows per class: floor(count · nTest / n), then one more for the largest remainders.
        var take = new int[Classes];
        var remainders = new double[Classes];
        int assigned = 0;
        for (int c = 0; c < Classes; c++)
        {
            double exact = counts[c] * (double)nTest / n;
            take[c] = (int)Math.Floor(exact);
            remainders[c] = exact - take[c];
            assigned += take[c];
        }
        while (assigned < nTest)
        {
            int best = -1;
            for (int c = 0; c < Classes; c++)
            {
                if (take[c] < counts[c] && (best < 0 || remainders[c] > remainders[best])) best = c;
            }
            take[best]++;
            remainders[best] = -1;
            assigned++;
        }

        var rng = new Rng(((ulong)(uint)_seed << 32) ^ 0x56414C4944415445UL); // "VALIDATE"
        var mask = new byte[n];
        var members = new List<int>();
        for (int c = 0; c < Classes; c++)
        {
            members.Clear();
            for (int s = 0; s < n; s++)
            {
                if (y[s] == c) members.Add(s);
            }
            // A partial Fisher–Yates: the first take[c] of a random permutation of the class's rows.
            for (int i = 0; i < take[c]; i++)
            {
                int j = i + rng.NextInt(members.Count - i);
                (members[i], members[j]) = (members[j], members[i]);
                mask[members[i]] = 1;
            }
        }
        return mask;
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Prediction

    private void Decide(ReadOnlySpan<double> sample, Span<double> scores)
    {
        for (int c = 0; c < scores.Length; c++)
            scores[c] = TensorPrimitives.Dot(_coef.AsSpan(c * Features, Features), sample) + _intercept[c];
    }

    private int PredictRow(ReadOnlySpan<double> sample)
    {
        if (CoefRows == 1)
            return TensorPrimitives.Dot(_coef, sample) + _intercept[0] > 0 ? 1 : 0;
        int best = 0;
        double bestScore = double.NegativeInfinity;
        for (int c = 0; c < CoefRows; c++)
        {
            double score = TensorPrimitives.Dot(_coef.AsSpan(c * Features, Features), sample) + _intercept[c];
            if (score > bestScore || c == 0)
            {
                best = c;
                bestScore = score;
            }
        }
        return best;
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Checks and the call state

    private int CheckRows(ReadOnlySpan<double> x, string name)
    {
        if (x.Length % Features != 0)
            throw new ArgumentException($"{name} has {x.Length} values, not a whole number of rows of {Features} features.", name);
        return x.Length / Features;
    }

    private int CheckData(ReadOnlySpan<double> x, ReadOnlySpan<int> y)
    {
        int n = y.Length;
        if (n == 0)
            throw new ArgumentException("y has no labels; expected at least one row to fit.", nameof(y));
        if ((long)n * Features != x.Length)
            throw new ArgumentException($"x has {x.Length} values; expected {n} rows × {Features} features = {(long)n * Features} (y has {n} labels).", nameof(x));
        CheckLabels(y);
        if (!TensorPrimitives.IsFiniteAll(x))
        {
            for (int i = 0; i < x.Length; i++)
            {
                if (!double.IsFinite(x[i]))
                    throw new ArgumentException(string.Create(CultureInfo.InvariantCulture,
                        $"x[{i}] (row {i / Features}, feature {i % Features}) is {x[i]}; expected finite values."), nameof(x));
            }
        }
        return n;
    }

    private void CheckLabels(ReadOnlySpan<int> y)
    {
        for (int i = 0; i < y.Length; i++)
        {
            if ((uint)y[i] >= (uint)Classes)
                throw new ArgumentException($"y[{i}] is {y[i]}; expected a class label in 0..{Classes - 1}.", nameof(y));
        }
    }

    private void EnterTraining()
    {
        int state = Interlocked.CompareExchange(ref _callState, -1, 0);
        if (state != 0)
            throw new InvalidOperationException(state < 0
                ? "Another training or loading call is running on this perceptron."
                : "Predictions are running on this perceptron; a training or loading call must wait for them to finish.");
    }

    private void EnterPrediction()
    {
        if (!IsFitted)
            throw new InvalidOperationException($"Perceptron '{_name}' is not fitted yet: call Fit, PartialFit or Load first.");
        while (true)
        {
            int state = Volatile.Read(ref _callState);
            if (state < 0)
                throw new InvalidOperationException("A training or loading call is running on this perceptron.");
            if (Interlocked.CompareExchange(ref _callState, state + 1, state) == state)
                return;
        }
    }
}
