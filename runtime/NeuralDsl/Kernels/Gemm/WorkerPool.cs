using System;
using System.Diagnostics;
using System.Runtime.ExceptionServices;
using System.Threading;

namespace NeuralDsl;

/// <summary>
/// The process-wide pool of worker threads that share large products, convolution passes and optimizer updates with
/// their caller. A call cuts its work into chunks (the caller decides them from the problem's size alone), publishes
/// the job, computes chunks itself and is joined by up to <see cref="NeuralDslThreads.Current"/> − 1 idle workers;
/// which thread runs which chunk changes nothing in the result.
/// </summary>
/// <remarks>
/// <para>
/// Caller participates: chunks are claimed with an interlocked counter, and the caller keeps claiming until none is
/// left, so a call never waits for a chunk nobody has started: when every worker is busy with other callers (many
/// models on many threads), or slow to wake because another process holds the cores, the caller simply computes the
/// rest itself. It waits only for chunks a worker is computing at that moment. A chunk may itself call into the pool
/// (a convolution part running a product): the nested call is a job of its own with the same rule, so nesting never
/// blocks either.
/// </para>
/// <para>
/// Nothing is allocated per call. Each thread owns its job objects (two per nesting depth, used alternately), created
/// on its first call at that depth; the body is a function pointer and the context a struct on the caller's stack,
/// which the caller keeps alive (and pinned) until every claimed chunk is complete. A worker joins a job only after
/// announcing itself (<c>Active</c>) and re-checking that the job is still published under the generation it saw, and
/// the owner re-arms a job object only once no worker is inside it, so a late worker can never read a newer call's
/// fields as an older one's.
/// </para>
/// <para>
/// Workers are started lazily, as many as the largest count a call has asked for (minus the caller), and park on a
/// monitor after a short spin: successive products of a training step arrive microseconds apart.
/// </para>
/// </remarks>
internal static unsafe class WorkerPool
{
    /// <summary>Jobs that can be published at once; a call that finds every slot taken runs alone.</summary>
    private const int Slots = 64;

    // Spin briefly before parking: a training step's products arrive microseconds apart. Short, so idle workers do not
    // burn cores that other work (or other processes) need.
    private const int WorkerSpinMicroseconds = 50;

    private static readonly Job?[] s_slots = new Job?[Slots];
    private static readonly object s_gate = new();
    private static readonly object s_startLock = new();
    private static int s_version;
    private static int s_runs;
    private static int s_sleepers;
    private static int s_workers;
    private static long s_allocatedBytes;
    private static long s_workerChunks;

    [ThreadStatic]
    private static Job?[]? t_jobs;

    [ThreadStatic]
    private static int t_depth;

    [ThreadStatic]
    private static long t_warmUpBytes;

    /// <summary>
    /// Bytes the workers allocated while running chunks, summed over their lifetime (tests assert it stays put), less
    /// each thread's one-time buffers (<see cref="CountWarmUp"/>): which worker joins a call is up to the scheduler, so
    /// a worker may meet its first product of an element type in any call, long after the caller's warm-up.
    /// </summary>
    public static long AllocatedBytes => Interlocked.Read(ref s_allocatedBytes);

    /// <summary>Chunks the worker threads have computed (tests use it to prove the workers really ran).</summary>
    public static long WorkerChunks => Interlocked.Read(ref s_workerChunks);

    /// <summary>
    /// Records <paramref name="bytes"/> allocated once per thread for reuse by every later call (GEMM buffers, job
    /// objects); <see cref="AllocatedBytes"/> leaves them out.
    /// </summary>
    public static void CountWarmUp(long bytes) => t_warmUpBytes += bytes;

    /// <summary>This thread's bytes recorded by <see cref="CountWarmUp"/> (tests).</summary>
    internal static long WarmUpBytes => t_warmUpBytes;

    /// <summary>Worker threads started so far.</summary>
    public static int Workers => Volatile.Read(ref s_workers);

