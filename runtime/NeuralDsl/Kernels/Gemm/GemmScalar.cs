using System.Numerics;

namespace NeuralDsl;

/// <summary>The product on hardware without SIMD acceleration: plain loops in the cache-friendly i-p-j order.</summary>
internal static unsafe class GemmScalar
{
    public static void Multiply<T>(T* a, T* b, T* c, int m, int k, int n, bool transposeA, bool transposeB, bool accumulate)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        for (int i = 0; i < m; i++)
        {
            T* ci = c + (nint)i * n;
            if (!accumulate)
            {
                for (int j = 0; j < n; j++)
                    ci[j] = T.Zero;
            }
            for (int p = 0; p < k; p++)
            {
                T aip = transposeA ? a[(nint)p * m + i] : a[(nint)i * k + p];
                if (transposeB)
                {
                    for (int j = 0; j < n; j++)
                        ci[j] += aip * b[(nint)j * k + p];
                }
                else
                {
                    T* bp = b + (nint)p * n;
                    for (int j = 0; j < n; j++)
                        ci[j] += aip * bp[j];
                }
            }
        }
    }
}
