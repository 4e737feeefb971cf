using System;
using System.Buffers.Binary;
using System.Collections.Generic;
using System.IO;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.RegularExpressions;
using System.Threading.Tasks;
using Xunit;
using Xunit.Abstractions;

namespace NeuralDsl.Tests.IO;

/// <summary>
/// A mutation fuzzer over one valid weight file, with a fixed seed: truncations, bit flips in the length prefix and
/// header, changed data offsets, changed dtypes and huge lengths. Every load must either succeed with exactly the
/// saved parameters (the mutation was harmless, e.g. in the metadata) or throw <see cref="InvalidDataException"/>,
/// the type <see cref="WeightFiles.LoadWeights{T}"/> documents for a bad file, and leave the model unchanged. No
/// other exception type, and no hang: the whole run has a time limit.
/// </summary>
public sealed partial class WeightFileFuzzTests : IDisposable
{
    private const int Seed = 20261204;
    private const int CasesPerMutation = 80;
    private static readonly TimeSpan TimeLimit = TimeSpan.FromMinutes(2);

    private readonly TempDirectory _dir = new();
    private readonly ITestOutputHelper _output;

    public WeightFileFuzzTests(ITestOutputHelper output) => _output = output;

    public void Dispose() => _dir.Dispose();

    private enum Mutation { Truncate, FlipHeaderBit, ChangeOffset, ChangeDtype, HugeLength }

    [Fact]
    public void MutatedFiles_LoadWhole_OrAreRejectedAsInvalidData_AndLeaveTheModelUnchanged()
    {
        string report = RunWithTimeLimit(Fuzz);
        _output.WriteLine(report);
        // Each mutation kind must have produced rejections, or it tested nothing.
        foreach (Mutation m in Enum.GetValues<Mutation>())
            Assert.Matches(m + @": \d+ loaded, [1-9]\d* rejected", report);
    }

    private string Fuzz()
    {
        var source = new TinyModel<float>(seed: 1);
        string goodPath = _dir.File("good.safetensors");
        source.SaveWeights(goodPath);
        byte[] original = File.ReadAllBytes(goodPath);
        byte[] saved = Bits(source);
        string path = _dir.File("mutated.safetensors");
        var random = new Random(Seed);
        var outcomes = new Dictionary<Mutation, (int Loaded, int Rejected)>();

        foreach (Mutation mutation in Enum.GetValues<Mutation>())
        {
            (int loaded, int rejected) = (0, 0);
            for (int i = 0; i < CasesPerMutation; i++)
            {
                (byte[] bytes, string what) = Mutate(mutation, original, random);
                string label = $"{mutation} case {i} ({what})";
                File.WriteAllBytes(path, bytes);
                var model = new TinyModel<float>(seed: 2);
                byte[] before = Bits(model);
                try
                {
                    model.LoadWeights(path);
                    Assert.True(saved.AsSpan().SequenceEqual(Bits(model)), $"{label}: loaded, but not the saved parameters.");
                    loaded++;
                }
                catch (InvalidDataException e)
                {
                    Assert.True(e.Message.StartsWith($"Weight file '{path}': ", StringComparison.Ordinal), $"{label}: the message does not name the file: {e.Message}");
                    Assert.True(before.AsSpan().SequenceEqual(Bits(model)), $"{label}: rejected, but the model changed.");
                    rejected++;
                }
                catch (Exception e) when (e is not Xunit.Sdk.XunitException)
                {
                    Assert.Fail($"{label}: {e.GetType().Name} is not a documented exception of LoadWeights: {e.Message}");
                }

                // The in-memory parser takes the same bytes to the same verdict class.
                try
                {
                    SafeTensors.Parse(bytes, label);
                }
                catch (InvalidDataException)
                {
                }
                catch (Exception e) when (e is not Xunit.Sdk.XunitException)
                {
                    Assert.Fail($"{label}: SafeTensors.Parse threw {e.GetType().Name}: {e.Message}");
                }
            }
            outcomes[mutation] = (loaded, rejected);
        }

        var report = new StringBuilder();
        foreach ((Mutation m, (int l, int r)) in outcomes) report.Append($"{m}: {l} loaded, {r} rejected\n");
        return report.ToString();
    }

