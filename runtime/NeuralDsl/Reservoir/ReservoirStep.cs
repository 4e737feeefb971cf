using System;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace NeuralDsl;

/// <summary>
/// The fused form of one reservoir step, <c>f(W·x + Win·u + b)</c>, built once from W and Win and cached on W: W's
/// SELL-8-σ slices with 16-bit column indices, and each slice's rows' Win entries laid out the same way, so one pass
/// per slice starts from the bias, adds the Win terms, then the W terms (each row in column order: the sums of
/// <see cref="ReservoirMatrix.Multiply"/> run back to back, bit for bit), applies tanh to the eight sums in registers
/// and the leak, and writes the eight new states to scratch on their rows (other activations: the pre-states in slice
/// order, activated and leaked after the pass). The slices are independent, so a step can share them with the worker
/// pool. Immutable once built; the timings are in docs/kernels.md, "Reservoir step".
/// </summary>
internal sealed unsafe class ReservoirStep
{
    /// <summary>Stored W lanes from which a step is shared with the worker pool (a 500-unit, 10 % reservoir has 25,000).</summary>
    internal const int ParallelLanes = 8192;

    // The chunks two threads claim (StepPartner: the caller from the front, its partner from the back), as slice
    // bounds: a large first and last chunk of about 38 % of the stored lanes (W's and Win's) each, so most steps cost
    // one claim per thread, and the middle quarter in six small chunks for whoever is free first, so a partner that
    // arrives late or is slowed leaves little for the other to wait on.
    private static readonly double[] ChunkEnds = [0.38, 0.42, 0.46, 0.50, 0.54, 0.58, 0.62, 1.0];
    private readonly int[] _chunkBounds;

    private const int H = ReservoirMatrix.SliceHeight;

    private readonly int[] _rowOf;        // W's: per slice position, the row it holds, −1 past the last row
    private readonly int[] _sliceStart, _sliceWidth;
    private readonly ushort[] _columns;
    private readonly float[] _values;
    private readonly int[] _inStart, _inWidth; // the Win entries of the same rows, same layout
    private readonly ushort[] _inColumns;
    private readonly float[] _inValues;

    /// <summary>Whether a step of these sizes can be fused: square W, Win with W's rows, column indices below 65,536.</summary>
    public static bool Supports(ReservoirMatrix w, ReservoirMatrix win) =>
        w.Columns == w.Rows && win.Rows == w.Rows && w.Columns <= ushort.MaxValue + 1 && win.Columns <= ushort.MaxValue + 1;

    /// <summary>Builds the fused step from the slices of <paramref name="w"/> and the rows of <paramref name="win"/>.</summary>
    public ReservoirStep(ReservoirMatrix w, ReservoirMatrix win, int[] rowOf, int[] sliceStart, int[] sliceWidth, int[] columns, float[] values)
    {
        W = w;
        Win = win;
        Rows = w.Rows;
        Inputs = win.Columns;
        _rowOf = rowOf;
        _sliceStart = sliceStart;
        _sliceWidth = sliceWidth;
        _values = values;
        _columns = new ushort[columns.Length];
        for (int i = 0; i < columns.Length; i++)
            _columns[i] = (ushort)columns[i];

        // Win's entries per row, in column order (Win's own slices store each row's k-th entry at lane k·8 + i).
        (int Column, float Value)[][] entries = win.RowEntries();
        int slices = sliceStart.Length;
        _inStart = new int[slices];
        _inWidth = new int[slices];
        int lanes = 0;
        for (int s = 0; s < slices; s++)
        {
            int width = 0;
            for (int i = 0; i < H; i++)
            {
                int r = rowOf[s * H + i];
                if (r >= 0)
                    width = Math.Max(width, entries[r].Length);
            }
            _inStart[s] = lanes;
            _inWidth[s] = width;
            lanes += width * H;
        }
        _chunkBounds = ChunkBounds(sliceWidth, _inWidth, values.Length + lanes);
        _inColumns = new ushort[lanes];
        _inValues = new float[lanes];
        for (int s = 0; s < slices; s++)
        {
            for (int i = 0; i < H; i++)
            {
                int r = rowOf[s * H + i];
                if (r < 0)
                    continue;
                (int Column, float Value)[] e = entries[r];
                for (int k = 0; k < e.Length; k++)
                {
                    _inColumns[_inStart[s] + k * H + i] = (ushort)e[k].Column;
                    _inValues[_inStart[s] + k * H + i] = e[k].Value;
                }
            }
        }
    }

