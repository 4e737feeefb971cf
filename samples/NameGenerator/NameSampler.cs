using System;
using System.Text;
using NeuralDsl;

namespace NameGenerator;

/// <summary>
/// Writes new names one character at a time: the model reads [start, c1, ..., ct, padding...] and its distribution at
/// step t, restricted to the characters and the end token and sharpened by a temperature, picks c(t+1), until the end
/// token or the longest name the steps hold.
/// </summary>
public static class NameSampler
{
    /// <summary>
    /// One name drawn from <paramref name="model"/> with <paramref name="rng"/>; the same model, temperature and
    /// generator state give the same name. Only characters of <paramref name="vocabulary"/> are emitted.
    /// </summary>
    /// <param name="model">A next-token model: input [steps] ids, output [steps, vocabulary.Size] probabilities.</param>
    /// <param name="vocabulary">The token ids the model was trained on.</param>
    /// <param name="rng">The random stream, advanced by one draw per character and one for the end.</param>
    /// <param name="temperature">p^(1/temperature), renormalised: below 1 favours likely characters, 1 samples the model as it is.</param>
    /// <exception cref="ArgumentException">The model's output is not one distribution over the vocabulary per input step.</exception>
    public static string Generate(IModel<float> model, CharacterVocabulary vocabulary, ref Rng rng, double temperature)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(vocabulary);
        if (!(temperature > 0 && double.IsFinite(temperature)))
            throw new ArgumentOutOfRangeException(nameof(temperature), temperature, "The temperature must be finite and greater than 0.");
        int steps = model.InputSize, tokens = vocabulary.Size;
        if (model.OutputSize != steps * tokens)
            throw new ArgumentException(
                $"{model.Name} outputs {model.OutputSize} values per name; expected [{steps}, {tokens}] (one distribution over the vocabulary per step).",
                nameof(model));

        var input = new float[steps];
        var output = new float[steps * tokens];
        var weights = new double[tokens];
        input.AsSpan().Fill(CharacterVocabulary.Padding);
        input[0] = CharacterVocabulary.Start;
        var name = new StringBuilder();
        for (int t = 0; t < steps; t++)
        {
            model.Predict(input, output);
            ReadOnlySpan<float> p = output.AsSpan(t * tokens, tokens);
            // Only the end token and characters may follow; the end is forced once the steps are full.
            double total = 0;
            for (int id = CharacterVocabulary.End; id < tokens; id++)
            {
                bool allowed = id == CharacterVocabulary.End || t < steps - 1;
                weights[id] = allowed ? Math.Pow(p[id], 1 / temperature) : 0;
                total += weights[id];
            }
            if (!(total > 0 && double.IsFinite(total)))
                throw new InvalidOperationException($"{model.Name} gives no usable probability to any character or the end at step {t} of \"{name}\".");

            double u = rng.NextDouble() * total;
            int next = tokens - 1;
            for (int id = CharacterVocabulary.End; id < tokens; id++)
            {
                u -= weights[id];
                if (u < 0)
                {
                    next = id;
                    break;
                }
            }
            while (weights[next] == 0)
                next--;   // rounding left u ≥ 0 after the last weight: the last token with any weight
            if (next == CharacterVocabulary.End)
                break;
            name.Append(vocabulary.Character(next));
            input[t + 1] = next;
        }
        return name.ToString();
    }
}
