using System;

namespace NameGenerator;

/// <summary>
/// The evaluation of a next-token model: the mean of −log₂ p(target) over the steps whose target is a real token (a
/// character or the end token); padding targets are left out. Any model that writes one distribution per step in the
/// layout [names, steps, tokens] is measured the same way, the transformer and the bigram baseline alike.
/// </summary>
public static class BitsPerCharacter
{
    /// <summary>
    /// Σ −log₂ p(target) over the non-padding targets, and their count (so parts can be summed before dividing). A
    /// zero probability of a real target gives +∞, the honest figure.
    /// </summary>
    /// <param name="probabilities">[names, steps, tokens]: the distribution of the next token at every step.</param>
    /// <param name="targets">[names, steps]: the token after each step, <see cref="CharacterVocabulary.Padding"/> where there is none.</param>
    /// <param name="tokens">The vocabulary size (length of the last axis).</param>
    /// <exception cref="ArgumentException">The lengths do not fit, or a target is not a token id.</exception>
    public static (double Bits, int Count) Sum(ReadOnlySpan<float> probabilities, ReadOnlySpan<float> targets, int tokens)
    {
        if (tokens <= 0)
            throw new ArgumentOutOfRangeException(nameof(tokens), tokens, "The vocabulary must have at least one token.");
        if (probabilities.Length != targets.Length * tokens)
            throw new ArgumentException(
                $"Expected {targets.Length} × {tokens} = {(long)targets.Length * tokens} probabilities for {targets.Length} targets; got {probabilities.Length}.",
                nameof(probabilities));
        double bits = 0;
        int count = 0;
        for (int i = 0; i < targets.Length; i++)
        {
            float target = targets[i];
            if (target == CharacterVocabulary.Padding)
                continue;
            if (!(target >= 0 && target < tokens && target == MathF.Floor(target)))
                throw new ArgumentException($"targets[{i}] = {target} is not a token id in [0, {tokens}).", nameof(targets));
            double p = probabilities[i * tokens + (int)target];
            bits -= Math.Log2(p);
            count++;
        }
        return (bits, count);
    }

    /// <summary>The mean bits per character of <see cref="Sum"/>; NaN when no target is a real token.</summary>
    public static double Mean(ReadOnlySpan<float> probabilities, ReadOnlySpan<float> targets, int tokens)
    {
        (double bits, int count) = Sum(probabilities, targets, tokens);
        return count == 0 ? double.NaN : bits / count;
    }
}

/// <summary>
/// The baseline: a bigram model p(next | previous) from add-k smoothed counts of the training pairs (previous input
/// token, target token). The outcomes are the tokens a name's target can be, the characters and the end token, each
/// given k extra counts; padding and start get probability 0, as no real target is either.
/// </summary>
public sealed class BigramModel
{
    private readonly double[] _probabilities;

    private BigramModel(int tokens, double[] probabilities)
    {
        Tokens = tokens;
        _probabilities = probabilities;
    }

    /// <summary>The vocabulary size.</summary>
    public int Tokens { get; }

    /// <summary>p(<paramref name="next"/> | <paramref name="previous"/>).</summary>
    public double Probability(int previous, int next) => _probabilities[previous * Tokens + next];

    /// <summary>
    /// Counts the pairs (input[t], target[t]) of every non-padding target in the encoded training names and smooths
    /// each row: (count + k) / (row total + k · outcomes), outcomes = tokens − 2 (all but padding and start).
    /// </summary>
    /// <param name="inputs">[names, steps] input ids (<see cref="CharacterVocabulary.Encode"/>).</param>
    /// <param name="targets">[names, steps] target ids.</param>
    /// <param name="tokens">The vocabulary size.</param>
    /// <param name="k">The added count, greater than 0 (1 is Laplace's add-one).</param>
    public static BigramModel Fit(ReadOnlySpan<float> inputs, ReadOnlySpan<float> targets, int tokens, double k)
    {
        if (tokens <= CharacterVocabulary.FirstCharacter)
            throw new ArgumentOutOfRangeException(nameof(tokens), tokens, $"The vocabulary must have more than {CharacterVocabulary.FirstCharacter} tokens (padding, start, end and a character).");
        if (inputs.Length != targets.Length)
            throw new ArgumentException($"Inputs ({inputs.Length}) and targets ({targets.Length}) must have the same length.", nameof(targets));
        if (!(k > 0 && double.IsFinite(k)))
            throw new ArgumentOutOfRangeException(nameof(k), k, "The added count must be finite and greater than 0.");
        var counts = new double[tokens * tokens];
        for (int i = 0; i < targets.Length; i++)
        {
            int next = (int)targets[i];
            if (next == CharacterVocabulary.Padding)
                continue;
            int previous = (int)inputs[i];
            if (previous < 0 || previous >= tokens || next < 0 || next >= tokens || next == CharacterVocabulary.Start)
                throw new ArgumentException($"Pair {i} ({inputs[i]} → {targets[i]}) is not a pair of token ids a name can have.", nameof(targets));
            counts[previous * tokens + next]++;
        }

        int outcomes = tokens - 2;
        var probabilities = new double[tokens * tokens];
        for (int previous = 0; previous < tokens; previous++)
        {
            double total = 0;
            for (int next = 0; next < tokens; next++)
                total += counts[previous * tokens + next];
            double denominator = total + k * outcomes;
            for (int next = CharacterVocabulary.End; next < tokens; next++)
                probabilities[previous * tokens + next] = (counts[previous * tokens + next] + k) / denominator;
        }
        return new BigramModel(tokens, probabilities);
    }

    /// <summary>
    /// The next-token distributions for encoded inputs, in the transformer's layout: [names, steps, tokens], row t the
    /// distribution after input token t.
    /// </summary>
    public float[] Predict(ReadOnlySpan<float> inputs)
    {
        var output = new float[inputs.Length * Tokens];
        for (int i = 0; i < inputs.Length; i++)
        {
            int previous = (int)inputs[i];
            if (previous < 0 || previous >= Tokens)
                throw new ArgumentException($"inputs[{i}] = {inputs[i]} is not a token id in [0, {Tokens}).", nameof(inputs));
            for (int next = 0; next < Tokens; next++)
                output[i * Tokens + next] = (float)_probabilities[previous * Tokens + next];
        }
        return output;
    }
}
