using System.Text;

namespace NeuralDsl.Generator.Model;

/// <summary>A per-sample tensor shape (the batch dimension is implicit and leading).</summary>
internal sealed record Shape(EquatableArray<int> Dimensions)
{
    public Shape(params int[] dimensions) : this(new EquatableArray<int>(dimensions)) { }

    public int Rank => Dimensions.Count;

    public int Size
    {
        get
        {
            int size = 1;
            foreach (int d in Dimensions)
                size *= d;
            return size;
        }
    }

    /// <summary>The element count without overflow, for size limits on absurd declarations.</summary>
    public long LongSize
    {
        get
        {
            long size = 1;
            foreach (int d in Dimensions)
                size = System.Math.Min(size * d, long.MaxValue / int.MaxValue);
            return size;
        }
    }

    /// <summary>The last axis (the one Dense, Softmax and the losses act on).</summary>
    public int Last => Dimensions[Rank - 1];

    /// <summary>Product of every axis but the last: rows per sample when a layer acts on the last axis.</summary>
    public int LeadingSize => Size / Last;

    public Shape WithLast(int last)
    {
        int[] dims = new int[Rank];
        for (int i = 0; i < Rank - 1; i++)
            dims[i] = Dimensions[i];
        dims[Rank - 1] = last;
        return new Shape(dims);
    }

    /// <summary>Keras notation with the batch: <c>(None, 28, 10)</c>.</summary>
    public string ToKeras()
    {
        var sb = new StringBuilder("(None");
        foreach (int d in Dimensions)
            sb.Append(", ").Append(d.ToString(System.Globalization.CultureInfo.InvariantCulture));
        return sb.Append(')').ToString();
    }

    /// <summary>Bracket notation with a symbolic batch for comments: <c>[B,28,10]</c>.</summary>
    public string ToComment()
    {
        var sb = new StringBuilder("[B");
        foreach (int d in Dimensions)
            sb.Append(',').Append(d.ToString(System.Globalization.CultureInfo.InvariantCulture));
        return sb.Append(']').ToString();
    }

    /// <summary>Plain bracket notation without the batch: <c>[28, 10]</c>.</summary>
    public override string ToString() => "[" + string.Join(", ", Dimensions) + "]";

    public static string Format(EquatableArray<int> dims) => "[" + string.Join(", ", dims) + "]";

    public bool Equals(Shape? other) => other is not null && Dimensions.Equals(other.Dimensions);

    public override int GetHashCode() => Dimensions.GetHashCode();
}
