using System;
using System.Buffers;
using System.Collections.Generic;
using System.Collections.ObjectModel;
using System.Numerics;
using System.Text.Json;
using static System.FormattableString;

namespace NeuralDsl;

/// <summary>
/// Turns text into sequences of token ids with the semantics of Keras' <c>TextVectorization</c> layer in its
/// defaults (<c>standardize="lower_and_strip_punctuation"</c>, <c>split="whitespace"</c>, <c>output_mode="int"</c>):
/// <list type="number">
/// <item><b>Standardize</b>: ASCII letters are lowercased (as <c>tf.strings.lower</c> does without an encoding: other
/// letters keep their case) and the 32 ASCII punctuation characters <c>!"#$%&amp;'()*+,-./:;&lt;=&gt;?@[\]^_`{|}~</c>
/// are removed — removed, not replaced by a space, so "don't" becomes "dont" and "e-mail" becomes "email".</item>
/// <item><b>Split</b> on runs of ASCII whitespace (space, tab, line feed, vertical tab, form feed, carriage return);
/// no empty tokens.</item>
/// <item><b>Index</b>: id 0 is padding (the empty token), id 1 is out-of-vocabulary (<c>"[UNK]"</c>), and ids 2, 3, …
/// are the learned tokens, most frequent first.</item>
/// <item><b>Pad or truncate</b> to <see cref="OutputSequenceLength"/>: padding (0) goes at the end, truncation keeps
/// the beginning.</item>
/// </list>
/// <see cref="Adapt"/> learns the vocabulary from training texts like Keras' <c>adapt</c>: tokens sorted by count,
/// high to low, ties broken by the tokens themselves, high to low in UTF-8 byte order (Keras sorts with
/// <c>np.lexsort((tokens, counts))[::-1]</c>), then cut to <see cref="MaxTokens"/> − 2. Fit it on the training texts
/// only. Once adapted it is read-only, so <see cref="Vectorize(string, Span{int})"/> may run on several threads; it
/// allocates nothing (tokens are looked up as spans).
/// Store it with the model's weights with <see cref="TextVectorizerFiles.SaveWeights{T}(IModel{T}, string, TextVectorizer)"/>
/// and read it back with <see cref="TextVectorizerFiles.LoadWeights{T}(IModel{T}, string, out TextVectorizer)"/> or <see cref="Load"/>.
/// </summary>
/// <example>
/// <code>
/// var vectorizer = new TextVectorizer(maxTokens: 20_000, outputSequenceLength: 200);
/// vectorizer.Adapt(trainingTexts);
/// var ids = new int[200];
/// vectorizer.Vectorize("Win a FREE prize!", ids);   // e.g. [154, 7, 93, 880, 0, 0, ...]
/// </code>
/// </example>
public sealed class TextVectorizer
{
    /// <summary>The padding token, id 0 (Keras' mask token).</summary>
    public const string PaddingToken = "";

    /// <summary>The out-of-vocabulary token, id 1.</summary>
    public const string OutOfVocabularyToken = "[UNK]";

    /// <summary>Id of padding positions.</summary>
    public const int PaddingId = 0;

    /// <summary>Id of tokens that are not in the vocabulary.</summary>
    public const int OutOfVocabularyId = 1;

    /// <summary>The <c>__metadata__</c> key under which a safetensors file stores a vectorizer.</summary>
    public const string MetadataKey = "text_vectorizer";

    private const string Standardization = "lower_and_strip_punctuation";
    private const string Splitting = "whitespace";

    /// <summary>Tokens of up to this many characters are standardized on the stack; longer ones in a pooled buffer.</summary>
    private const int StackTokenLength = 256;

    private string[] _vocabulary = [];
    private Dictionary<string, int> _ids = new(StringComparer.Ordinal);
    private Dictionary<string, int>.AlternateLookup<ReadOnlySpan<char>> _lookup;