    /// <summary>
    /// Runs <paramref name="body"/>(<paramref name="context"/>, start, end) over [0, <paramref name="length"/>) in
    /// chunks of <paramref name="chunkSize"/> (the last one shorter), on this thread and up to
    /// <see cref="NeuralDslThreads.Current"/> − 1 workers; returns when every chunk is complete and rethrows the first
    /// exception a chunk threw. <paramref name="context"/> must stay valid until this returns (a struct on the caller's
    /// stack does). Chunks must write disjoint memory, or partials the caller adds in a fixed order afterwards.
    /// </summary>
    public static void Run(delegate*<void*, int, int, void> body, void* context, int length, int chunkSize)
    {
        if (length <= 0)
            return;
        Debug.Assert(chunkSize > 0, "a chunk holds at least one item");
        int chunks = (int)(((long)length + chunkSize - 1) / chunkSize);
        int threads = NeuralDslThreads.Current;
        if (chunks == 1 || threads <= 1)
        {
            // The same chunks in the same order, all here: the partition never depends on the thread count.
            for (int chunk = 0; chunk < chunks; chunk++)
            {
                int start = chunk * chunkSize;
                body(context, start, Math.Min(length, start + chunkSize));
            }
            return;
        }

        int helpers = Math.Min(threads - 1, Math.Min(chunks - 1, NeuralDslThreads.MaxWorkers));
        if (Volatile.Read(ref s_workers) < helpers)
            StartWorkers(helpers);

        Job job = RentJob();
        job.Body = body;
        job.Context = context;
        job.Length = length;
        job.ChunkSize = chunkSize;
        job.Chunks = chunks;
        job.Limit = threads;
        job.MaxHelpers = helpers;
        job.Next = 0;
        job.Completed = 0;
        job.Seats = 0;
        job.Error = null;
        job.Done.Reset();
        // A full fence: a worker that sees the new generation (or the slot) sees every field above.
        Interlocked.Increment(ref job.Generation);
        int slot = Publish(job);
        if (slot >= 0)
        {
            // A step partner (StepPartner) watches this count and leaves its sequence to join calls like this one.
            Interlocked.Increment(ref s_runs);
            Wake(helpers);
        }

        t_depth++;
        try
        {
            Participate(job);
        }
        finally
        {
            t_depth--;
        }
        // Every chunk is claimed: take the job down so no other worker scans it; the ones inside finish their chunk.
        if (slot >= 0)
            Interlocked.CompareExchange(ref s_slots[slot], null, job);
        if (Volatile.Read(ref job.Completed) < chunks)
            job.Done.Wait();
        ExceptionDispatchInfo? error = Interlocked.Exchange(ref job.Error, null);
        error?.Throw();
    }

    /// <summary>Calls of <see cref="Run"/> published so far (a partner's cue to leave its sequence and help).</summary>
    internal static int Runs => Volatile.Read(ref s_runs);

    /// <summary>
    /// Offers <paramref name="body"/>(<paramref name="context"/>, 0, 1) to one idle worker without waiting for it: the
    /// one-chunk job <see cref="StepPartner"/> publishes so a worker enters its sequence loop. Nothing runs on this
    /// thread. The job stays published until a worker takes it (however late: the body must then find nothing to do
    /// and return), and the worker takes it down when it returns. Returns false, changing nothing, while the previous
    /// offer of <paramref name="lease"/> is still published or running. <paramref name="owner"/> keeps the memory
    /// <paramref name="context"/> points to alive as long as the job can run.
    /// </summary>
    internal static bool TryOffer(Lease lease, delegate*<void*, int, int, void> body, void* context, object owner)
    {
        Job job = lease.Job;
        if (Volatile.Read(ref job.Published) != 0 || Volatile.Read(ref job.Active) != 0)
            return false;
        if (Volatile.Read(ref s_workers) < 1)
            StartWorkers(1);
        job.Body = body;
        job.Context = context;
        job.Owner = owner;
        job.Length = 1;
        job.ChunkSize = 1;
        job.Chunks = 1;
        job.Limit = 1;
        job.MaxHelpers = 1;
        job.Next = 0;
        job.Completed = 0;
        job.Seats = 0;
        job.Error = null;
        job.Detached = true;
        job.Done.Reset();
        Volatile.Write(ref job.Published, 1);
        Interlocked.Increment(ref job.Generation);
        if (Publish(job) < 0)
        {
            Volatile.Write(ref job.Published, 0);
            return false;
        }
        Wake(1);
        return true;
    }

