using System;

namespace NeuralDsl;

/// <summary>
/// The fixed sinusoidal position encoding (KerasHub <c>SinePositionEncoding</c>, max_wavelength 10000) added to a
/// sequence (steps, features): for position p and feature i, <c>sin(p·w)</c> at even i and <c>cos(p·w)</c> at odd i with
/// <c>w = (1 / maxWavelength)^(2·⌊i/2⌋ / features)</c>. No parameters. KerasHub's layer returns the encoding and the
/// model adds it; here the layer does the addition.
/// </summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class SinePositionEncodingAttribute : LayerAttribute
{
    /// <summary>The longest wavelength (KerasHub <c>max_wavelength</c>, default 10000).</summary>
    public double MaxWavelength { get; set; } = 10000;
}
