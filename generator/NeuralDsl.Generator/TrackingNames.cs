namespace NeuralDsl.Generator;

/// <summary>Names of the tracked pipeline steps, so tests can assert what an edit re-runs.</summary>
public static class TrackingNames
{
    /// <summary>The <c>[Sequential]</c> class parsed into a model spec and diagnostics.</summary>
    public const string Parse = nameof(Parse);

    /// <summary>Shapes, names and parameter offsets resolved.</summary>
    public const string Plan = nameof(Plan);

    /// <summary>The diagnostics to report.</summary>
    public const string Diagnostics = nameof(Diagnostics);

    /// <summary>The error-free plans that are emitted.</summary>
    public const string Output = nameof(Output);

    /// <summary>The diagnostics of <c>[Block]</c> classes (their own mistakes; block classes generate no code).</summary>
    public const string Blocks = nameof(Blocks);

    /// <summary>The models with errors, which get throwing placeholder members instead.</summary>
    public const string Placeholder = nameof(Placeholder);

    /// <summary>The <c>[Reservoir]</c> class parsed into an echo state network spec and diagnostics.</summary>
    public const string ReservoirParse = nameof(ReservoirParse);

    /// <summary>The error-free echo state networks that are emitted.</summary>
    public const string ReservoirOutput = nameof(ReservoirOutput);
    /// <summary>A <c>[Perceptron]</c> class parsed into its spec and diagnostics.</summary>
    public const string PerceptronParse = nameof(PerceptronParse);

    /// <summary>The perceptron specs that are emitted (or written as placeholders when they have errors).</summary>
    public const string PerceptronOutput = nameof(PerceptronOutput);
}
