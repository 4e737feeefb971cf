using System;
using System.Globalization;
using System.Numerics;
using Xunit;

namespace NeuralDsl.Tests.Conformance;

/// <summary>
/// The pooling cases against <see cref="Pooling"/>: the geometry built from the case's <c>pool_size</c>,
/// <c>strides</c> and <c>padding</c> must reproduce its output shape and <c>explicit_padding</c>; forward gives
/// <c>output</c>, backward with <c>grad_output</c> gives <c>grad_input</c>. Double and float, tolerances of
/// Fixtures/README.md.
/// </summary>
public sealed class PoolingConformanceTests
{
    public static TheoryData<string> Windowed =>
    [
        "max_pooling2d", "max_pooling2d_same", "max_pooling1d", "average_pooling2d", "average_pooling2d_same",
    ];

    public static TheoryData<string> Global =>
    [
        "global_average_pooling2d", "global_max_pooling2d", "global_average_pooling1d",
    ];

    [Theory]
    [MemberData(nameof(Windowed))]
    public void WindowedDouble(string name) => CheckWindowed<double>(name);

    [Theory]
    [MemberData(nameof(Windowed))]
    public void WindowedFloat(string name) => CheckWindowed<float>(name);

    [Theory]
    [MemberData(nameof(Global))]
    public void GlobalDouble(string name) => CheckGlobal<double>(name);

    [Theory]
    [MemberData(nameof(Global))]
    public void GlobalFloat(string name) => CheckGlobal<float>(name);

    private static void CheckWindowed<T>(string name) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        Fixture f = Fixture.Load(name);
        string type = f.Meta("type");
        int[] inShape = f.Shape("input");
        int[] outShape = f.Shape("output");
        int[] pool = Ints(f.Meta("pool_size"));
        int[] strides = Ints(f.Meta("strides"));
        bool same = f.Meta("padding") switch
        {
            "same" => true,
            "valid" => false,
            string other => throw new InvalidOperationException($"{name}: unknown padding '{other}'."),
        };
        int batch = inShape[0];
        Pool2DGeometry g;
        if (type.EndsWith("1D", StringComparison.Ordinal))
        {
            Assert.Equal(3, inShape.Length);
            g = Pool2DGeometry.Create1D(inShape[1], inShape[2], pool[0], strides[0], same);
            Assert.Equal([batch, g.OutputWidth, g.Channels], outShape);
        }
        else
        {
            Assert.Equal(4, inShape.Length);
            g = Pool2DGeometry.Create(inShape[1], inShape[2], inShape[3], pool[0], pool[1], strides[0], strides[1], same);
            Assert.Equal([batch, g.OutputHeight, g.OutputWidth, g.Channels], outShape);
            // explicit_padding: "top=0,bottom=1,left=0,right=1"; bottom/right get what top/left do not.
            int top = 0, bottom = 0, left = 0, right = 0;
            foreach (string part in f.Meta("explicit_padding").Split(','))
            {
                string[] kv = part.Split('=');
                int v = int.Parse(kv[1], CultureInfo.InvariantCulture);
                switch (kv[0])
                {
                    case "top": top = v; break;
                    case "bottom": bottom = v; break;
                    case "left": left = v; break;
                    case "right": right = v; break;
                    default: throw new InvalidOperationException($"{name}: unknown padding key '{kv[0]}'.");
                }
            }
            Assert.Equal(top, g.PadTop);
            Assert.Equal(left, g.PadLeft);
            Assert.Equal(top + bottom, Math.Max((g.OutputHeight - 1) * g.StrideHeight + g.PoolHeight - g.Height, 0));
            Assert.Equal(left + right, Math.Max((g.OutputWidth - 1) * g.StrideWidth + g.PoolWidth - g.Width, 0));
        }

        Tolerance tol = Tolerance.For<T>();
        T[] x = f.Input<T>("input");
        T[] dy = f.Input<T>("grad_output");
        var y = new T[batch * g.OutputSize];
        var dx = new T[x.Length];
        if (type.StartsWith("MaxPooling", StringComparison.Ordinal))
        {
            var argmax = new int[y.Length];
            Pooling.MaxForward<T>(x, y, argmax, batch, in g);
            tol.AssertClose<T>(y, f.Get("output"), $"{name} output");
            Pooling.MaxBackward<T>(dy, argmax, dx, batch, in g);
        }
        else
        {
            Assert.StartsWith("AveragePooling", type, StringComparison.Ordinal);
            Pooling.AverageForward<T>(x, y, batch, in g);
            tol.AssertClose<T>(y, f.Get("output"), $"{name} output");
            Pooling.AverageBackward<T>(dy, dx, batch, in g);
        }
        tol.AssertClose<T>(dx, f.Get("grad_input"), $"{name} grad_input");
    }

    private static void CheckGlobal<T>(string name) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        Fixture f = Fixture.Load(name);
        string type = f.Meta("type");
        int[] inShape = f.Shape("input");
        int batch = inShape[0], channels = inShape[^1];
        int spatial = 1;
        for (int i = 1; i < inShape.Length - 1; i++)
            spatial *= inShape[i];
        Assert.Equal(type.EndsWith("1D", StringComparison.Ordinal) ? 3 : 4, inShape.Length);
        Assert.Equal([batch, channels], f.Shape("output"));

        Tolerance tol = Tolerance.For<T>();
        T[] x = f.Input<T>("input");
        T[] dy = f.Input<T>("grad_output");
        var y = new T[batch * channels];
        var dx = new T[x.Length];
        if (type.StartsWith("GlobalMax", StringComparison.Ordinal))
        {
            var argmax = new int[y.Length];
            Pooling.GlobalMaxForward<T>(x, y, argmax, batch, spatial, channels);
            tol.AssertClose<T>(y, f.Get("output"), $"{name} output");
            Pooling.GlobalMaxBackward<T>(dy, argmax, dx, batch, spatial, channels);
        }
        else
        {
            Assert.StartsWith("GlobalAverage", type, StringComparison.Ordinal);
            Pooling.GlobalAverageForward<T>(x, y, batch, spatial, channels);
            tol.AssertClose<T>(y, f.Get("output"), $"{name} output");
            Pooling.GlobalAverageBackward<T>(dy, dx, batch, spatial, channels);
        }
        tol.AssertClose<T>(dx, f.Get("grad_input"), $"{name} grad_input");
    }

    private static int[] Ints(string list) =>
        Array.ConvertAll(list.Split(','), s => int.Parse(s, CultureInfo.InvariantCulture));
}
