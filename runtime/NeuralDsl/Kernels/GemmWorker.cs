using System;
using System.Diagnostics;
using System.Numerics;
using System.Runtime.ExceptionServices;
using System.Threading;

namespace NeuralDsl;

/// <summary>
/// The one long-lived helper thread that takes half of a large product. It is started on first use and then
/// parked on an event between calls, so a call costs two signals and no allocation (no Task, no closure, no
/// Parallel.For state). The job travels in static fields as raw pointers: the caller keeps its spans pinned and
/// waits for <see cref="Wait"/> before returning, so the memory outlives the job.
/// </summary>
internal static unsafe class GemmWorker
{
    private static readonly object StartLock = new();
    // Spin briefly before blocking: successive products of a training step arrive microseconds apart, and the two
    // halves of one product finish at about the same time. Short limits keep an idle worker from burning a core
    // that other work (or the other half of the product) needs on a shared 2-core machine.
    private static readonly Signal Go = new(spinMicroseconds: 50);
    private static readonly Signal Done = new(spinMicroseconds: 200);
    private static Thread? s_thread;
    private static int s_busy;

    private static void* s_a, s_b, s_c;
    private static int s_m, s_k, s_n, s_r0, s_r1, s_c0, s_c1;
    private static bool s_transposeA, s_transposeB, s_accumulate, s_isDouble;
    private static ExceptionDispatchInfo? s_error;
    private static long s_allocatedBytes;
    private static long s_jobs;

    /// <summary>Bytes the worker allocated while running jobs, summed over its lifetime (tests assert it stays put).</summary>
    public static long AllocatedBytes => Interlocked.Read(ref s_allocatedBytes);

    /// <summary>Jobs the worker has completed (tests use it to prove the second thread really ran).</summary>
    public static long Jobs => Interlocked.Read(ref s_jobs);

    /// <summary>
    /// Claims the worker for one job; false if another caller holds it, in which case the caller computes the
    /// whole product itself.
    /// </summary>
    public static bool TryAcquire()
    {
        if (Interlocked.CompareExchange(ref s_busy, 1, 0) != 0)
            return false;
        if (s_thread is null)
            StartThread();
        return true;
    }

    /// <summary>Hands rows [r0, r1) × columns [c0, c1) of the product to the worker; requires <see cref="TryAcquire"/>.</summary>
    public static void Start<T>(
        T* a, T* b, T* c, int m, int k, int n, bool transposeA, bool transposeB, bool accumulate,
        int r0, int r1, int c0, int c1)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        s_a = a;
        s_b = b;
        s_c = c;
        s_m = m;
        s_k = k;
        s_n = n;
        s_transposeA = transposeA;
        s_transposeB = transposeB;
        s_accumulate = accumulate;
        s_r0 = r0;
        s_r1 = r1;
        s_c0 = c0;
        s_c1 = c1;
        s_isDouble = typeof(T) == typeof(double);
        s_error = null;
        Done.Reset();
        // Set publishes the fields above (it is a full fence).
        Go.Set();
    }

    /// <summary>Waits for the job started by <see cref="Start"/>, releases the worker, and rethrows its failure if any.</summary>
    public static void Wait()
    {
        Done.Wait();
        ExceptionDispatchInfo? error = s_error;
        s_error = null;
        Volatile.Write(ref s_busy, 0);
        error?.Throw();
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
            try
            {
                if (s_isDouble)
                    Run<double>();
                else
                    Run<float>();
            }
            catch (Exception e)
            {
                s_error = ExceptionDispatchInfo.Capture(e);
            }
            Interlocked.Add(ref s_allocatedBytes, GC.GetAllocatedBytesForCurrentThread() - before);
            Interlocked.Increment(ref s_jobs);
            Done.Set();
        }
    }

    private static void Run<T>()
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        GemmBlocked.Run((T*)s_a, (T*)s_b, (T*)s_c, s_m, s_k, s_n, s_transposeA, s_transposeB, s_accumulate,
            s_r0, s_r1, s_c0, s_c1);
    }

    /// <summary>
    /// A manual-reset flag with a spin phase and a Monitor-based blocking phase. Unlike ManualResetEventSlim it
    /// never allocates lazily on its first blocking wait, so the zero-allocation guarantee holds from the first
    /// call after warm-up whichever path a wait takes.
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