    /// <summary>Creates a vectorizer; call <see cref="Adapt"/> or <see cref="SetVocabulary"/> before vectorizing.</summary>
    /// <param name="maxTokens">
    /// The largest vocabulary, counting padding and out-of-vocabulary (so at most <c>maxTokens − 2</c> learned
    /// tokens); <see langword="null"/> for no limit. Must be at least 2.
    /// </param>
    /// <param name="outputSequenceLength">
    /// The length every sequence is padded or truncated to; <see langword="null"/> keeps each text's own length (then
    /// only <see cref="Vectorize(string)"/> applies). Must be positive.
    /// </param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="maxTokens"/> is less than 2, or <paramref name="outputSequenceLength"/> is not positive.</exception>
    public TextVectorizer(int? maxTokens = null, int? outputSequenceLength = null)
    {
        if (maxTokens is < 2)
            throw new ArgumentOutOfRangeException(nameof(maxTokens), maxTokens,
                "MaxTokens counts the padding (id 0) and out-of-vocabulary (id 1) tokens, so it must be at least 2 (or null for no limit).");
        if (outputSequenceLength is < 1)
            throw new ArgumentOutOfRangeException(nameof(outputSequenceLength), outputSequenceLength,
                "OutputSequenceLength must be positive (or null to keep each text's length).");
        MaxTokens = maxTokens;
        OutputSequenceLength = outputSequenceLength;
        _lookup = _ids.GetAlternateLookup<ReadOnlySpan<char>>();
    }

    /// <summary>The largest vocabulary size including ids 0 and 1, or <see langword="null"/> for no limit.</summary>
    public int? MaxTokens { get; }

    /// <summary>The length of every vectorized sequence, or <see langword="null"/> to keep each text's length.</summary>
    public int? OutputSequenceLength { get; }

    /// <summary>Whether a vocabulary has been learned or set.</summary>
    public bool HasVocabulary => _vocabulary.Length > 0;

    /// <summary>
    /// The vocabulary in id order, like Keras' <c>get_vocabulary()</c>: <c>""</c> (padding), <c>"[UNK]"</c>, then the
    /// learned tokens, most frequent first. Empty before <see cref="Adapt"/> or <see cref="SetVocabulary"/>.
    /// </summary>
    public ReadOnlyCollection<string> Vocabulary => Array.AsReadOnly(_vocabulary);

    /// <summary>The number of ids (the input dimension of an <c>Embedding</c> that reads them), 0 before a vocabulary exists.</summary>
    public int VocabularySize => _vocabulary.Length;

    /// <summary>
    /// Learns the vocabulary from <paramref name="texts"/>, replacing any earlier one: every token is counted, and the
    /// <see cref="MaxTokens"/> − 2 most frequent are kept (ties: the token later in UTF-8 byte order first).
    /// </summary>
    /// <exception cref="ArgumentNullException"><paramref name="texts"/> is null.</exception>
    /// <exception cref="ArgumentException">A text is null (the message gives its index), or there are no texts.</exception>
    public void Adapt(IEnumerable<string> texts)
    {
        ArgumentNullException.ThrowIfNull(texts);
        var index = new Dictionary<string, int>(StringComparer.Ordinal);
        Dictionary<string, int>.AlternateLookup<ReadOnlySpan<char>> lookup = index.GetAlternateLookup<ReadOnlySpan<char>>();
        var tokens = new List<string>();
        var counts = new List<long>();
        int textCount = 0;
        Span<char> scratch = stackalloc char[StackTokenLength];
        foreach (string text in texts)
        {
            if (text is null)
                throw new ArgumentException(Invariant($"Text {textCount} is null; Adapt expects a string for every text."), nameof(texts));
            textCount++;
            var reader = new TokenReader(text, scratch);
            try
            {
                while (reader.Next(out ReadOnlySpan<char> token))
                {
                    if (lookup.TryGetValue(token, out int i))
                    {
                        counts[i]++;
                    }
                    else
                    {
                        string name = token.ToString();
                        index.Add(name, tokens.Count);
                        tokens.Add(name);
                        counts.Add(1);
                    }
                }
            }
            finally
            {
                reader.Dispose();
            }
        }

        if (textCount == 0) throw new ArgumentException("Adapt needs at least one text.", nameof(texts));

        var order = new int[tokens.Count];
        for (int i = 0; i < order.Length; i++) order[i] = i;
        Array.Sort(order, (a, b) =>
        {
            int byCount = counts[b].CompareTo(counts[a]);
            return byCount != 0 ? byCount : CompareUtf8(tokens[b], tokens[a]);
        });
        int kept = MaxTokens is int max ? Math.Min(order.Length, max - 2) : order.Length;
        var learned = new string[kept];
        for (int i = 0; i < kept; i++) learned[i] = tokens[order[i]];
        Install(learned);
    }