    /// <summary>A reusable one-chunk job for <see cref="TryOffer"/>, owned by one thread.</summary>
    internal sealed class Lease
    {
        internal readonly Job Job = new();

        /// <summary>Whether the last offer is still published (not yet taken) or running.</summary>
        internal bool Pending => Volatile.Read(ref Job.Published) != 0;
    }

    /// <summary>This thread's job object for the current depth: of the two, one no worker is inside (a late worker may still be leaving the other).</summary>
    private static Job RentJob()
    {
        int depth = t_depth;
        Job?[]? jobs = t_jobs;
        if (jobs is null || jobs.Length < 2 * (depth + 1) || jobs[2 * depth] is null)
        {
            long before = GC.GetAllocatedBytesForCurrentThread();
            if (jobs is null || jobs.Length < 2 * (depth + 1))
            {
                var grown = new Job?[2 * (depth + 2)];
                jobs?.CopyTo(grown, 0);
                t_jobs = jobs = grown;
            }
            jobs[2 * depth] = new Job();
            jobs[2 * depth + 1] = new Job();
            CountWarmUp(GC.GetAllocatedBytesForCurrentThread() - before);
        }
        Job first = jobs[2 * depth]!, second = jobs[2 * depth + 1]!;
        // Alternate, so the previous call's stragglers have a whole call's time to leave.
        Job job = first.LastUsed <= second.LastUsed ? first : second;
        Job other = ReferenceEquals(job, first) ? second : first;
        job.LastUsed = other.LastUsed + 1;
        var spin = default(SpinWait);
        while (Volatile.Read(ref job.Active) != 0)
            spin.SpinOnce();
        return job;
    }

    private static int Publish(Job job)
    {
        for (int i = 0; i < Slots; i++)
        {
            if (Volatile.Read(ref s_slots[i]) is null && Interlocked.CompareExchange(ref s_slots[i], job, null) is null)
                return i;
        }
        return -1;
    }

    private static void Wake(int helpers)
    {
        // Pairs with the sleeper's increment-then-read: either it sees the new version, or this sees it sleeping.
        Interlocked.Increment(ref s_version);
        int sleepers = Volatile.Read(ref s_sleepers);
        if (sleepers == 0)
            return;
        lock (s_gate)
        {
            for (int i = Math.Min(helpers, sleepers); i > 0; i--)
                Monitor.Pulse(s_gate);
        }
    }

    /// <summary>Claims and computes chunks until none is left; the caller and its helpers all run this.</summary>
    private static int Participate(Job job)
    {
        int done = 0;
        int chunks = job.Chunks, chunkSize = job.ChunkSize, length = job.Length;
        while (true)
        {
            int chunk = Interlocked.Increment(ref job.Next) - 1;
            if (chunk >= chunks)
                return done;
            try
            {
                int start = chunk * chunkSize;
                job.Body(job.Context, start, Math.Min(length, start + chunkSize));
            }
            catch (Exception e)
            {
                Interlocked.CompareExchange(ref job.Error, ExceptionDispatchInfo.Capture(e), null);
            }
            done++;
            // Whoever completes the last chunk wakes the caller (a no-op when that is the caller itself).
            if (Interlocked.Increment(ref job.Completed) == chunks)
                job.Done.Set();
        }
    }

    private static void StartWorkers(int count)
    {
        lock (s_startLock)
        {
            while (s_workers < count)
            {
                var thread = new Thread(Loop) { IsBackground = true, Name = "NeuralDsl worker " + (s_workers + 1) };
                thread.Start();
                Volatile.Write(ref s_workers, s_workers + 1);
            }
        }
    }

    /// <summary>
    /// Reads every thread-static field the runtime's chunks use, once, on a thread that has run none yet. The first
    /// such read on a thread can allocate that class's thread-static block (32–144 bytes); done here, before
    /// the thread joins any call, it never lands in a call's chunks, where <see cref="AllocatedBytes"/> would count
    /// it depending on which worker happened to meet which element type first.
    /// </summary>
    internal static void PrepareThread()
    {
        GC.KeepAlive(t_jobs);
        t_depth += 0;
        t_warmUpBytes += 0;
        _ = NeuralDslThreads.Current;
        GemmBuffers<float>.TouchThreadStatics();
        GemmBuffers<double>.TouchThreadStatics();
        StepPartner.TouchThreadStatics();
    }

