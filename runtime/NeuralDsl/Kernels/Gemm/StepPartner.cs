using System;
using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics.X86;
using System.Threading;

namespace NeuralDsl;

/// <summary>
/// One pool worker kept beside a calling thread across a sequence of short steps (a reservoir run: 10,000 steps of
/// ~8 µs), so each step is shared between the two threads without a <see cref="WorkerPool.Run"/> call per step. The
/// caller posts a step on a cache line (its number and the chunk range, one word); the partner, spinning on that
/// line, claims chunks from the back while the caller claims from the front, each claim a compare-exchange on the
/// word; the caller then waits only for the chunks the partner claimed, which it reports on a second line.
/// </summary>
/// <remarks>
/// <para>
/// The partner is a worker that took the one-chunk job this class offers (<see cref="WorkerPool.TryOffer"/>): its
/// chunk is the loop that serves the steps. It leaves when no step has come for <see cref="IdleMicroseconds"/>, or
/// as soon as any <see cref="WorkerPool.Run"/> call is published (a product that wants the worker), and the caller
/// offers the job again at its next step. The caller never waits for a partner that is not there: until one has
/// claimed a chunk, every chunk is the caller's, so a busy pool, a worker slow to wake or a core the virtual machine
/// is not giving only make the caller compute the whole step itself. Which thread computes which chunk changes
/// nothing: the chunks must write disjoint memory.
/// </para>
/// <para>
/// One instance per calling thread, created on its first shared step; nothing is allocated per step. The shared
/// lines live in pinned memory that the offered job keeps alive, so a partner that arrives after its caller has
/// gone only finds no step and leaves.
/// </para>
/// </remarks>
internal sealed unsafe class StepPartner
{
    /// <summary>How long the partner waits for the next step before it returns to the pool.</summary>
    public const int IdleMicroseconds = 50;

    // Spins of the caller waiting for the partner's chunks before it starts yielding its core.
    private const int WaitSpins = 2000;

    [ThreadStatic]
    private static StepPartner? t_current;

    private static long s_partnerChunks;

    private readonly byte[] _memory;
    private readonly Shared* _shared;
    private readonly WorkerPool.Lease _lease = new();
    private uint _step;

