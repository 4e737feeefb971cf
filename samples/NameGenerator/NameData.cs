using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;

namespace NameGenerator;

/// <summary>
/// The token ids of a character-level name model: 0 padding, 1 start, 2 end, then one id per character in ordinal
/// order (3 for the first).
/// </summary>
public sealed class CharacterVocabulary
{
    /// <summary>Fills the steps after a name's end token; never a real character.</summary>
    public const int Padding = 0;

    /// <summary>The first input token of every name.</summary>
    public const int Start = 1;

    /// <summary>The last target token of every name: the model says the name is complete.</summary>
    public const int End = 2;

    /// <summary>The id of the first character.</summary>
    public const int FirstCharacter = 3;

    private readonly string _characters;

    /// <summary>The vocabulary of the characters in <paramref name="names"/>.</summary>
    public CharacterVocabulary(IEnumerable<string> names)
    {
        ArgumentNullException.ThrowIfNull(names);
        var set = new SortedSet<char>();
        foreach (string name in names)
            set.UnionWith(name);
        _characters = new string([.. set]);
    }

    /// <summary>The characters, in id order from <see cref="FirstCharacter"/>.</summary>
    public string Characters => _characters;

    /// <summary>Token count: the three special tokens plus the characters.</summary>
    public int Size => FirstCharacter + _characters.Length;

    /// <summary>True for the ids of characters (not padding, start or end).</summary>
    public bool IsCharacter(int id) => id >= FirstCharacter && id < Size;

    /// <summary>The id of <paramref name="c"/>.</summary>
    /// <exception cref="ArgumentException"><paramref name="c"/> is not in the vocabulary.</exception>
    public int Id(char c)
    {
        int i = _characters.IndexOf(c, StringComparison.Ordinal);
        if (i < 0)
            throw new ArgumentException($"Character '{c}' (U+{(int)c:X4}) is not in the vocabulary \"{_characters}\".", nameof(c));
        return FirstCharacter + i;
    }

    /// <summary>The character of a character id.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="id"/> is padding, start, end or out of range.</exception>
    public char Character(int id) => IsCharacter(id)
        ? _characters[id - FirstCharacter]
        : throw new ArgumentOutOfRangeException(nameof(id), id, $"Not a character id: expected [{FirstCharacter}, {Size}).");

    /// <summary>
    /// One training pair of steps ids each (the spans' length): input [start, c1, ..., cn, padding...] and target
    /// [c1, ..., cn, end, padding...], so the target at step t is the token after the input's token t.
    /// </summary>
    /// <exception cref="ArgumentException">The name is empty or has more than steps − 1 characters, or a span is not steps long.</exception>
    public void Encode(string name, Span<float> input, Span<float> target)
    {
        ArgumentNullException.ThrowIfNull(name);
        int steps = input.Length;
        if (target.Length != steps)
            throw new ArgumentException($"Input and target must have the same length; got {steps} and {target.Length}.", nameof(target));
        if (name.Length == 0 || name.Length > steps - 1)
            throw new ArgumentException($"Name \"{name}\" has {name.Length} characters; {steps} steps hold 1 to {steps - 1}.", nameof(name));
        input.Fill(Padding);
        target.Fill(Padding);
        input[0] = Start;
        for (int i = 0; i < name.Length; i++)
        {
            int id = Id(name[i]);
            input[i + 1] = id;
            target[i] = id;
        }
        target[name.Length] = End;
    }

    /// <summary>Every name encoded (<see cref="Encode"/>): inputs and targets, [names, steps] each.</summary>
    public (float[] Inputs, float[] Targets) EncodeAll(IReadOnlyList<string> names, int steps)
    {
        ArgumentNullException.ThrowIfNull(names);
        var inputs = new float[names.Count * steps];
        var targets = new float[names.Count * steps];
        for (int n = 0; n < names.Count; n++)
            Encode(names[n], inputs.AsSpan(n * steps, steps), targets.AsSpan(n * steps, steps));
        return (inputs, targets);
    }
}

/// <summary>The first names of <c>first-names.csv</c>, lowercased and distinct, split into training and validation names.</summary>
public static class NameData
{
    /// <summary>
    /// The distinct lowercased names of a <c>name,gender</c> CSV (header row first), in file order; a name listed for
    /// both genders counts once, so no name can be in both the training and the validation part.
    /// </summary>
    /// <returns>The names and the number of data rows read.</returns>
    public static (List<string> Names, int Rows) Load(string path)
    {
        var names = new List<string>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        int rows = 0;
        foreach (string line in File.ReadLines(path).Skip(1))
        {
            if (line.Length == 0)
                continue;
            int comma = line.IndexOf(',', StringComparison.Ordinal);
            string name = (comma < 0 ? line : line[..comma]).Trim().ToLowerInvariant();
            if (name.Length == 0)
                throw new InvalidDataException($"{path}: row {rows + 1} has an empty name.");
            rows++;
            if (seen.Add(name))
                names.Add(name);
        }
        return (names, rows);
    }

    /// <summary>
    /// A seeded split: the names shuffled with <see cref="NeuralDsl.Rng"/>(<paramref name="seed"/>) (Fisher–Yates), the
    /// first round(fraction · count) validate, the rest train. Each part keeps the file order.
    /// </summary>
    public static (List<string> Train, List<string> Validation) Split(IReadOnlyList<string> names, double validationFraction, ulong seed)
    {
        ArgumentNullException.ThrowIfNull(names);
        if (!(validationFraction > 0 && validationFraction < 1))
            throw new ArgumentOutOfRangeException(nameof(validationFraction), validationFraction, "The validation fraction must be in (0, 1).");
        int[] order = Enumerable.Range(0, names.Count).ToArray();
        var rng = new NeuralDsl.Rng(seed);
        for (int i = order.Length - 1; i > 0; i--)
        {
            int j = rng.NextInt(i + 1);
            (order[i], order[j]) = (order[j], order[i]);
        }
        int validationCount = (int)Math.Round(validationFraction * names.Count);
        var validation = new bool[names.Count];
        foreach (int i in order.AsSpan(0, validationCount))
            validation[i] = true;
        var train = new List<string>(names.Count - validationCount);
        var held = new List<string>(validationCount);
        for (int i = 0; i < names.Count; i++)
            (validation[i] ? held : train).Add(names[i]);
        return (train, held);
    }
}
