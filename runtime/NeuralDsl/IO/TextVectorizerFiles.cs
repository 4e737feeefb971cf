using System;
using System.IO;
using System.Numerics;

namespace NeuralDsl;

/// <summary>
/// A model's weights and its <see cref="TextVectorizer"/> in one safetensors file: the vectorizer (settings and
/// vocabulary, as JSON) goes into the <c>__metadata__</c> map under <see cref="TextVectorizer.MetadataKey"/>, written
/// in the same atomic save as the tensors, so the file never holds weights from one training run and a vocabulary
/// from another. <see cref="WeightFiles.LoadWeights{T}"/> ignores the metadata, so such a file loads like any other.
/// </summary>
/// <example>
/// <code>
/// model.SaveWeights("spam.safetensors", vectorizer);
/// ...
/// model.LoadWeights("spam.safetensors", out TextVectorizer vectorizer);
/// </code>
/// </example>
public static class TextVectorizerFiles
{
    /// <summary>
    /// Saves every parameter tensor of <paramref name="model"/> and <paramref name="vectorizer"/> to
    /// <paramref name="path"/>, atomically (as <see cref="WeightFiles.SaveWeights{T}"/>).
    /// </summary>
    /// <exception cref="InvalidOperationException">The vectorizer has no vocabulary yet, or the model's parameter layout does not fit its parameters.</exception>
    /// <exception cref="IOException">The path is a directory, its directory is missing, or writing failed.</exception>
    public static void SaveWeights<T>(this IModel<T> model, string path, TextVectorizer vectorizer) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(vectorizer);
        string json = vectorizer.ToJson();
        SafeTensorsWriter writer = WeightFiles.CreateWriter(model);
        writer.SetMetadata(TextVectorizer.MetadataKey, json);
        writer.Save(path);
    }

    /// <summary>
    /// Loads weights like <see cref="WeightFiles.LoadWeights{T}"/> and the text vectorizer stored beside them, from one
    /// read of the file. The vectorizer is validated before any weight is copied: a file without a valid one leaves
    /// the model unchanged.
    /// </summary>
    /// <exception cref="InvalidDataException">The file holds no valid vectorizer, is malformed, or does not match the model.</exception>
    /// <exception cref="FileNotFoundException">There is no such file.</exception>
    public static void LoadWeights<T>(this IModel<T> model, string path, out TextVectorizer vectorizer) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        TextVectorizer? loaded = null;
        WeightFiles.Load(model, path, file => loaded = TextVectorizer.FromSafeTensors(file));
        vectorizer = loaded!;
    }
}