    private static void Loop()
    {
        PrepareThread();
        long spinTicks = WorkerSpinMicroseconds * Stopwatch.Frequency / 1_000_000;
        while (true)
        {
            // Read the version before scanning: a job published after the scan changes it, so it is never slept through.
            int version = Volatile.Read(ref s_version);
            if (HelpOnce())
                continue;
            long deadline = Stopwatch.GetTimestamp() + spinTicks;
            bool changed = false;
            while (Stopwatch.GetTimestamp() < deadline)
            {
                if (Volatile.Read(ref s_version) != version)
                {
                    changed = true;
                    break;
                }
                Thread.SpinWait(8);
            }
            if (changed)
                continue;
            lock (s_gate)
            {
                Interlocked.Increment(ref s_sleepers);
                while (Volatile.Read(ref s_version) == version)
                    Monitor.Wait(s_gate);
                Interlocked.Decrement(ref s_sleepers);
            }
        }
    }

    /// <summary>Joins every published job that still has chunks and a free seat; true if any chunk was computed.</summary>
    private static bool HelpOnce()
    {
        bool worked = false;
        for (int i = 0; i < Slots; i++)
        {
            Job? job = Volatile.Read(ref s_slots[i]);
            if (job is null)
                continue;
            int generation = Volatile.Read(ref job.Generation);
            if (Volatile.Read(ref job.Next) >= Volatile.Read(ref job.Chunks))
                continue;
            Interlocked.Increment(ref job.Active);
            // Still the job (and the call) that was seen, and a seat left? Otherwise leave without touching it.
            if (ReferenceEquals(Volatile.Read(ref s_slots[i]), job) && Volatile.Read(ref job.Generation) == generation
                && Interlocked.Increment(ref job.Seats) <= job.MaxHelpers)
            {
                int previous = NeuralDslThreads.Exchange(job.Limit);
                long before = GC.GetAllocatedBytesForCurrentThread(), warmUp = t_warmUpBytes;
                int chunks = Participate(job);
                long allocated = GC.GetAllocatedBytesForCurrentThread() - before - (t_warmUpBytes - warmUp);
                if (allocated != 0)
                    Interlocked.Add(ref s_allocatedBytes, allocated);
                Interlocked.Add(ref s_workerChunks, chunks);
                NeuralDslThreads.Exchange(previous);
                worked |= chunks > 0;
                if (job.Detached && chunks > 0)
                {
                    // An offer's one chunk has run: take it down (nobody else does), then let its owner offer again.
                    Interlocked.CompareExchange(ref s_slots[i], null, job);
                    Volatile.Write(ref job.Published, 0);
                }
            }
            Interlocked.Decrement(ref job.Active);
        }
        return worked;
    }

    /// <summary>One call's shared state. Owned by the thread that publishes it; reused call after call.</summary>
    internal sealed class Job
    {
        public delegate*<void*, int, int, void> Body;
        public void* Context;
        public int Length, ChunkSize, Chunks, Limit, MaxHelpers;
        public int Next, Completed, Seats, Active, Generation;
        public int Published;   // an offer (TryOffer): 1 from publication until its chunk has run and it is taken down
        public bool Detached;   // an offer: nobody waits for it, the worker that ran it takes it down
        public object? Owner;   // an offer: keeps its context's memory alive
        public long LastUsed;
        public ExceptionDispatchInfo? Error;
        public readonly Signal Done = new(spinMicroseconds: 200);
    }

    /// <summary>
    /// A manual-reset flag with a bounded spin phase and a Monitor-based blocking phase. Unlike
    /// ManualResetEventSlim it never allocates lazily on its first blocking wait, so the zero-allocation
    /// guarantee holds from the first call after warm-up whichever path a wait takes.
    /// </summary>
    internal sealed class Signal(int spinMicroseconds)
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
