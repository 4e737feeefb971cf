using System;
using System.Diagnostics;
using System.Numerics;
using System.Numerics.Tensors;
using System.Runtime.ExceptionServices;
using System.Threading;

namespace NeuralDsl;

/// <summary>
/// The one long-lived helper thread that shares large products (and, through <see cref="RunRange"/>, other large
/// loops such as the optimizer update) with the caller. It is started on first use and
/// then parked between calls, so a call costs a signal and a few interlocked operations and allocates nothing (no
/// Task, no closure, no Parallel.For state).
/// </summary>
/// <remarks>
/// A product is cut into a few chunks along its longer side; the caller and the worker claim chunks with an
/// interlocked counter. If the worker is slow to wake (another process holds the other core), the caller simply
/// claims the remaining chunks itself instead of waiting, so a busy machine degrades to single-threaded speed
/// rather than below it. The job travels in static fields as raw pointers; the worker only dereferences them for
/// a chunk it claimed, and the caller returns only once every claimed chunk is complete, so the caller's pinned
/// memory outlives every access. A job holds two references to the worker, the caller's and the worker's, and the
/// worker is free again only when both have left it: the worker cannot be handed a newer job while a late wake-up
/// could still read this one's fields, nor while the caller still reads this job's counters (if the worker alone
/// released it, a second caller thread could reset those counters under the first, which would then count the
/// second job's chunks as its own). Until then other calls run single-threaded.
/// </remarks>
internal static unsafe class GemmWorker
{
    private static readonly object StartLock = new();
    // Spin briefly before blocking: successive products of a training step arrive microseconds apart, and the two
    // halves of one product finish at about the same time. Short limits keep an idle worker from burning a core
    // that other work needs on a shared 2-core machine.
    private static readonly Signal Go = new(spinMicroseconds: 50);
    private static readonly Signal Done = new(spinMicroseconds: 200);
    private static Thread? s_thread;
    // 0: free; otherwise the parties (caller, worker) still inside the current job.
    private static int s_busy;

    private static void* s_a, s_b, s_c;
    private static int s_m, s_k, s_n, s_chunkSize, s_chunks;
    private static bool s_transposeA, s_transposeB, s_accumulate, s_isDouble;
    private static GemmSplit s_split;
    private static void* s_partial;
    private static int s_nextChunk, s_completedChunks;
    private static ExceptionDispatchInfo? s_error;
    private static delegate*<void*, int, int, void> s_rangeBody;
    private static void* s_rangeContext;
    private static int s_rangeLength;
    private static long s_allocatedBytes;
    private static long s_workerChunks;

    /// <summary>Bytes the worker allocated while running jobs, summed over its lifetime (tests assert it stays put).</summary>
    public static long AllocatedBytes => Interlocked.Read(ref s_allocatedBytes);

    /// <summary>Chunks the worker thread has computed (tests use it to prove the second thread really ran).</summary>
    public static long WorkerChunks => Interlocked.Read(ref s_workerChunks);

    /// <summary>
    /// Claims the worker for one product; false if it is still busy (with another caller's product, or not yet
    /// back from the previous one), in which case the caller computes the whole product itself.
    /// </summary>
    public static bool TryAcquire()
    {
        if (Interlocked.CompareExchange(ref s_busy, 2, 0) != 0)
            return false;
        if (s_thread is null)
            StartThread();
        return true;
    }

    /// <summary>
    /// Computes C = op(A)·op(B) (+ C) together with the worker, in <paramref name="chunks"/> pieces of
    /// <paramref name="chunkSize"/> columns, rows or depths each; requires a successful <see cref="TryAcquire"/>.
    /// A depth split computes chunk 0 into C and every later chunk into its own m×n block of
    /// <paramref name="partial"/>, then the caller adds the blocks to C in chunk order, so the sum does not depend on
    /// which thread computed which chunk.
    /// </summary>
    public static void Run<T>(
        T* a, T* b, T* c, int m, int k, int n, bool transposeA, bool transposeB, bool accumulate,
        GemmSplit split, int chunkSize, int chunks, T* partial = null)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        Debug.Assert(split != GemmSplit.Depth || partial != null, "a depth split needs (chunks - 1)·m·n partial elements");
        s_a = a;
        s_b = b;
        s_c = c;
        s_m = m;
        s_k = k;
        s_n = n;
        s_transposeA = transposeA;
        s_transposeB = transposeB;
        s_accumulate = accumulate;
        s_split = split;
        s_partial = partial;
        s_chunkSize = chunkSize;
        s_chunks = chunks;
        s_isDouble = typeof(T) == typeof(double);
        s_rangeBody = null;
        s_error = null;
        s_nextChunk = 0;
        s_completedChunks = 0;
        Done.Reset();
        // Set is a full fence: the worker sees every field above once it sees the signal.
        Go.Set();

