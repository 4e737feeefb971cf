using System;
using System.Numerics.Tensors;

namespace NeuralDsl;

/// <summary>
/// Eigenvalues of a dense real matrix in double, deterministically: Householder reduction to upper Hessenberg form,
/// then the Francis double-shift QR iteration on the active block (eigenvalues only, no vectors; the classic EISPACK
/// <c>hqr</c> scheme with exceptional shifts after 10 and 20 stalled iterations). Complex pairs converge as 2×2 blocks,
/// so a spectrum whose largest moduli are a complex pair (where a power iteration would oscillate) is found exactly.
/// </summary>
public static class Eigenvalues
{
    /// <summary>The largest eigenvalue modulus of the row-major [n × n] matrix <paramref name="matrix"/>.</summary>
    /// <exception cref="ArgumentException">The length is not n², or a value is not finite.</exception>
    /// <exception cref="InvalidOperationException">The QR iteration did not converge (not seen on finite matrices).</exception>
    public static double SpectralRadius(ReadOnlySpan<double> matrix, int n)
    {
        var real = new double[n];
        var imaginary = new double[n];
        Compute(matrix, n, real, imaginary);
        double radius = 0;
        for (int i = 0; i < n; i++)
            radius = Math.Max(radius, double.Hypot(real[i], imaginary[i]));
        return radius;
    }

