using System;
using System.Numerics;
using Google.Protobuf;
using NeuralDsl.Onnx.Export;
using NeuralDsl.Onnx.Proto;

namespace NeuralDsl;

/// <summary>
/// Writes a generated model as an ONNX file (opset 17) that ONNX Runtime, Triton and the other ONNX engines run with
/// the model's current weights: <c>model.ExportOnnx("model.onnx")</c>. The graph is built from the model's layer
/// description (<see cref="IModel{T}.Layers"/>) and its parameter and state vectors.
/// </summary>
/// <remarks>
/// <list type="bullet">
/// <item>The graph input has the model's layout: [N, ...the <c>[Input]</c> shape...] with a symbolic batch <c>N</c>,
/// images NHWC, sequences [N, steps, features], token ids as the model's element type. The output is
/// <c>Predict</c>'s, [N, ...output shape...]. Convolutions and poolings run in ONNX's NCHW between Transpose nodes,
/// inserted only where a layer needs the other layout.</item>
/// <item>Inference semantics: Dropout is the identity, BatchNormalization uses the moving statistics.</item>
/// <item>A layer or option ONNX cannot express here (a Keras mask reaching a layer that reads it, a recurrent layer with a
/// linear activation, a hand-written model without a layer description) is a <see cref="NotSupportedException"/>
/// naming it, thrown before anything is written; the file is written to a temporary name and renamed, so a failed
/// export leaves no file and an existing one unchanged.</item>
/// </list>
/// </remarks>
public static class OnnxExport
{
    /// <summary>The ONNX operator set the files use.</summary>
    public const int Opset = 17;

    /// <summary>Writes <paramref name="model"/> as an ONNX file (float tensors) at <paramref name="path"/>.</summary>
    /// <param name="model">A generated model.</param>
    /// <param name="path">The file to write; replaced atomically when it exists.</param>
    /// <exception cref="NotSupportedException">A layer or option has no ONNX form; the message names it.</exception>
    public static void ExportOnnx(this IModel<float> model, string path) => Export(model, path);

    /// <summary>
    /// Writes <paramref name="model"/> as an ONNX file with double tensors. ONNX allows double everywhere; whether an
    /// engine has a double kernel depends on the operator (ONNX Runtime runs a double MLP).
    /// </summary>
    /// <inheritdoc cref="ExportOnnx(IModel{float}, string)"/>
    public static void ExportOnnx(this IModel<double> model, string path) => Export(model, path);

    /// <summary>The ONNX model of <paramref name="model"/> as bytes, as <see cref="ExportOnnx(IModel{float}, string)"/> writes them.</summary>
    /// <inheritdoc cref="ExportOnnx(IModel{float}, string)"/>
    public static byte[] ToOnnxBytes(this IModel<float> model) => Build(model).ToByteArray();

    /// <inheritdoc cref="ToOnnxBytes(IModel{float})"/>
    public static byte[] ToOnnxBytes(this IModel<double> model) => Build(model).ToByteArray();

    private static void Export<T>(IModel<T> model, string path) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentException.ThrowIfNullOrEmpty(path);
        ModelProto proto = Build(model); // every check happens here, before the file is touched
        AtomicFile.Write(path, stream => proto.WriteTo(stream));
    }

    internal static ModelProto Build<T>(IModel<T> model) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(model);
        return new OnnxModelWriter<T>(model).Build();
    }
}
