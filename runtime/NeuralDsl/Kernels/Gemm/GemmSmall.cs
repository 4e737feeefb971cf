using System;
using System.Numerics;
using System.Runtime.CompilerServices;

namespace NeuralDsl;

/// <summary>
/// Unpacked products for shapes where packing would cost more than it saves: few rows (GEMV, m ≤ 4) or a tiny
/// depth or width (k or n below 16). Rows of C are accumulated in registers while B is streamed row by row, so a
/// batch-1 Predict reads each weight exactly once. Column tails use masked loads and stores, never reading or
/// writing past the spans.
/// </summary>
internal static unsafe class GemmSmall
{
    /// <summary>Rows handled together by the row kernels (each B vector load feeds this many FMAs).</summary>
    private const int RowBlock = 4;

    /// <summary>Vectors of columns accumulated together.</summary>
    private const int ColumnVectors = 4;

    /// <summary>
    /// C[m×n] (+)= A·B with A(i, p) = <c>a[i·rs + p·cs]</c> (either layout of A) and B row-major [k×n].
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void RowMajorB<TS, TVec, T>(T* a, nint rs, nint cs, T* b, T* c, int m, int k, int n, bool add)
        where TS : IGemmSimd<TVec, T>
        where TVec : struct
        where T : unmanaged
    {
        int w = TS.Count;
        int i = 0;
        for (; i + RowBlock <= m; i += RowBlock)
        {
            T* ai = a + i * rs;
            T* ci = c + (nint)i * n;
            int j = 0;
            for (; j + ColumnVectors * w <= n; j += ColumnVectors * w)
                Rows4Vectors4<TS, TVec, T>(k, ai, rs, cs, b + j, n, ci + j, add);
            for (; j < n; j += w)
                Rows4Vector1<TS, TVec, T>(k, ai, rs, cs, b + j, n, ci + j, Math.Min(w, n - j), add);
        }
        for (; i < m; i++)
        {
            T* ai = a + i * rs;
            T* ci = c + (nint)i * n;
            int j = 0;
            for (; j + ColumnVectors * w <= n; j += ColumnVectors * w)
                Row1Vectors4<TS, TVec, T>(k, ai, cs, b + j, n, ci + j, add);
            for (; j < n; j += w)
                Row1Vector1<TS, TVec, T>(k, ai, cs, b + j, n, ci + j, Math.Min(w, n - j), add);
        }
    }