    /// <summary>
    /// Every eigenvalue of the row-major [n × n] <paramref name="matrix"/>: real parts into <paramref name="real"/>,
    /// imaginary parts into <paramref name="imaginary"/> (a complex pair appears as two entries, in no defined order).
    /// </summary>
    /// <exception cref="ArgumentException">A length does not fit n, or a value is not finite.</exception>
    /// <exception cref="InvalidOperationException">The QR iteration did not converge (not seen on finite matrices).</exception>
    public static void Compute(ReadOnlySpan<double> matrix, int n, Span<double> real, Span<double> imaginary)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(n);
        if (matrix.Length != (long)n * n)
            throw new ArgumentException(FormattableString.Invariant($"The matrix has {matrix.Length} values, expected n² = {(long)n * n}."), nameof(matrix));
        if (real.Length != n || imaginary.Length != n)
            throw new ArgumentException(FormattableString.Invariant($"The eigenvalue spans have {real.Length} and {imaginary.Length} values, expected n = {n}."));
        foreach (double value in matrix)
        {
            if (!double.IsFinite(value))
                throw new ArgumentException(FormattableString.Invariant($"The matrix has the non-finite value {value}."), nameof(matrix));
        }
        double[] a = matrix.ToArray();
        ReduceToHessenberg(a, n);
        HessenbergQr(a, n, real, imaginary);
    }

    /// <summary>Householder similarity transforms that zero everything below the first subdiagonal (row-major, in place).</summary>
    private static void ReduceToHessenberg(double[] a, int n)
    {
        var v = new double[n];
        var w = new double[n];
        for (int k = 0; k < n - 2; k++)
        {
            // Column k below the subdiagonal: v = x + sign(x0)·|x|·e0, H = I − β·v·vᵀ.
            int m = n - k - 1;
            double scale = 0;
            for (int i = 0; i < m; i++)
                scale += Math.Abs(a[(k + 1 + i) * n + k]);
            if (scale == 0)
                continue;
            double norm2 = 0;
            for (int i = 0; i < m; i++)
            {
                v[i] = a[(k + 1 + i) * n + k] / scale;
                norm2 += v[i] * v[i];
            }
            double alpha = Math.Sqrt(norm2);
            if (v[0] < 0)
                alpha = -alpha;
            v[0] += alpha;
            double beta = 1 / (alpha * v[0]);   // 2 / vᵀv, since vᵀv = 2·alpha·v0
            Span<double> vs = v.AsSpan(0, m);

            // Left: rows k+1..n−1, columns k..n−1: A −= β·v·(vᵀA).
            Span<double> ws = w.AsSpan(0, n - k);
            ws.Clear();
            for (int i = 0; i < m; i++)
                TensorPrimitives.MultiplyAdd(a.AsSpan((k + 1 + i) * n + k, n - k), vs[i], ws, ws);
            for (int i = 0; i < m; i++)
                TensorPrimitives.MultiplyAdd(ws, -beta * vs[i], a.AsSpan((k + 1 + i) * n + k, n - k), a.AsSpan((k + 1 + i) * n + k, n - k));

            // Right: every row, columns k+1..n−1: A −= β·(A·v)·vᵀ.
            for (int i = 0; i < n; i++)
            {
                Span<double> row = a.AsSpan(i * n + k + 1, m);
                double s = TensorPrimitives.Dot(row, vs);
                TensorPrimitives.MultiplyAdd(vs, -beta * s, row, row);
            }
            // The column is now (−alpha·scale, 0, ..., 0) up to round-off: store it exactly.
            a[(k + 1) * n + k] = -alpha * scale;
            for (int i = 1; i < m; i++)
                a[(k + 1 + i) * n + k] = 0;
        }
    }

    /// <summary>Francis double-shift QR on an upper Hessenberg matrix (row-major, destroyed), eigenvalues only.</summary>
    private static void HessenbergQr(double[] a, int n, Span<double> wr, Span<double> wi)
    {
        double anorm = 0;
        for (int i = 0; i < n; i++)
        {
            for (int j = Math.Max(i - 1, 0); j < n; j++)
                anorm += Math.Abs(a[i * n + j]);
        }
        int nn = n - 1;
        double t = 0;
        while (nn >= 0)
        {
            int its = 0;
            int l;
            do
            {
                // Look for a single small subdiagonal element.
                for (l = nn; l >= 1; l--)
                {
                    double s0 = Math.Abs(a[(l - 1) * n + l - 1]) + Math.Abs(a[l * n + l]);
                    if (s0 == 0)
                        s0 = anorm;
                    if (Math.Abs(a[l * n + l - 1]) + s0 == s0)
                    {
                        a[l * n + l - 1] = 0;
                        break;
                    }
                }
                if (l < 0)
                    l = 0;
                double x = a[nn * n + nn];
                if (l == nn)
                {
                    // One root found.
                    wr[nn] = x + t;
                    wi[nn] = 0;
                    nn--;
                }
                else
                {
                    double y = a[(nn - 1) * n + nn - 1];
                    double w = a[nn * n + nn - 1] * a[(nn - 1) * n + nn];
                    if (l == nn - 1)
                    {
                        // Two roots found.
                        double p = 0.5 * (y - x);
                        double q = p * p + w;
                        double z = Math.Sqrt(Math.Abs(q));
                        x += t;
                        if (q >= 0)
                        {
                            z = p + Math.CopySign(z, p);
                            wr[nn - 1] = wr[nn] = x + z;
                            if (z != 0)
                                wr[nn] = x - w / z;
                            wi[nn - 1] = wi[nn] = 0;
                        }
                        else
                        {
                            wr[nn - 1] = wr[nn] = x + p;
                            wi[nn - 1] = -z;
                            wi[nn] = z;
                        }
                        nn -= 2;
                    }
                    else
                    {
                        if (its == 60)
                            throw new InvalidOperationException(FormattableString.Invariant($"The QR iteration did not converge for eigenvalue {nn} of a {n}×{n} matrix."));
                        if (its % 10 == 0 && its > 0)
                        {
                            // Exceptional shift.
                            t += x;
                            for (int i = 0; i <= nn; i++)
                                a[i * n + i] -= x;
                            double s1 = Math.Abs(a[nn * n + nn - 1]) + Math.Abs(a[(nn - 1) * n + nn - 2]);
                            y = x = 0.75 * s1;
                            w = -0.4375 * s1 * s1;
                        }
                        its++;
                        DoubleShiftSweep(a, n, l, nn, x, y, w);
                    }
                }
            }
            while (l < nn - 1);
        }
    }

    /// <summary>One implicit double-shift QR sweep over the active block rows/columns l..nn.</summary>
    private static void DoubleShiftSweep(double[] a, int n, int l, int nn, double x, double y, double w)
    {
        // Look for two consecutive small subdiagonal elements.
        int m;
        double p = 0, q = 0, r = 0, z;
        for (m = nn - 2; m >= l; m--)
        {
            z = a[m * n + m];
            r = x - z;
            double s = y - z;
            p = (r * s - w) / a[(m + 1) * n + m] + a[m * n + m + 1];
            q = a[(m + 1) * n + m + 1] - z - r - s;
            r = a[(m + 2) * n + m + 1];
            s = Math.Abs(p) + Math.Abs(q) + Math.Abs(r);
            p /= s;
            q /= s;
            r /= s;
            if (m == l)
                break;
            double u = Math.Abs(a[m * n + m - 1]) * (Math.Abs(q) + Math.Abs(r));
            double v = Math.Abs(p) * (Math.Abs(a[(m - 1) * n + m - 1]) + Math.Abs(z) + Math.Abs(a[(m + 1) * n + m + 1]));
            if (u + v == v)
                break;
        }
        for (int i = m + 2; i <= nn; i++)
        {
            a[i * n + i - 2] = 0;
            if (i != m + 2)
                a[i * n + i - 3] = 0;
        }
        // Double QR step on rows l..nn and columns m..nn.
        for (int k = m; k <= nn - 1; k++)
        {
            if (k != m)
            {
                p = a[k * n + k - 1];
                q = a[(k + 1) * n + k - 1];
                r = 0;
                if (k != nn - 1)
                    r = a[(k + 2) * n + k - 1];
                x = Math.Abs(p) + Math.Abs(q) + Math.Abs(r);
                if (x != 0)
                {
                    p /= x;
                    q /= x;
                    r /= x;
                }
            }
            double s = Math.CopySign(Math.Sqrt(p * p + q * q + r * r), p);
            if (s == 0)
                continue;
            if (k == m)
            {
                if (l != m)
                    a[k * n + k - 1] = -a[k * n + k - 1];
            }
            else
            {
                a[k * n + k - 1] = -s * x;
            }
            p += s;
            x = p / s;
            y = q / s;
            z = r / s;
            q /= p;
            r /= p;
            // Row modification.
            int rowK = k * n, rowK1 = (k + 1) * n, rowK2 = (k + 2) * n;
            bool three = k != nn - 1;
            for (int j = k; j <= nn; j++)
            {
                double pj = a[rowK + j] + q * a[rowK1 + j];
                if (three)
                {
                    pj += r * a[rowK2 + j];
                    a[rowK2 + j] -= pj * z;
                }
                a[rowK1 + j] -= pj * y;
                a[rowK + j] -= pj * x;
            }
            // Column modification.
            int last = Math.Min(nn, k + 3);
            for (int i = l; i <= last; i++)
            {
                int row = i * n;
                double pi = x * a[row + k] + y * a[row + k + 1];
                if (three)
                {
                    pi += z * a[row + k + 2];
                    a[row + k + 2] -= pi * r;
                }
                a[row + k + 1] -= pi * q;
                a[row + k] -= pi;
            }
        }
    }
}