    /// <summary>
    /// Sets the vocabulary directly (Keras' <c>set_vocabulary</c>): the learned tokens in id order, from id 2. A list
    /// that starts with <c>""</c> and <c>"[UNK]"</c> may include them; they are not repeated.
    /// </summary>
    /// <exception cref="ArgumentException">
    /// A token is null, empty, repeated, or could never come out of standardization and splitting (it has ASCII
    /// whitespace, an ASCII capital or ASCII punctuation), or the list is longer than <see cref="MaxTokens"/> allows.
    /// </exception>
    public void SetVocabulary(IEnumerable<string> tokens)
    {
        ArgumentNullException.ThrowIfNull(tokens);
        var list = new List<string>(tokens);
        int start = list.Count >= 2 && list[0] == PaddingToken && list[1] == OutOfVocabularyToken ? 2 : 0;
        var learned = list.GetRange(start, list.Count - start).ToArray();
        string? problem = Validate(learned, MaxTokens);
        if (problem is not null) throw new ArgumentException(problem, nameof(tokens));
        Install(learned);
    }

    /// <summary>
    /// Writes the ids of <paramref name="text"/> into <paramref name="destination"/>, whose length must be
    /// <see cref="OutputSequenceLength"/>: the first tokens if there are more, padding (0) after them if fewer.
    /// Allocates nothing.
    /// </summary>
    /// <returns>The number of token ids written before the padding.</returns>
    /// <exception cref="InvalidOperationException">There is no vocabulary yet, or <see cref="OutputSequenceLength"/> is not set.</exception>
    /// <exception cref="ArgumentException">The destination length is not <see cref="OutputSequenceLength"/>.</exception>
    public int Vectorize(string text, Span<int> destination)
    {
        ArgumentNullException.ThrowIfNull(text);
        CheckDestination(destination.Length, "destination");
        int n = 0;
        var reader = new TokenReader(text, stackalloc char[StackTokenLength]);
        try
        {
            while (n < destination.Length && reader.Next(out ReadOnlySpan<char> token)) destination[n++] = Id(token);
        }
        finally
        {
            reader.Dispose();
        }

        destination[n..].Clear();
        return n;
    }

    /// <summary>
    /// As <see cref="Vectorize(string, Span{int})"/>, with the ids as <typeparamref name="T"/> values (float or
    /// double) for a model whose input is its element type. Allocates nothing.
    /// </summary>
    /// <returns>The number of token ids written before the padding.</returns>
    /// <exception cref="InvalidOperationException">There is no vocabulary yet, <see cref="OutputSequenceLength"/> is not set, or the vocabulary has ids that <typeparamref name="T"/> cannot hold exactly.</exception>
    /// <exception cref="ArgumentException">The destination length is not <see cref="OutputSequenceLength"/>.</exception>
    public int Vectorize<T>(string text, Span<T> destination) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(text);
        CheckDestination(destination.Length, "destination");
        CheckExact<T>();
        int n = 0;
        var reader = new TokenReader(text, stackalloc char[StackTokenLength]);
        try
        {
            while (n < destination.Length && reader.Next(out ReadOnlySpan<char> token)) destination[n++] = T.CreateTruncating(Id(token));
        }
        finally
        {
            reader.Dispose();
        }