    /// <summary>Slice bounds of the chunks: the fewest leading slices holding each fraction of <see cref="ChunkEnds"/>.</summary>
    private static int[] ChunkBounds(int[] width, int[] inWidth, int total)
    {
        int slices = width.Length;
        var bounds = new int[ChunkEnds.Length + 1];
        int count = 1, s = 0;
        long lanes = 0;
        // The last end is 1: the last chunk runs to the last slice (trailing slices may hold no lanes at all).
        for (int e = 0; e < ChunkEnds.Length - 1; e++)
        {
            while (s < slices && lanes < ChunkEnds[e] * total)
            {
                lanes += (width[s] + inWidth[s]) * H;
                s++;
            }
            if (s > bounds[count - 1] && s < slices)
                bounds[count++] = s;
        }
        bounds[count++] = slices;
        return bounds[..count];
    }

    /// <summary>Chunks a shared step is cut into.</summary>
    internal int Chunks => _chunkBounds.Length - 1;

    /// <summary>The reservoir matrix this step was built from.</summary>
    public ReservoirMatrix W { get; }

    /// <summary>The input matrix this step was built from.</summary>
    public ReservoirMatrix Win { get; }

    /// <summary>Units.</summary>
    public int Rows { get; }

    /// <summary>Inputs per step.</summary>
    public int Inputs { get; }

    /// <summary>
    /// <c>x ← (1 − leakRate)·x + leakRate·f(W·x + Win·u + bias)</c> with the lengths already checked;
    /// <paramref name="scratch"/> (Rows values) is working memory (the new state with tanh or no activation, else the
    /// activated pre-state in slice order). Shared with this thread's <see cref="StepPartner"/> (a pool worker that stays
    /// for the steps that follow) when <paramref name="share"/>, the reservoir is large enough and the thread count
    /// allows two.
    /// </summary>
    public void Update(ReadOnlySpan<float> bias, ReadOnlySpan<float> input, Span<float> state, Span<float> scratch,
        float leakRate, Activation activation, bool share)
    {
        bool tanh = activation == Activation.Tanh;
        // With tanh or no activation, each slice finishes its rows' new state itself (into scratch, in row order: the
        // state may not change while other slices still read it), so the part after the threads join is one copy.
        // Other activations run once over all the pre-states after the join, as the separate path runs them (their
        // vector and scalar forms need not round alike), and then the leak.
        bool leakInSlices = tanh || activation == Activation.Linear;
        fixed (float* px = state)
        fixed (float* pu = input)
        fixed (float* pb = bias)
        fixed (float* pOut = scratch)
        fixed (int* pRow = _rowOf)
        fixed (int* pStart = _sliceStart)
        fixed (int* pWidth = _sliceWidth)
        fixed (ushort* pCol = _columns)
        fixed (float* pVal = _values)
        fixed (int* pInStart = _inStart)
        fixed (int* pInWidth = _inWidth)
        fixed (ushort* pInCol = _inColumns)
        fixed (float* pInVal = _inValues)
        fixed (int* pBounds = _chunkBounds)
        {
            var job = new Job
            {
                X = px, U = pu, Bias = pb, Out = pOut, RowOf = pRow, Start = pStart, Width = pWidth, Columns = pCol, Values = pVal,
                InStart = pInStart, InWidth = pInWidth, InColumns = pInCol, InValues = pInVal,
                FullSlices = Rows / H, Tanh = tanh, Leak = leakInSlices, LeakRate = leakRate, Keep = 1f - leakRate,
            };
            int slices = _sliceStart.Length;
            // Slices write disjoint rows and each row's sum is formed within its slice, so the bits are the same
            // whichever thread computes which chunk, on any number of threads.
            if (share && _values.Length >= ParallelLanes && NeuralDslThreads.Current > 1)
                StepPartner.Current.Run(&Slices, &job, pBounds, Chunks);
            else
                Slices(&job, 0, slices);

            if (leakInSlices)
            {
                scratch.Slice(0, Rows).CopyTo(state);
                return;
            }
            // Every pre-state is computed: now the state may change. The activation acts on the slice-ordered values
            // as on row order (element-wise, every value through the same vector width); the leak puts each value
            // back on its row, with Reservoir.UpdateSeparately's roundings (a·lr, then x·(1 − lr) + that).
            Reservoir.Activate(scratch.Slice(0, Rows), activation);
            if (leakRate == 1f)
            {
                for (int p = 0; p < Rows; p++)
                    px[pRow[p]] = pOut[p];
            }
            else
            {
                float keep = 1f - leakRate;
                for (int p = 0; p < Rows; p++)
                {
                    int r = pRow[p];
                    float leaked = pOut[p] * leakRate;
                    px[r] = (px[r] * keep) + leaked;
                }
            }
        }
    }

    private struct Job
    {
        public float* X, U, Bias, Out, Values, InValues;
        public int* RowOf, Start, Width, InStart, InWidth;
        public ushort* Columns, InColumns;
        public int FullSlices;
        public bool Tanh, Leak;
        public float LeakRate, Keep;
    }