    /// <summary>
    /// C[m×n] (+)= A·Bᵀ with A row-major [m×k] (rows contiguous) and B stored [n×k]: each C element is a dot
    /// product of two contiguous rows, four columns at a time.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void TransposedB<TS, TVec, T>(T* a, T* b, T* c, int m, int k, int n, bool add)
        where TS : IGemmSimd<TVec, T>
        where TVec : struct
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        for (int i = 0; i < m; i++)
        {
            T* ai = a + (nint)i * k;
            T* ci = c + (nint)i * n;
            int j = 0;
            for (; j + 4 <= n; j += 4)
                Dot4<TS, TVec, T>(k, ai, b + (nint)j * k, k, ci + j, add);
            for (; j < n; j++)
            {
                T dot = Dot1<TS, TVec, T>(k, ai, b + (nint)j * k);
                ci[j] = add ? ci[j] + dot : dot;
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Rows4Vectors4<TS, TVec, T>(int k, T* a, nint rs, nint cs, T* b, nint ldb, T* c, bool add)
        where TS : IGemmSimd<TVec, T>
        where TVec : struct
        where T : unmanaged
    {
        int w = TS.Count;
        TVec c00 = TS.Zero, c01 = TS.Zero, c02 = TS.Zero, c03 = TS.Zero;
        TVec c10 = TS.Zero, c11 = TS.Zero, c12 = TS.Zero, c13 = TS.Zero;
        TVec c20 = TS.Zero, c21 = TS.Zero, c22 = TS.Zero, c23 = TS.Zero;
        TVec c30 = TS.Zero, c31 = TS.Zero, c32 = TS.Zero, c33 = TS.Zero;
        for (int p = 0; p < k; p++, a += cs, b += ldb)
        {
            TVec b0 = TS.Load(b), b1 = TS.Load(b + w), b2 = TS.Load(b + 2 * w), b3 = TS.Load(b + 3 * w);
            TVec x = TS.Broadcast(a);
            c00 = TS.Fma(x, b0, c00); c01 = TS.Fma(x, b1, c01); c02 = TS.Fma(x, b2, c02); c03 = TS.Fma(x, b3, c03);
            x = TS.Broadcast(a + rs);
            c10 = TS.Fma(x, b0, c10); c11 = TS.Fma(x, b1, c11); c12 = TS.Fma(x, b2, c12); c13 = TS.Fma(x, b3, c13);
            x = TS.Broadcast(a + 2 * rs);
            c20 = TS.Fma(x, b0, c20); c21 = TS.Fma(x, b1, c21); c22 = TS.Fma(x, b2, c22); c23 = TS.Fma(x, b3, c23);
            x = TS.Broadcast(a + 3 * rs);
            c30 = TS.Fma(x, b0, c30); c31 = TS.Fma(x, b1, c31); c32 = TS.Fma(x, b2, c32); c33 = TS.Fma(x, b3, c33);
        }
        nint ldc = ldb; // B [k×n] and C [m×n] share the row stride n.
        Write4<TS, TVec, T>(c, w, c00, c01, c02, c03, add);
        Write4<TS, TVec, T>(c + ldc, w, c10, c11, c12, c13, add);
        Write4<TS, TVec, T>(c + 2 * ldc, w, c20, c21, c22, c23, add);
        Write4<TS, TVec, T>(c + 3 * ldc, w, c30, c31, c32, c33, add);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Rows4Vector1<TS, TVec, T>(int k, T* a, nint rs, nint cs, T* b, nint ldb, T* c, int count, bool add)
        where TS : IGemmSimd<TVec, T>
        where TVec : struct
        where T : unmanaged
    {
        TVec c0 = TS.Zero, c1 = TS.Zero, c2 = TS.Zero, c3 = TS.Zero;
        if (count == TS.Count)
        {
            for (int p = 0; p < k; p++, a += cs, b += ldb)
            {
                TVec bv = TS.Load(b);
                c0 = TS.Fma(TS.Broadcast(a), bv, c0);
                c1 = TS.Fma(TS.Broadcast(a + rs), bv, c1);
                c2 = TS.Fma(TS.Broadcast(a + 2 * rs), bv, c2);
                c3 = TS.Fma(TS.Broadcast(a + 3 * rs), bv, c3);
            }
        }
        else
        {
            for (int p = 0; p < k; p++, a += cs, b += ldb)
            {
                TVec bv = TS.LoadPartial(b, count);
                c0 = TS.Fma(TS.Broadcast(a), bv, c0);
                c1 = TS.Fma(TS.Broadcast(a + rs), bv, c1);
                c2 = TS.Fma(TS.Broadcast(a + 2 * rs), bv, c2);
                c3 = TS.Fma(TS.Broadcast(a + 3 * rs), bv, c3);
            }
        }
        nint ldc = ldb; // B [k×n] and C [m×n] share the row stride n.
        Write1<TS, TVec, T>(c, c0, count, add);
        Write1<TS, TVec, T>(c + ldc, c1, count, add);
        Write1<TS, TVec, T>(c + 2 * ldc, c2, count, add);
        Write1<TS, TVec, T>(c + 3 * ldc, c3, count, add);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Row1Vectors4<TS, TVec, T>(int k, T* a, nint cs, T* b, nint ldb, T* c, bool add)
        where TS : IGemmSimd<TVec, T>
        where TVec : struct
        where T : unmanaged
    {
        int w = TS.Count;
        TVec c0 = TS.Zero, c1 = TS.Zero, c2 = TS.Zero, c3 = TS.Zero;
        for (int p = 0; p < k; p++, a += cs, b += ldb)
        {
            TVec x = TS.Broadcast(a);
            c0 = TS.Fma(x, TS.Load(b), c0);
            c1 = TS.Fma(x, TS.Load(b + w), c1);
            c2 = TS.Fma(x, TS.Load(b + 2 * w), c2);
            c3 = TS.Fma(x, TS.Load(b + 3 * w), c3);
        }
        Write4<TS, TVec, T>(c, w, c0, c1, c2, c3, add);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Row1Vector1<TS, TVec, T>(int k, T* a, nint cs, T* b, nint ldb, T* c, int count, bool add)
        where TS : IGemmSimd<TVec, T>
        where TVec : struct
        where T : unmanaged
    {
        // Four accumulators over successive depth steps, and a tail mask built once: a GEMV into one partial vector of
        // C (a 10-class output layer) is nothing but this loop. See docs/kernels.md#gemv-into-one-partial-vector
        TVec c0 = TS.Zero, c1 = TS.Zero, c2 = TS.Zero, c3 = TS.Zero;
        int p = 0;
        if (count == TS.Count)
        {
            for (; p + 4 <= k; p += 4, a += 4 * cs, b += 4 * ldb)
            {
                c0 = TS.Fma(TS.Broadcast(a), TS.Load(b), c0);
                c1 = TS.Fma(TS.Broadcast(a + cs), TS.Load(b + ldb), c1);
                c2 = TS.Fma(TS.Broadcast(a + 2 * cs), TS.Load(b + 2 * ldb), c2);
                c3 = TS.Fma(TS.Broadcast(a + 3 * cs), TS.Load(b + 3 * ldb), c3);
            }
            for (; p < k; p++, a += cs, b += ldb)
                c0 = TS.Fma(TS.Broadcast(a), TS.Load(b), c0);
        }
        else
        {
            TVec mask = TS.Mask(count);
            for (; p + 4 <= k; p += 4, a += 4 * cs, b += 4 * ldb)
            {
                c0 = TS.Fma(TS.Broadcast(a), TS.LoadMasked(b, mask), c0);
                c1 = TS.Fma(TS.Broadcast(a + cs), TS.LoadMasked(b + ldb, mask), c1);
                c2 = TS.Fma(TS.Broadcast(a + 2 * cs), TS.LoadMasked(b + 2 * ldb, mask), c2);
                c3 = TS.Fma(TS.Broadcast(a + 3 * cs), TS.LoadMasked(b + 3 * ldb, mask), c3);
            }
            for (; p < k; p++, a += cs, b += ldb)
                c0 = TS.Fma(TS.Broadcast(a), TS.LoadMasked(b, mask), c0);
        }
        Write1<TS, TVec, T>(c, TS.Add(TS.Add(c0, c1), TS.Add(c2, c3)), count, add);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Dot4<TS, TVec, T>(int k, T* a, T* b, nint ldb, T* c, bool add)
        where TS : IGemmSimd<TVec, T>
        where TVec : struct
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        int w = TS.Count;
        TVec s0 = TS.Zero, s1 = TS.Zero, s2 = TS.Zero, s3 = TS.Zero;
        int p = 0;
        for (; p + w <= k; p += w)
        {
            TVec x = TS.Load(a + p);
            s0 = TS.Fma(x, TS.Load(b + p), s0);
            s1 = TS.Fma(x, TS.Load(b + ldb + p), s1);
            s2 = TS.Fma(x, TS.Load(b + 2 * ldb + p), s2);
            s3 = TS.Fma(x, TS.Load(b + 3 * ldb + p), s3);
        }
        if (p < k)
        {
            int count = k - p;
            TVec x = TS.LoadPartial(a + p, count);
            s0 = TS.Fma(x, TS.LoadPartial(b + p, count), s0);
            s1 = TS.Fma(x, TS.LoadPartial(b + ldb + p, count), s1);
            s2 = TS.Fma(x, TS.LoadPartial(b + 2 * ldb + p, count), s2);
            s3 = TS.Fma(x, TS.LoadPartial(b + 3 * ldb + p, count), s3);
        }
        T d0 = TS.Sum(s0), d1 = TS.Sum(s1), d2 = TS.Sum(s2), d3 = TS.Sum(s3);
        if (add)
        {
            c[0] += d0;
            c[1] += d1;
            c[2] += d2;
            c[3] += d3;
        }
        else
        {
            c[0] = d0;
            c[1] = d1;
            c[2] = d2;
            c[3] = d3;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static T Dot1<TS, TVec, T>(int k, T* a, T* b)
        where TS : IGemmSimd<TVec, T>
        where TVec : struct
        where T : unmanaged
    {
        int w = TS.Count;
        TVec s = TS.Zero;
        int p = 0;
        for (; p + w <= k; p += w)
            s = TS.Fma(TS.Load(a + p), TS.Load(b + p), s);
        if (p < k)
            s = TS.Fma(TS.LoadPartial(a + p, k - p), TS.LoadPartial(b + p, k - p), s);
        return TS.Sum(s);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Write4<TS, TVec, T>(T* c, int w, TVec v0, TVec v1, TVec v2, TVec v3, bool add)
        where TS : IGemmSimd<TVec, T>
        where TVec : struct
        where T : unmanaged
    {
        if (add)
        {
            v0 = TS.Add(TS.Load(c), v0);
            v1 = TS.Add(TS.Load(c + w), v1);
            v2 = TS.Add(TS.Load(c + 2 * w), v2);
            v3 = TS.Add(TS.Load(c + 3 * w), v3);
        }
        TS.Store(c, v0);
        TS.Store(c + w, v1);
        TS.Store(c + 2 * w, v2);
        TS.Store(c + 3 * w, v3);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Write1<TS, TVec, T>(T* c, TVec v, int count, bool add)
        where TS : IGemmSimd<TVec, T>
        where TVec : struct
        where T : unmanaged
    {
        if (count == TS.Count)
        {
            TS.Store(c, add ? TS.Add(TS.Load(c), v) : v);
        }
        else
        {
            TS.StorePartial(c, add ? TS.Add(TS.LoadPartial(c, count), v) : v, count);
        }
    }
}