    private static (byte[] Bytes, string What) Mutate(Mutation mutation, byte[] original, Random random)
    {
        int headerLength = (int)BinaryPrimitives.ReadUInt64LittleEndian(original);
        string header = Encoding.UTF8.GetString(original, 8, headerLength).TrimEnd(' ');
        byte[] data = original[(8 + headerLength)..];
        switch (mutation)
        {
            case Mutation.Truncate:
            {
                int length = random.Next(0, original.Length);
                return (original[..length], $"cut to {length} of {original.Length} bytes");
            }
            case Mutation.FlipHeaderBit:
            {
                byte[] bytes = (byte[])original.Clone();
                int index = random.Next(0, 8 + headerLength);
                int bit = random.Next(8);
                bytes[index] ^= (byte)(1 << bit);
                return (bytes, $"bit {bit} of byte {index} flipped");
            }
            case Mutation.ChangeOffset:
            {
                MatchCollection offsets = DataOffsets().Matches(header);
                Match match = offsets[random.Next(offsets.Count)];
                Group number = match.Groups[random.Next(1, 3)];
                ulong value = ulong.Parse(number.Value, System.Globalization.CultureInfo.InvariantCulture);
                ulong[] candidates = [value + 1, value - 1, value + 4, value - 4, 0, (ulong)data.Length, (ulong)data.Length + 4, (ulong)random.Next(0, 2 * data.Length), ulong.MaxValue, 1UL << 63];
                ulong changed = candidates[random.Next(candidates.Length)];
                string text = header[..number.Index] + changed.ToString(System.Globalization.CultureInfo.InvariantCulture) + header[(number.Index + number.Length)..];
                return (RawSafeTensors.Build(text, data), $"offset {value} -> {changed}");
            }
            case Mutation.ChangeDtype:
            {
                MatchCollection dtypes = Dtype().Matches(header);
                Group dtype = dtypes[random.Next(dtypes.Count)].Groups[1];
                string[] candidates = ["F64", "F16", "BF16", "I64", "I32", "I16", "I8", "U8", "BOOL", "F8_E4M3", "f32", "", "F32 ", "Q4_0"];
                string changed = candidates[random.Next(candidates.Length)];
                string text = header[..dtype.Index] + changed + header[(dtype.Index + dtype.Length)..];
                return (RawSafeTensors.Build(text, data), $"dtype {dtype.Value} -> '{changed}'");
            }
            case Mutation.HugeLength:
            {
                if (random.Next(2) == 0)
                {
                    // The 8-byte header length.
                    ulong[] candidates = [ulong.MaxValue, long.MaxValue, (ulong)int.MaxValue + 1, int.MaxValue, SafeTensors.MaxHeaderLength + 8UL, (ulong)original.Length, (ulong)headerLength + 8];
                    ulong changed = candidates[random.Next(candidates.Length)];
                    byte[] bytes = (byte[])original.Clone();
                    BinaryPrimitives.WriteUInt64LittleEndian(bytes, changed);
                    return (bytes, $"header length {headerLength} -> {changed}");
                }
                else
                {
                    // One dimension of one shape.
                    MatchCollection dims = ShapeDimension().Matches(header);
                    Match dim = dims[random.Next(dims.Count)];
                    string[] candidates = ["2147483647", "2147483648", "4294967296", "4611686018427387904", "18446744073709551615", "18446744073709551616", "0"];
                    string changed = candidates[random.Next(candidates.Length)];
                    string text = header[..dim.Index] + changed + header[(dim.Index + dim.Length)..];
                    return (RawSafeTensors.Build(text, data), $"shape dimension {dim.Value} -> {changed}");
                }
            }
            default:
                throw new ArgumentOutOfRangeException(nameof(mutation), mutation, null);
        }
    }

    /// <summary>Runs <paramref name="fuzz"/> on its own thread and fails, rather than hangs, past <see cref="TimeLimit"/>.</summary>
    private static string RunWithTimeLimit(Func<string> fuzz)
    {
        Task<string> run = Task.Factory.StartNew(fuzz, TaskCreationOptions.LongRunning);
        if (Task.WaitAny([run], TimeLimit) < 0)
            Assert.Fail($"The fuzzer did not finish within {TimeLimit.TotalMinutes} minutes: a load hangs.");
        return run.GetAwaiter().GetResult();
    }

    private static byte[] Bits(IModel<float> model) => MemoryMarshal.AsBytes(model.Parameters).ToArray();

    [GeneratedRegex("\"data_offsets\":\\[(\\d+),(\\d+)\\]")]
    private static partial Regex DataOffsets();

    [GeneratedRegex("\"dtype\":\"([^\"]*)\"")]
    private static partial Regex Dtype();

    // A number inside a "shape" array.
    [GeneratedRegex("(?<=\"shape\":\\[(?:\\d+,)*)\\d+")]
    private static partial Regex ShapeDimension();
}
