using System;
using System.Collections.Generic;
using System.IO;
using static System.FormattableString;

namespace NeuralDsl;

/// <summary>
/// Weight files of generated echo state networks (safetensors, F32): <c>reservoir.W</c> [units, units],
/// <c>reservoir.Win</c> [units, inputs], <c>reservoir.bias</c> [units], <c>readout.Wout</c> [units, outputs] and
/// <c>readout.bias</c> [outputs] in ReservoirPy's layout, and the run state: <c>reservoir.state</c> [units] and
/// <c>readout.state</c> [outputs] (the last output, which a generative run feeds back), so a loaded model resumes a
/// run exactly where the saved one stopped. Saving replaces the file atomically; loading validates every tensor before
/// the model changes.
/// </summary>
public static class EchoStateFiles
{
    private static readonly string[] Names =
        ["reservoir.W", "reservoir.Win", "reservoir.bias", "readout.Wout", "readout.bias", "reservoir.state", "readout.state"];

    /// <summary>
    /// Saves an echo state network. <paramref name="readoutWeights"/> is [outputs × units] as the generated model keeps
    /// it; the file holds its transpose, ReservoirPy's <c>Wout</c>. <paramref name="state"/> is the reservoir state
    /// followed by the last output.
    /// </summary>
    /// <exception cref="ArgumentException">A length does not fit the matrices.</exception>
    /// <exception cref="IOException">Writing failed; the message names <paramref name="path"/>.</exception>
    public static void Save(string path, string modelName, ReservoirMatrix w, ReservoirMatrix win, ReadOnlySpan<float> bias,
        ReadOnlySpan<float> readoutWeights, ReadOnlySpan<float> readoutBias, ReadOnlySpan<float> state)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(modelName);
        ArgumentNullException.ThrowIfNull(w);
        ArgumentNullException.ThrowIfNull(win);
        int units = w.Rows, inputs = win.Columns, outputs = readoutBias.Length;
        Reservoir.Check(bias.Length, units, "bias", nameof(bias));
        Reservoir.Check(readoutWeights.Length, outputs * units, "readoutWeights", nameof(readoutWeights));
        Reservoir.Check(state.Length, units + outputs, "state", nameof(state));
        var dense = new float[(long)units * units];
        w.ToDense(dense);
        var denseIn = new float[(long)units * inputs];
        win.ToDense(denseIn);
        var wout = new float[readoutWeights.Length];
        for (int o = 0; o < outputs; o++)
        {
            for (int u = 0; u < units; u++)
                wout[u * outputs + o] = readoutWeights[o * units + u];
        }
        var writer = new SafeTensorsWriter();
        writer.SetMetadata("model", modelName);
        writer.SetMetadata("library", "NeuralDsl");
        writer.SetMetadata("kind", "echo state network");
        writer.Add(Names[0], dense, units, units);
        writer.Add(Names[1], denseIn, units, inputs);
        writer.Add(Names[2], bias, units);
        writer.Add(Names[3], wout, units, outputs);
        writer.Add(Names[4], readoutBias, outputs);
        writer.Add(Names[5], state.Slice(0, units), units);
        writer.Add(Names[6], state.Slice(units), outputs);
        writer.Save(path);
    }

    /// <summary>
    /// Reads and validates a file written by <see cref="Save"/> for a network of the given sizes: every tensor present
    /// with its shape and dtype F32, no other tensor, every value finite. Nothing is copied into a model here; the
    /// generated <c>LoadWeights</c> copies the result only after this returned.
    /// </summary>
    /// <exception cref="InvalidDataException">The file is malformed or does not match; the message names the tensor and the expected and found values.</exception>
    /// <exception cref="FileNotFoundException">There is no such file.</exception>
    public static EchoStateWeights Load(string path, string modelName, int units, int inputs, int outputs)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(modelName);
        int[][] shapes = [[units, units], [units, inputs], [units], [units, outputs], [outputs], [units], [outputs]];
        SafeTensorsFile file = SafeTensors.Read(path, "Weight file", (source, found) =>
        {
            var byName = new Dictionary<string, SafeTensorInfo>(StringComparer.Ordinal);
            foreach (SafeTensorInfo t in found)
                byName[t.Name] = t;
            for (int i = 0; i < Names.Length; i++)
            {
                if (!byName.TryGetValue(Names[i], out SafeTensorInfo? t))
                    throw new InvalidDataException($"{source}: tensor '{Names[i]}' of echo state network '{modelName}' is missing (the file has {string.Join(", ", SafeTensorInfo.Names(found))}).");
                if (t.DType != SafeTensorsDType.F32)
                    throw new InvalidDataException($"{source}: tensor '{Names[i]}' has dtype {SafeTensorsDTypes.ToHeaderString(t.DType)}, expected F32.");
                if (!t.HasShape(shapes[i]))
                    throw new InvalidDataException($"{source}: tensor '{Names[i]}' has shape {SafeTensorInfo.FormatShape(t.ShapeSpan)}, expected {SafeTensorInfo.FormatShape(shapes[i])}.");
            }
            foreach (SafeTensorInfo t in found)
            {
                if (Array.IndexOf(Names, t.Name) < 0)
                    throw new InvalidDataException($"{source}: tensor '{t.Name}' is not part of echo state network '{modelName}' (its tensors are {string.Join(", ", Names)}).");
            }
        });
        float[][] values = new float[Names.Length][];
        for (int i = 0; i < Names.Length; i++)
        {
            values[i] = file.ToSingleArray(Names[i]);
            int bad = Array.FindIndex(values[i], static v => !float.IsFinite(v));
            if (bad >= 0)
                throw new InvalidDataException(Invariant($"{file.Source}: tensor '{Names[i]}' has the non-finite value {values[i][bad]} at element {bad}."));
        }
        var readoutWeights = new float[(long)outputs * units];
        for (int u = 0; u < units; u++)
        {
            for (int o = 0; o < outputs; o++)
                readoutWeights[o * units + u] = values[3][u * outputs + o];
        }
        var state = new float[units + outputs];
        values[5].CopyTo(state, 0);
        values[6].CopyTo(state, units);
        return new EchoStateWeights(
            ReservoirMatrix.FromDense(values[0], units, units),
            ReservoirMatrix.FromDense(values[1], units, inputs),
            values[2], readoutWeights, values[4], state);
    }
}

/// <summary>What <see cref="EchoStateFiles.Load"/> read and validated: the parts of an echo state network.</summary>
/// <param name="W">The recurrent weights [units × units].</param>
/// <param name="Win">The input weights [units × inputs].</param>
/// <param name="Bias">The reservoir bias [units].</param>
/// <param name="ReadoutWeights">Wout as the generated model keeps it, [outputs × units].</param>
/// <param name="ReadoutBias">The readout bias [outputs].</param>
/// <param name="State">The reservoir state [units] followed by the last output [outputs].</param>
public sealed record EchoStateWeights(ReservoirMatrix W, ReservoirMatrix Win, float[] Bias, float[] ReadoutWeights, float[] ReadoutBias, float[] State);