        destination[n..].Clear();
        return n;
    }

    /// <summary>
    /// Vectorizes a batch: row <c>i</c> of <paramref name="destination"/> [texts, <see cref="OutputSequenceLength"/>]
    /// holds the ids of <c>texts[i]</c>.
    /// </summary>
    /// <exception cref="InvalidOperationException">There is no vocabulary yet, or <see cref="OutputSequenceLength"/> is not set.</exception>
    /// <exception cref="ArgumentException">The destination length is not texts × <see cref="OutputSequenceLength"/>, or a text is null.</exception>
    public void Vectorize(IReadOnlyList<string> texts, Span<int> destination)
    {
        int length = CheckBatch(texts, destination.Length);
        for (int i = 0; i < texts.Count; i++) Vectorize(Text(texts, i), destination.Slice(i * length, length));
    }

    /// <summary>As <see cref="Vectorize(IReadOnlyList{string}, Span{int})"/>, with the ids as float or double values.</summary>
    /// <exception cref="InvalidOperationException">There is no vocabulary yet, <see cref="OutputSequenceLength"/> is not set, or <typeparamref name="T"/> cannot hold every id exactly.</exception>
    /// <exception cref="ArgumentException">The destination length is not texts × <see cref="OutputSequenceLength"/>, or a text is null.</exception>
    public void Vectorize<T>(IReadOnlyList<string> texts, Span<T> destination) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        int length = CheckBatch(texts, destination.Length);
        for (int i = 0; i < texts.Count; i++) Vectorize(Text(texts, i), destination.Slice(i * length, length));
    }

    /// <summary>
    /// The ids of <paramref name="text"/> as a new array: padded or truncated to <see cref="OutputSequenceLength"/>
    /// when it is set, otherwise one id per token.
    /// </summary>
    /// <exception cref="InvalidOperationException">There is no vocabulary yet.</exception>
    public int[] Vectorize(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        CheckVocabulary();
        if (OutputSequenceLength is int length)
        {
            var fixedIds = new int[length];
            Vectorize(text, fixedIds);
            return fixedIds;
        }

        var ids = new List<int>();
        var reader = new TokenReader(text, stackalloc char[StackTokenLength]);
        try
        {
            while (reader.Next(out ReadOnlySpan<char> token)) ids.Add(Id(token));
        }
        finally
        {
            reader.Dispose();
        }

        return ids.ToArray();
    }

    /// <summary>The tokens of <paramref name="text"/> after standardization and splitting (what <see cref="Adapt"/> counts).</summary>
    public static string[] Tokenize(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var tokens = new List<string>();
        var reader = new TokenReader(text, stackalloc char[StackTokenLength]);
        try
        {
            while (reader.Next(out ReadOnlySpan<char> token)) tokens.Add(token.ToString());
        }
        finally
        {
            reader.Dispose();
        }

        return tokens.ToArray();
    }

    /// <summary>The id of one standardized token: its vocabulary index, or 1 (out of vocabulary).</summary>
    /// <exception cref="InvalidOperationException">There is no vocabulary yet.</exception>
    public int TokenId(string token)
    {
        ArgumentNullException.ThrowIfNull(token);
        CheckVocabulary();
        return Id(token);
    }

    /// <summary>
    /// The vectorizer as JSON (<c>standardize</c>, <c>split</c>, <c>max_tokens</c>, <c>output_sequence_length</c>,
    /// <c>vocabulary</c> with the two special tokens first), the value stored under <see cref="MetadataKey"/>.
    /// </summary>
    /// <exception cref="InvalidOperationException">There is no vocabulary yet.</exception>
    public string ToJson()
    {
        CheckVocabulary();
        var buffer = new ArrayBufferWriter<byte>();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("standardize", Standardization);
            json.WriteString("split", Splitting);
            if (MaxTokens is int max) json.WriteNumber("max_tokens", max);
            else json.WriteNull("max_tokens");
            if (OutputSequenceLength is int length) json.WriteNumber("output_sequence_length", length);
            else json.WriteNull("output_sequence_length");
            json.WriteStartArray("vocabulary");
            foreach (string token in _vocabulary) json.WriteStringValue(token);
            json.WriteEndArray();
            json.WriteEndObject();
        }

        return System.Text.Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    /// <summary>Reads a vectorizer written by <see cref="ToJson"/>.</summary>
    /// <param name="json">The JSON text.</param>
    /// <param name="source">How messages name where the JSON came from.</param>
    /// <exception cref="System.IO.InvalidDataException">The JSON is malformed, has another standardization or split, or its vocabulary is invalid; the message says which.</exception>
    public static TextVectorizer FromJson(string json, string source = "text vectorizer JSON")
    {
        ArgumentNullException.ThrowIfNull(json);
        ArgumentNullException.ThrowIfNull(source);
        try
        {
            using JsonDocument document = JsonDocument.Parse(json);
            JsonElement root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object) throw Bad(source, $"expected a JSON object, found {root.ValueKind}.");
            string standardize = RequiredString(root, "standardize", source);
            if (standardize != Standardization) throw Bad(source, $"standardize is '{standardize}', expected '{Standardization}' (the only one supported).");
            string split = RequiredString(root, "split", source);
            if (split != Splitting) throw Bad(source, $"split is '{split}', expected '{Splitting}' (the only one supported).");
            int? maxTokens = OptionalInt(root, "max_tokens", source);
            int? length = OptionalInt(root, "output_sequence_length", source);
            if (!root.TryGetProperty("vocabulary", out JsonElement vocabulary) || vocabulary.ValueKind != JsonValueKind.Array)
                throw Bad(source, "'vocabulary' is missing or not an array.");
            var tokens = new List<string>(vocabulary.GetArrayLength());
            foreach (JsonElement token in vocabulary.EnumerateArray())
            {
                if (token.ValueKind != JsonValueKind.String) throw Bad(source, Invariant($"vocabulary entry {tokens.Count} is {token.ValueKind}, expected a string."));
                tokens.Add(token.GetString()!);
            }

            if (tokens.Count < 2 || tokens[0] != PaddingToken || tokens[1] != OutOfVocabularyToken)
                throw Bad(source, $"the vocabulary must start with the padding token \"\" and the out-of-vocabulary token \"{OutOfVocabularyToken}\".");

            TextVectorizer vectorizer;
            try
            {
                vectorizer = new TextVectorizer(maxTokens, length);
            }
            catch (ArgumentOutOfRangeException e)
            {
                throw Bad(source, e.Message);
            }

            string[] learned = tokens.GetRange(2, tokens.Count - 2).ToArray();
            string? problem = Validate(learned, maxTokens);
            if (problem is not null) throw Bad(source, problem);
            vectorizer.Install(learned);
            return vectorizer;
        }
        catch (JsonException e)
        {
            throw new System.IO.InvalidDataException($"{source}: malformed JSON ({e.Message})", e);
        }
    }

    /// <summary>
    /// Reads the vectorizer stored in a safetensors file by
    /// <see cref="TextVectorizerFiles.SaveWeights{T}(IModel{T}, string, TextVectorizer)"/>.
    /// </summary>
    /// <exception cref="System.IO.InvalidDataException">The file is malformed, holds no vectorizer, or its vectorizer is invalid.</exception>
    /// <exception cref="System.IO.FileNotFoundException">There is no such file.</exception>
    public static TextVectorizer Load(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        return FromSafeTensors(SafeTensors.Read(path));
    }

    /// <summary>The vectorizer stored in the <c>__metadata__</c> of an already read safetensors file.</summary>
    /// <exception cref="System.IO.InvalidDataException">The file holds no vectorizer, or its vectorizer is invalid.</exception>
    public static TextVectorizer FromSafeTensors(SafeTensorsFile file)
    {
        ArgumentNullException.ThrowIfNull(file);
        if (!file.Metadata.TryGetValue(MetadataKey, out string? json))
            throw new System.IO.InvalidDataException($"{file.Source}: no text vectorizer is stored in it (no '{MetadataKey}' metadata entry; save it with SaveWeights(path, vectorizer)).");
        return FromJson(json, $"{file.Source}, metadata '{MetadataKey}'");
    }

    private void Install(string[] learned)
    {
        var vocabulary = new string[learned.Length + 2];
        vocabulary[PaddingId] = PaddingToken;
        vocabulary[OutOfVocabularyId] = OutOfVocabularyToken;
        learned.CopyTo(vocabulary, 2);
        var ids = new Dictionary<string, int>(vocabulary.Length, StringComparer.Ordinal);
        for (int i = 2; i < vocabulary.Length; i++) ids.Add(vocabulary[i], i);
        _vocabulary = vocabulary;
        _ids = ids;
        _lookup = ids.GetAlternateLookup<ReadOnlySpan<char>>();
    }

    private int Id(ReadOnlySpan<char> token) => _lookup.TryGetValue(token, out int id) ? id : OutOfVocabularyId;

    private void CheckVocabulary()
    {
        if (_vocabulary.Length == 0)
            throw new InvalidOperationException("The text vectorizer has no vocabulary yet: call Adapt(trainingTexts) or SetVocabulary(tokens) first, or Load it.");
    }

    private void CheckDestination(int length, string name)
    {
        CheckVocabulary();
        if (OutputSequenceLength is not int expected)
            throw new InvalidOperationException("Vectorizing into a span needs a fixed OutputSequenceLength; this vectorizer has none (use Vectorize(text) for variable-length ids).");
        if (length != expected)
            throw new ArgumentException(Invariant($"The destination has length {length}, expected OutputSequenceLength = {expected}."), name);
    }

    private int CheckBatch(IReadOnlyList<string> texts, int length)
    {
        ArgumentNullException.ThrowIfNull(texts);
        CheckVocabulary();
        if (OutputSequenceLength is not int sequence)
            throw new InvalidOperationException("Vectorizing into a span needs a fixed OutputSequenceLength; this vectorizer has none (use Vectorize(text) for variable-length ids).");
        if ((long)texts.Count * sequence != length)
            throw new ArgumentException(Invariant($"The destination has length {length}, expected {texts.Count} texts × {sequence} = {(long)texts.Count * sequence}."), "destination");
        return sequence;
    }

    private static string Text(IReadOnlyList<string> texts, int i) =>
        texts[i] ?? throw new ArgumentException(Invariant($"Text {i} is null."), nameof(texts));

    /// <summary>Float holds integers exactly up to 2^24, double up to 2^53.</summary>
    private void CheckExact<T>() where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        int largest = _vocabulary.Length - 1;
        if (T.CreateTruncating(largest) != T.CreateTruncating(largest - 1) + T.One)
            throw new InvalidOperationException(Invariant($"Vocabulary ids go up to {largest}, which {typeof(T).Name} cannot hold exactly; vectorize into int (or double)."));
    }

    /// <summary>Why <paramref name="learned"/> cannot be a vocabulary, or null when it can.</summary>
    private static string? Validate(string[] learned, int? maxTokens)
    {
        if (maxTokens is int max && learned.Length + 2 > max)
            return Invariant($"The vocabulary has {learned.Length + 2} entries (with padding and out-of-vocabulary), more than MaxTokens = {max}.");
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (int i = 0; i < learned.Length; i++)
        {
            string? token = learned[i];
            int id = i + 2;
            if (token is null) return Invariant($"Vocabulary token {id} is null.");
            if (token.Length == 0) return Invariant($"Vocabulary token {id} is empty (the empty token is the padding, id 0).");
            if (!seen.Add(token)) return Invariant($"Vocabulary token {id} '{token}' appears twice.");
            foreach (char c in token)
            {
                if (IsWhitespace(c) || IsPunctuation(c) || c is >= 'A' and <= 'Z')
                    return Invariant($"Vocabulary token {id} '{token}' contains '{c}', which standardization removes or splits on, so no text could produce it.");
            }
        }

        return null;
    }

    private static System.IO.InvalidDataException Bad(string source, string message) => new($"{source}: {message}");

    private static string RequiredString(JsonElement root, string name, string source)
    {
        if (!root.TryGetProperty(name, out JsonElement value) || value.ValueKind != JsonValueKind.String)
            throw Bad(source, $"'{name}' is missing or not a string.");
        return value.GetString()!;
    }

    private static int? OptionalInt(JsonElement root, string name, string source)
    {
        if (!root.TryGetProperty(name, out JsonElement value) || value.ValueKind == JsonValueKind.Null) return null;
        if (value.ValueKind != JsonValueKind.Number || !value.TryGetInt32(out int result))
            throw Bad(source, $"'{name}' is not an integer or null.");
        return result;
    }

    /// <summary>
    /// Orders strings as their UTF-8 bytes (= Unicode code point) order, which Keras' numpy sort of byte strings uses.
    /// Ordinal UTF-16 order differs only between surrogates (U+D800–U+DFFF, above U+FFFF as code points) and
    /// U+E000–U+FFFF, so those two ranges are swapped before comparing.
    /// </summary>
    internal static int CompareUtf8(string a, string b)
    {
        int n = Math.Min(a.Length, b.Length);
        for (int i = 0; i < n; i++)
        {
            if (a[i] != b[i]) return CodePointOrder(a[i]) - CodePointOrder(b[i]);
        }

        return a.Length - b.Length;
    }

    private static int CodePointOrder(char c) => c switch
    {
        >= '\uE000' => c - 0x800,
        >= '\uD800' => c + 0x2000,
        _ => c,
    };

    /// <summary>The six characters <c>tf.strings.split</c> splits on (absl's ASCII whitespace).</summary>
    internal static bool IsWhitespace(char c) => c is ' ' or '\t' or '\n' or '\v' or '\f' or '\r';

    /// <summary>Keras' <c>[!"#$%&amp;()\*\+,-\./:;&lt;=&gt;?@\[\\\]^_`{|}~\']</c>: all 32 ASCII punctuation characters.</summary>
    internal static bool IsPunctuation(char c) => c is (>= '!' and <= '/') or (>= ':' and <= '@') or (>= '[' and <= '`') or (>= '{' and <= '~');

    /// <summary>
    /// Yields the standardized tokens of a text one by one. A token that needs no change is a slice of the text; one
    /// that does is rewritten into the caller's scratch buffer (stack memory for short tokens) or, when longer, into a
    /// buffer from the shared array pool (returned by <see cref="Dispose"/>), so a token is valid until the next call.
    /// Call <see cref="Dispose"/> in a <c>finally</c> (not with <c>using</c>, whose variable is read-only).
    /// </summary>
    private ref struct TokenReader
    {
        private ReadOnlySpan<char> _rest;
        private Span<char> _scratch;
        private char[]? _rented;

        public TokenReader(string text, Span<char> scratch)
        {
            _rest = text;
            _scratch = scratch;
            _rented = null;
        }

        public bool Next(out ReadOnlySpan<char> token)
        {
            while (true)
            {
                int start = 0;
                while (start < _rest.Length && IsWhitespace(_rest[start])) start++;
                if (start == _rest.Length)
                {
                    _rest = default;
                    token = default;
                    return false;
                }

                int end = start;
                bool change = false;
                while (end < _rest.Length && !IsWhitespace(_rest[end]))
                {
                    char c = _rest[end];
                    change |= IsPunctuation(c) || c is >= 'A' and <= 'Z';
                    end++;
                }

                ReadOnlySpan<char> raw = _rest[start..end];
                _rest = _rest[end..];
                if (!change)
                {
                    token = raw;
                    return true;
                }

                if (_scratch.Length < raw.Length)
                {
                    if (_rented is not null) ArrayPool<char>.Shared.Return(_rented);
                    _rented = ArrayPool<char>.Shared.Rent(raw.Length);
                    _scratch = _rented;
                }

                int n = 0;
                foreach (char c in raw)
                {
                    if (IsPunctuation(c)) continue;
                    _scratch[n++] = c is >= 'A' and <= 'Z' ? (char)(c | 0x20) : c;
                }

                // A run of punctuation only (" -- ") leaves nothing: no token, as the emptied run merges into whitespace.
                if (n == 0) continue;
                token = _scratch[..n];
                return true;
            }
        }

        public void Dispose()
        {
            if (_rented is not null) ArrayPool<char>.Shared.Return(_rented);
            _rented = null;
            _scratch = default;
        }
    }
}
