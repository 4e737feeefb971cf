using System;
using System.Globalization;

namespace NeuralDsl;

/// <summary>
/// The settings of a <see cref="PerceptronClassifier"/>, with scikit-learn's <c>Perceptron</c> defaults. Generated
/// perceptron classes build one from their attribute's literal values.
/// </summary>
public sealed record PerceptronOptions
{
    /// <summary>scikit-learn's default <c>alpha</c>.</summary>
    public const double DefaultAlpha = 1e-4;

    /// <summary>scikit-learn's default <c>l1_ratio</c>.</summary>
    public const double DefaultL1Ratio = 0.15;

    /// <summary>scikit-learn's default <c>max_iter</c>.</summary>
    public const int DefaultMaxIter = 1000;

    /// <summary>scikit-learn's default <c>tol</c>.</summary>
    public const double DefaultTol = 1e-3;

    /// <summary>scikit-learn's default <c>n_iter_no_change</c>.</summary>
    public const int DefaultNIterNoChange = 5;

    /// <summary>The Perceptron's default <c>eta0</c>.</summary>
    public const double DefaultEta0 = 1.0;

    /// <summary>scikit-learn's default <c>validation_fraction</c>.</summary>
    public const double DefaultValidationFraction = 0.1;

    /// <summary>The regularization term (default none).</summary>
    public Penalty Penalty { get; init; }

    /// <summary>The regularization strength α ≥ 0.</summary>
    public double Alpha { get; init; } = DefaultAlpha;

    /// <summary>The elastic-net mixing in [0, 1].</summary>
    public double L1Ratio { get; init; } = DefaultL1Ratio;

    /// <summary>Whether to fit an intercept.</summary>
    public bool FitIntercept { get; init; } = true;

    /// <summary>The maximum number of epochs of <c>Fit</c>, at least 1.</summary>
    public int MaxIter { get; init; } = DefaultMaxIter;

    /// <summary>The stopping tolerance ≥ 0, or null (also NaN) for none: run <see cref="MaxIter"/> epochs.</summary>
    public double? Tol { get; init; } = DefaultTol;

    /// <summary>Epochs without improvement before stopping, at least 1.</summary>
    public int NIterNoChange { get; init; } = DefaultNIterNoChange;

    /// <summary>Whether to shuffle the rows before each epoch.</summary>
    public bool Shuffle { get; init; } = true;

    /// <summary>The constant learning rate η &gt; 0.</summary>
    public double Eta0 { get; init; } = DefaultEta0;

    /// <summary>Stop on the validation accuracy of a held-out part instead of the training loss.</summary>
    public bool EarlyStopping { get; init; }

    /// <summary>The held-out part for <see cref="EarlyStopping"/>, in (0, 1).</summary>
    public double ValidationFraction { get; init; } = DefaultValidationFraction;

    /// <summary>Class weighting: none (or <see cref="ClassWeights"/>) or balanced.</summary>
    public ClassWeight ClassWeight { get; init; }

    /// <summary>Explicit class weights, one per class in label order, or null.</summary>
    public double[]? ClassWeights { get; init; }

    /// <summary>The tolerance as the fit uses it: none (null or NaN) is −∞, so the stopping rule never counts.</summary>
    internal double EffectiveTol => Tol is { } tol && !double.IsNaN(tol) ? tol : double.NegativeInfinity;

    /// <summary>Throws <see cref="ArgumentException"/> naming the first setting out of its range, for <paramref name="classes"/> classes.</summary>
    internal void Validate(int classes)
    {
        static string F(double v) => v.ToString("R", CultureInfo.InvariantCulture);
        if (!Enum.IsDefined(Penalty))
            throw new ArgumentException($"Penalty {(int)Penalty} is not a member of Penalty.", nameof(Penalty));
        if (!Enum.IsDefined(ClassWeight))
            throw new ArgumentException($"ClassWeight {(int)ClassWeight} is not a member of ClassWeight.", nameof(ClassWeight));
        if (!(Alpha >= 0) || double.IsInfinity(Alpha))
            throw new ArgumentException($"Alpha is {F(Alpha)}; expected a finite value >= 0.", nameof(Alpha));
        if (!(L1Ratio >= 0 && L1Ratio <= 1))
            throw new ArgumentException($"L1Ratio is {F(L1Ratio)}; expected a value in [0, 1].", nameof(L1Ratio));
        if (MaxIter < 1)
            throw new ArgumentException($"MaxIter is {MaxIter}; expected at least 1.", nameof(MaxIter));
        if (Tol is { } tol && !double.IsNaN(tol) && !(tol >= 0))
            throw new ArgumentException($"Tol is {F(tol)}; expected a value >= 0, or null (NaN) for none.", nameof(Tol));
        if (NIterNoChange < 1)
            throw new ArgumentException($"NIterNoChange is {NIterNoChange}; expected at least 1.", nameof(NIterNoChange));
        if (!(Eta0 > 0) || double.IsInfinity(Eta0))
            throw new ArgumentException($"Eta0 is {F(Eta0)}; expected a finite value > 0.", nameof(Eta0));
        if (!(ValidationFraction > 0 && ValidationFraction < 1))
            throw new ArgumentException($"ValidationFraction is {F(ValidationFraction)}; expected a value in (0, 1).", nameof(ValidationFraction));
        if (ClassWeights is { } weights)
        {
            if (ClassWeight == ClassWeight.Balanced)
                throw new ArgumentException("ClassWeight is Balanced and explicit ClassWeights are given; use one of them.", nameof(ClassWeights));
            if (weights.Length != classes)
                throw new ArgumentException($"ClassWeights has {weights.Length} values; expected one per class ({classes}).", nameof(ClassWeights));
            foreach (double w in weights)
            {
                if (!(w >= 0) || double.IsInfinity(w))
                    throw new ArgumentException($"ClassWeights holds {F(w)}; expected finite values >= 0.", nameof(ClassWeights));
            }
        }
    }
}