    /// <summary>Slices [start, end) of the step: the chunk body of <see cref="WorkerPool.Run"/>.</summary>
    private static void Slices(void* context, int start, int end)
    {
        Job* job = (Job*)context;
        int s = start;
        if (Avx.IsSupported && Fma.IsSupported)
        {
            for (; s < end && s < job->FullSlices; s++)
            {
                int* r = job->RowOf + s * H;
                float* pb = job->Bias;
                // Two 128-bit halves: building each from four loads saves the 256-bit insert of the upper half, and the
                // FMAs are lane-wise, so the sums are those of one 256-bit accumulator.
                Vector128<float> lo = Vector128.Create(pb[r[0]], pb[r[1]], pb[r[2]], pb[r[3]]);
                Vector128<float> hi = Vector128.Create(pb[r[4]], pb[r[5]], pb[r[6]], pb[r[7]]);
                ushort* c = job->InColumns + job->InStart[s];
                float* v = job->InValues + job->InStart[s];
                float* pu = job->U;
                for (int k = job->InWidth[s]; k > 0; k--, c += H, v += H)
                {
                    lo = Fma.MultiplyAdd(Sse.LoadVector128(v), Load4(pu, c), lo);
                    hi = Fma.MultiplyAdd(Sse.LoadVector128(v + 4), Load4(pu, c + 4), hi);
                }
                c = job->Columns + job->Start[s];
                v = job->Values + job->Start[s];
                float* px = job->X;
                for (int k = job->Width[s]; k > 0; k--, c += H, v += H)
                {
                    lo = Fma.MultiplyAdd(Sse.LoadVector128(v), Load4(px, c), lo);
                    hi = Fma.MultiplyAdd(Sse.LoadVector128(v + 4), Load4(px, c + 4), hi);
                }
                Vector256<float> acc = Vector256.Create(lo, hi);
                if (job->Tanh)
                    acc = SingleLogistic.Tanh(acc);
                if (!job->Leak)
                {
                    Avx.Store(job->Out + s * H, acc);
                    continue;
                }
                // The new state of the eight rows, x·(1 − lr) + a·lr (unfused, as the separate path), written to
                // scratch in row order.
                if (job->LeakRate != 1f)
                {
                    Vector256<float> old = Vector256.Create(px[r[0]], px[r[1]], px[r[2]], px[r[3]], px[r[4]], px[r[5]], px[r[6]], px[r[7]]);
                    acc = Avx.Add(Avx.Multiply(old, Vector256.Create(job->Keep)), Avx.Multiply(acc, Vector256.Create(job->LeakRate)));
                }
                float* o = job->Out;
                o[r[0]] = acc.GetElement(0);
                o[r[1]] = acc.GetElement(1);
                o[r[2]] = acc.GetElement(2);
                o[r[3]] = acc.GetElement(3);
                o[r[4]] = acc.GetElement(4);
                o[r[5]] = acc.GetElement(5);
                o[r[6]] = acc.GetElement(6);
                o[r[7]] = acc.GetElement(7);
            }
        }
        // The scalar path (and the ragged last slice): the same sums in the same order, fused like the vector path.
        for (; s < end; s++)
        {
            for (int i = 0; i < H; i++)
            {
                int r = job->RowOf[s * H + i];
                if (r < 0)
                    break;
                float acc = job->Bias[r];
                for (int k = 0; k < job->InWidth[s]; k++)
                {
                    int lane = job->InStart[s] + k * H + i;
                    acc = MathF.FusedMultiplyAdd(job->InValues[lane], job->U[job->InColumns[lane]], acc);
                }
                for (int k = 0; k < job->Width[s]; k++)
                {
                    int lane = job->Start[s] + k * H + i;
                    acc = MathF.FusedMultiplyAdd(job->Values[lane], job->X[job->Columns[lane]], acc);
                }
                if (job->Tanh)
                    acc = SingleLogistic.Tanh(acc);
                if (!job->Leak)
                    job->Out[s * H + i] = acc;
                else
                    job->Out[r] = job->LeakRate == 1f ? acc : (job->X[r] * job->Keep) + (acc * job->LeakRate);
            }
        }
    }

    /// <summary>
    /// Four inputs a slice's k-th lanes read, loaded one by one (one 64-bit read gives the four 16-bit column indices):
    /// on this Zen 3 that beats vgatherdps by about 1.5×, and the 16-bit indices save a quarter of the bytes a step
    /// reads (docs/kernels.md, "Reservoir step").
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<float> Load4(float* x, ushort* c)
    {
        ulong w = Unsafe.ReadUnaligned<ulong>(c);
        return Vector128.Create(x[(ushort)w], x[(ushort)(w >> 16)], x[(ushort)(w >> 32)], x[(int)(w >> 48)]);
    }
}