    private StepPartner()
    {
        // Three cache lines (the post, the partner's report, its presence), aligned inside a pinned array.
        _memory = GC.AllocateArray<byte>(sizeof(Shared) + 64, pinned: true);
        nint address = (nint)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(_memory));
        _shared = (Shared*)((address + 63) & ~(nint)63);
    }

    /// <summary>The calling thread's partner (created on first use and counted as the thread's warm-up).</summary>
    public static StepPartner Current
    {
        get
        {
            StepPartner? partner = t_current;
            if (partner is null)
            {
                long before = GC.GetAllocatedBytesForCurrentThread();
                t_current = partner = new StepPartner();
                WorkerPool.CountWarmUp(GC.GetAllocatedBytesForCurrentThread() - before);
            }
            return partner;
        }
    }

    /// <summary>Reads this class's thread-static field, allocating its per-thread block (<see cref="WorkerPool.PrepareThread"/>).</summary>
    public static void TouchThreadStatics() => GC.KeepAlive(t_current);

    /// <summary>Chunks partners have computed, summed over the process (tests use it to prove steps really were shared).</summary>
    public static long PartnerChunks => Interlocked.Read(ref s_partnerChunks);

    /// <summary>
    /// Runs <paramref name="body"/>(<paramref name="context"/>, bounds[c], bounds[c + 1]) for every chunk c of
    /// [0, <paramref name="chunks"/>), on this thread and the partner if it is there; returns when every chunk is
    /// complete. <paramref name="context"/> and <paramref name="bounds"/> must stay valid until this returns.
    /// </summary>
    /// <remarks>
    /// The body must not throw (the reservoir's slices are arithmetic on buffers sized at construction): unlike
    /// <see cref="WorkerPool.Run"/>, nobody collects a partner's exception, and a caller leaving early would leave the
    /// partner writing through a context that is gone. A body that throws on the partner ends the process with a
    /// message instead of leaving the caller waiting forever.
    /// </remarks>
    public void Run(delegate*<void*, int, int, void> body, void* context, int* bounds, int chunks)
    {
        Debug.Assert(chunks is > 0 and <= ushort.MaxValue, "the chunk range fits the post's 16-bit fields");
        Shared* s = _shared;
        if (Volatile.Read(ref s->Attached) == 0 && !_lease.Pending)
            WorkerPool.TryOffer(_lease, &Serve, s, _memory);

        uint step = ++_step;
        s->Body = body;
        s->Context = context;
        s->Bounds = bounds;
        // The post: step number, front = 0, back = chunks. A release: the partner that sees it sees the fields above.
        long word = ((long)step << 32) | (uint)chunks;
        Volatile.Write(ref s->Word, word);
        int mine = 0;
        while (true)
        {
            int front = (int)(word >> 16) & 0xFFFF, back = (int)word & 0xFFFF;
            if (front >= back)
                break;
            long seen = Interlocked.CompareExchange(ref s->Word, word + 0x10000, word);
            if (seen != word)
            {
                word = seen;
                continue;
            }
            body(context, bounds[front], bounds[front + 1]);
            mine++;
            word = Volatile.Read(ref s->Word);
        }
        if (mine == chunks)
            return;
        // The partner claimed the rest; it reports their count once all of them are written.
        long expected = ((long)step << 32) | (uint)(chunks - mine);
        int spins = 0;
        var wait = default(SpinWait);
        while (Volatile.Read(ref s->Done) != expected)
        {
            if (spins++ < WaitSpins)
                Pause();
            else
                wait.SpinOnce(sleep1Threshold: -1);
        }
    }

    /// <summary>The partner's loop: the chunk body of the offered job.</summary>
    private static void Serve(void* context, int start, int end)
    {
        Shared* s = (Shared*)context;
        Volatile.Write(ref s->Attached, 1);
        int runs = WorkerPool.Runs;
        long idleTicks = IdleMicroseconds * Stopwatch.Frequency / 1_000_000;
        long idleSince = Stopwatch.GetTimestamp();
        // The step posted now counts as new: its chunks may still be unclaimed.
        uint last = (uint)(Volatile.Read(ref s->Word) >> 32) - 1;
        int spins = 0;
        long total = 0;
        while (true)
        {
            long word = Volatile.Read(ref s->Word);
            uint step = (uint)(word >> 32);
            if (step != last)
            {
                last = step;
                int mine = 0;
                while ((uint)(word >> 32) == step)
                {
                    int front = (int)(word >> 16) & 0xFFFF, back = (int)word & 0xFFFF;
                    if (front >= back)
                        break;
                    // Read before the claim, used only if the claim succeeds: then the step was still open, and its
                    // fields were written before the post this thread already saw.
                    delegate*<void*, int, int, void> body = s->Body;
                    void* job = s->Context;
                    int* bounds = s->Bounds;
                    long seen = Interlocked.CompareExchange(ref s->Word, word - 1, word);
                    if (seen != word)
                    {
                        word = seen;
                        continue;
                    }
                    try
                    {
                        body(job, bounds[back - 1], bounds[back]);
                    }
                    catch (Exception e)
                    {
                        // The caller is waiting for this chunk and cannot be given the exception (see Run).
                        Environment.FailFast("A step chunk threw on the partner thread; its caller would wait forever.", e);
                    }
                    mine++;
                    word = Volatile.Read(ref s->Word);
                }
                if (mine > 0)
                    Volatile.Write(ref s->Done, ((long)step << 32) | (uint)mine);
                total += mine;
                idleSince = 0;
                spins = 0;
                continue;
            }
            Pause();
            if ((++spins & 63) == 0)
            {
                long now = Stopwatch.GetTimestamp();
                if (idleSince == 0)
                    idleSince = now;
                else if (now - idleSince > idleTicks)
                    break;
                if (WorkerPool.Runs != runs)
                    break;
            }
        }
        Volatile.Write(ref s->Attached, 0);
        Interlocked.Add(ref s_partnerChunks, total);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Pause()
    {
        if (X86Base.IsSupported)
            X86Base.Pause();
        else
            Thread.SpinWait(1);
    }

    /// <summary>The lines the two threads share, each written by one side.</summary>
    [StructLayout(LayoutKind.Explicit, Size = 192)]
    private struct Shared
    {
        // Line 0, written by the caller (the word by both: the claims): step << 32 | front << 16 | back, and the job.
        [FieldOffset(0)] public long Word;
        [FieldOffset(8)] public delegate*<void*, int, int, void> Body;
        [FieldOffset(16)] public void* Context;
        [FieldOffset(24)] public int* Bounds;

        // Line 1, written by the partner: step << 32 | chunks it computed, once they are all written.
        [FieldOffset(64)] public long Done;

        // Line 2, written by the partner: 1 while it is in the loop.
        [FieldOffset(128)] public int Attached;
    }
}