        RunChunks<T>();
        if (Volatile.Read(ref s_completedChunks) < chunks)
            Done.Wait();
        ExceptionDispatchInfo? error = Interlocked.Exchange(ref s_error, null);
        // The caller's reference to the job: nothing after this reads the shared fields.
        Interlocked.Decrement(ref s_busy);
        error?.Throw();
        if (split == GemmSplit.Depth)
            AddPartials(c, partial, m * n, chunks - 1);
    }

    /// <summary>C += each of the <paramref name="count"/> partial products in order (the end of a depth split).</summary>
    public static void AddPartials<T>(T* c, T* partial, int length, int count)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        var sum = new Span<T>(c, length);
        for (int i = 0; i < count; i++)
            TensorPrimitives.Add(sum, new ReadOnlySpan<T>(partial + (nint)i * length, length), sum);
    }

    /// <summary>
    /// Runs <paramref name="body"/>(<paramref name="context"/>, start, end) over [0, <paramref name="length"/>) in
    /// pieces of <paramref name="chunkSize"/> together with the worker; requires a successful <see cref="TryAcquire"/>.
    /// <paramref name="context"/> must stay valid until this returns (a struct on the caller's stack does).
    /// </summary>
    public static void RunRange(delegate*<void*, int, int, void> body, void* context, int length, int chunkSize)
    {
        s_rangeBody = body;
        s_rangeContext = context;
        s_rangeLength = length;
        s_chunkSize = chunkSize;
        s_chunks = (length + chunkSize - 1) / chunkSize;
        s_error = null;
        s_nextChunk = 0;
        s_completedChunks = 0;
        Done.Reset();
        // Set is a full fence: the worker sees every field above once it sees the signal.
        Go.Set();

        int chunks = s_chunks;
        RunChunks<float>();
        if (Volatile.Read(ref s_completedChunks) < chunks)
            Done.Wait();
        ExceptionDispatchInfo? error = Interlocked.Exchange(ref s_error, null);
        // The caller's reference to the job: nothing after this reads the shared fields.
        Interlocked.Decrement(ref s_busy);
        error?.Throw();
    }

    /// <summary>Claims and computes chunks until none are left; shared by the caller and the worker.</summary>
    private static int RunChunks<T>()
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        int done = 0;
        while (true)
        {
            int chunk = Interlocked.Increment(ref s_nextChunk) - 1;
            if (chunk >= s_chunks)
                return done;
            try
            {
                int start = chunk * s_chunkSize;
                if (s_rangeBody != null)
                {
                    s_rangeBody(s_rangeContext, start, Math.Min(s_rangeLength, start + s_chunkSize));
                }
                else if (s_split == GemmSplit.Depth)
                {
                    int end = Math.Min(s_k, start + s_chunkSize);
                    bool first = chunk == 0;
                    T* target = first ? (T*)s_c : (T*)s_partial + (nint)(chunk - 1) * s_m * s_n;
                    GemmBlocked.Run((T*)s_a, (T*)s_b, target, s_m, s_k, s_n, s_transposeA, s_transposeB,
                        first && s_accumulate, 0, s_m, 0, s_n, start, end);
                }
                else if (s_split == GemmSplit.Columns)
                {
                    int end = Math.Min(s_n, start + s_chunkSize);
                    GemmBlocked.Run((T*)s_a, (T*)s_b, (T*)s_c, s_m, s_k, s_n, s_transposeA, s_transposeB,
                        s_accumulate, 0, s_m, start, end);
                }
                else
                {
                    int end = Math.Min(s_m, start + s_chunkSize);
                    GemmBlocked.Run((T*)s_a, (T*)s_b, (T*)s_c, s_m, s_k, s_n, s_transposeA, s_transposeB,
                        s_accumulate, start, end, 0, s_n);
                }
            }
            catch (Exception e)
            {
                Interlocked.CompareExchange(ref s_error, ExceptionDispatchInfo.Capture(e), null);
            }
            done++;
            // Whoever completes the last chunk wakes the caller (a no-op when that is the caller itself).
            if (Interlocked.Increment(ref s_completedChunks) == s_chunks)
                Done.Set();
        }
    }

    private static void StartThread()
    {
        lock (StartLock)
        {
            if (s_thread is not null)
                return;
            var thread = new Thread(Loop) { IsBackground = true, Name = "NeuralDsl GEMM worker" };
            thread.Start();
            s_thread = thread;
        }
    }

    private static void Loop()
    {
        while (true)
        {
            Go.Wait();
            Go.Reset();
            long before = GC.GetAllocatedBytesForCurrentThread();
            int chunks = s_isDouble ? RunChunks<double>() : RunChunks<float>();
            Interlocked.Add(ref s_allocatedBytes, GC.GetAllocatedBytesForCurrentThread() - before);
            Interlocked.Add(ref s_workerChunks, chunks);
            // The worker's reference to the job; the caller drops its own when it returns.
            Interlocked.Decrement(ref s_busy);
        }
    }

    /// <summary>
    /// A manual-reset flag with a bounded spin phase and a Monitor-based blocking phase. Unlike
    /// ManualResetEventSlim it never allocates lazily on its first blocking wait, so the zero-allocation
    /// guarantee holds from the first call after warm-up whichever path a wait takes.
    /// </summary>
    private sealed class Signal(int spinMicroseconds)
    {
        private readonly long _spinTicks = spinMicroseconds * Stopwatch.Frequency / 1_000_000;
        private readonly object _gate = new();
        private volatile bool _set;
        private int _waiters;

        public void Reset() => _set = false;

        public void Set()
        {
            _set = true;
            // Pairs with the barrier in Wait: either the waiter sees the flag, or this sees the waiter and pulses.
            Interlocked.MemoryBarrier();
            if (Volatile.Read(ref _waiters) > 0)
            {
                lock (_gate)
                    Monitor.PulseAll(_gate);
            }
        }

        public void Wait()
        {
            if (_set)
                return;
            long deadline = Stopwatch.GetTimestamp() + _spinTicks;
            while (Stopwatch.GetTimestamp() < deadline)
            {
                if (_set)
                    return;
                Thread.SpinWait(4);
            }
            lock (_gate)
            {
                _waiters++;
                Interlocked.MemoryBarrier();
                while (!_set)
                    Monitor.Wait(_gate);
                _waiters--;
            }
        }
    }
}
