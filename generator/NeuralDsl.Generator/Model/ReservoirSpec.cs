namespace NeuralDsl.Generator.Model;

/// <summary>
/// One echo state network class (<c>[Reservoir]</c> + <c>[Input]</c> + <c>[Readout]</c>), by value: the output of the
/// reservoir pipeline's Parse step. Settings carry ReservoirPy's defaults when the attribute does not set them.
/// </summary>
/// <param name="Namespace">As <see cref="ModelSpec.Namespace"/>.</param>
/// <param name="ClassName">As <see cref="ModelSpec.ClassName"/>.</param>
/// <param name="MetadataName">As <see cref="ModelSpec.MetadataName"/>, for the hint name.</param>
/// <param name="ModelName">The class name as written (no <c>@</c>), shown in summaries and weight files.</param>
/// <param name="Units">Reservoir neurons.</param>
/// <param name="Inputs">Features per step (<c>[Input(features)]</c>).</param>
/// <param name="Outputs">Readout values per step.</param>
/// <param name="SpectralRadius">The spectral radius W is rescaled to; NaN keeps W unscaled.</param>
/// <param name="LeakRate">Leak rate in (0, 1].</param>
/// <param name="InputScaling">Scale of Win's ±1 weights.</param>
/// <param name="Connectivity">Density of W.</param>
/// <param name="InputConnectivity">Density of Win and of the bias.</param>
/// <param name="Bias">Scale of the ±1 bias (0: none).</param>
/// <param name="Activation">The element-wise reservoir activation.</param>
/// <param name="Seed">The constructor's default seed.</param>
/// <param name="Ridge">The ridge coefficient λ.</param>
/// <param name="Warmup">Steps discarded at the start of a fitted series.</param>
/// <param name="HasUserSummary">As <see cref="ModelSpec.HasUserSummary"/>.</param>
internal sealed record ReservoirSpec(
    string Namespace,
    string ClassName,
    string MetadataName,
    string ModelName,
    int Units,
    int Inputs,
    int Outputs,
    double SpectralRadius,
    double LeakRate,
    double InputScaling,
    double Connectivity,
    double InputConnectivity,
    double Bias,
    Activation Activation,
    int Seed,
    double Ridge,
    int Warmup,
    bool HasUserSummary)
{
    /// <summary>Values of <c>GetState</c>/<c>SetState</c>: the reservoir state, then the last output.</summary>
    public int StateSize => Units + Outputs;

    /// <summary>A generative (closed-loop) run feeds each output back as the next input, so the sizes must agree.</summary>
    public bool CanGenerate => Inputs == Outputs;

    /// <summary>Non-zeros of W: round(density · units²), as <c>scipy.sparse.random</c> draws them.</summary>
    public long RecurrentNonZeros => Round(Connectivity * Units * (double)Units);

    /// <summary>Non-zeros of Win.</summary>
    public long InputNonZeros => Round(InputConnectivity * Units * (double)Inputs);

    private static long Round(double value) => (long)System.Math.Round(value, System.MidpointRounding.ToEven);
}
