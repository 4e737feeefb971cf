using System;
using System.Threading;

namespace NeuralDsl;

/// <summary>
/// How many threads the runtime's parallel work (matrix products, convolutions, optimizer updates) may use. The work
/// is cut into chunks whose boundaries depend only on the problem's size and its partial sums are added in a fixed
/// order, so every result is bit for bit the same whatever the count: the setting changes the speed, never a number.
/// </summary>
/// <remarks>
/// The count is read per call: <see cref="Limit"/> on the calling thread if a scope is open, otherwise
/// <see cref="MaxThreads"/>. The calling thread always works itself; the others come from one process-wide pool of
/// long-lived worker threads, started on first use and parked between calls. Many callers may share the pool at
/// once: a call that finds no idle worker computes its chunks alone, so nothing ever waits for a worker.
/// </remarks>
public static class NeuralDslThreads
{
    private static int s_maxThreads = Environment.ProcessorCount;

    [ThreadStatic]
    private static int t_limit;

    /// <summary>
    /// Threads one call may use, the calling thread included, for the whole process: 1 keeps all work on the calling
    /// thread. Defaults to <see cref="Environment.ProcessorCount"/>. Values above the core count are allowed (the
    /// results do not change; the extra threads only share the cores).
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is less than 1 or more than <see cref="MaxWorkers"/> + 1.</exception>
    public static int MaxThreads
    {
        get => Volatile.Read(ref s_maxThreads);
        set
        {
            Check(value);
            Volatile.Write(ref s_maxThreads, value);
        }
    }

    /// <summary>The most worker threads the pool starts (so a call may use at most this many plus the caller).</summary>
    public const int MaxWorkers = 255;

    /// <summary>The count that applies to a call made now on this thread: an open <see cref="Limit"/> scope, else <see cref="MaxThreads"/>.</summary>
    public static int Current
    {
        get
        {
            int limit = t_limit;
            return limit > 0 ? limit : MaxThreads;
        }
    }

    /// <summary>
    /// Sets the thread count for the calls this thread makes until the returned scope is disposed (scopes nest; the
    /// inner one applies). Generated models open one around each call when their own <c>MaxThreads</c> is set.
    /// Allocates nothing.
    /// </summary>
    /// <param name="threads">Threads per call, at least 1; 0 leaves the current setting in place.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="threads"/> is negative or more than <see cref="MaxWorkers"/> + 1.</exception>
    /// <example><code>using (NeuralDslThreads.Limit(4)) model.TrainStep(x, y, optimizer);</code></example>
    public static Scope Limit(int threads)
    {
        if (threads != 0)
            Check(threads);
        int previous = t_limit;
        if (threads != 0)
            t_limit = threads;
        return new Scope(previous);
    }

    /// <summary>
    /// Checks a model's <c>MaxThreads</c> value and returns it: 0 (follow the process setting) or a valid count.
    /// Generated models call it from their setter.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="threads"/> is negative or more than <see cref="MaxWorkers"/> + 1.</exception>
    public static int CheckModelSetting(int threads)
    {
        if (threads != 0)
            Check(threads);
        return threads;
    }

    /// <summary>The per-thread setting the pool's workers adopt while they run a chunk of a call (nested calls inherit it).</summary>
    internal static int Exchange(int limit)
    {
        int previous = t_limit;
        t_limit = limit;
        return previous;
    }

    private static void Check(int threads)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(threads, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(threads, MaxWorkers + 1);
    }

    /// <summary>A thread-count scope from <see cref="Limit"/>; disposing it restores the previous setting of this thread.</summary>
    public readonly struct Scope : IDisposable
    {
        private readonly int _previous;

        internal Scope(int previous) => _previous = previous;

        /// <summary>Restores the setting that applied before the scope was opened.</summary>
        public void Dispose() => t_limit = _previous;
    }
}
