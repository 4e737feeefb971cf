using System;

namespace NeuralDsl;

/// <summary>
/// Marks a <c>partial</c> class as a perceptron (scikit-learn's <c>Perceptron</c>): a linear classifier over the
/// <c>[Input(features)]</c> vector, fitted by the perceptron rule, one-vs-rest for more than two classes. The generator
/// writes the class with literal sizes; fitting runs in <see cref="PerceptronClassifier"/>. The settings and their
/// defaults are scikit-learn's.
/// </summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = false, Inherited = false)]
public sealed class PerceptronAttribute : Attribute
{
    /// <summary>Declares a perceptron over <paramref name="classes"/> classes (labels 0 … classes − 1; at least 2).</summary>
    public PerceptronAttribute(int classes) => Classes = classes;

    /// <summary>The number of classes; 2 fits one weight vector, more fit one per class (one-vs-rest).</summary>
    public int Classes { get; }

    /// <summary>The regularization term (scikit-learn <c>penalty</c>, default none).</summary>
    public Penalty Penalty { get; set; }

    /// <summary>The regularization strength α (default 1e-4), used only with a penalty.</summary>
    public double Alpha { get; set; } = PerceptronOptions.DefaultAlpha;

    /// <summary>The elastic-net mixing in [0, 1] (default 0.15): 0 is L2, 1 is L1.</summary>
    public double L1Ratio { get; set; } = PerceptronOptions.DefaultL1Ratio;

    /// <summary>Whether to fit an intercept (default true); without, the decision passes through the origin.</summary>
    public bool FitIntercept { get; set; } = true;

    /// <summary>The maximum number of epochs (passes over the data) of <c>Fit</c> (default 1000).</summary>
    public int MaxIter { get; set; } = PerceptronOptions.DefaultMaxIter;

    /// <summary>
    /// The stopping tolerance (default 1e-3): training stops after <see cref="NIterNoChange"/> epochs whose summed
    /// loss is not below the best by tol · n_samples. <see cref="double.NaN"/> means none (scikit-learn
    /// <c>tol=None</c>): run <see cref="MaxIter"/> epochs.
    /// </summary>
    public double Tol { get; set; } = PerceptronOptions.DefaultTol;

    /// <summary>Epochs without improvement before stopping (default 5).</summary>
    public int NIterNoChange { get; set; } = PerceptronOptions.DefaultNIterNoChange;

    /// <summary>Whether to shuffle the training rows before each epoch (default true), from the constructor's seed.</summary>
    public bool Shuffle { get; set; } = true;

    /// <summary>The constant learning rate η (default 1).</summary>
    public double Eta0 { get; set; } = PerceptronOptions.DefaultEta0;

    /// <summary>Stop on a held-out validation score instead of the training loss (default false).</summary>
    public bool EarlyStopping { get; set; }

    /// <summary>The part of the training rows held out for <see cref="EarlyStopping"/>, in (0, 1) (default 0.1).</summary>
    public double ValidationFraction { get; set; } = PerceptronOptions.DefaultValidationFraction;

    /// <summary>Class weighting: none (default, or <see cref="ClassWeights"/>) or balanced.</summary>
    public ClassWeight ClassWeight { get; set; }

    /// <summary>Explicit class weights, one per class in label order (scikit-learn's <c>class_weight</c> dict).</summary>
    public double[]? ClassWeights { get; set; }
}
