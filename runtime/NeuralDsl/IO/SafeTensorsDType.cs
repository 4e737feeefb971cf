using System;

namespace NeuralDsl;

/// <summary>
/// Element types of the safetensors format, named as in the file header (<c>"F32"</c>, <c>"F64"</c>, ...).
/// The reader recognises all of these so it can validate any file; it converts values only for
/// <see cref="F32"/>, <see cref="F64"/> and <see cref="I64"/>.
/// </summary>
public enum SafeTensorsDType
{
    /// <summary>Boolean, one byte.</summary>
    Bool,
    /// <summary>Unsigned 8-bit integer.</summary>
    U8,
    /// <summary>Signed 8-bit integer.</summary>
    I8,
    /// <summary>Unsigned 16-bit integer.</summary>
    U16,
    /// <summary>Signed 16-bit integer.</summary>
    I16,
    /// <summary>IEEE half precision.</summary>
    F16,
    /// <summary>bfloat16 (the upper half of a float).</summary>
    BF16,
    /// <summary>Unsigned 32-bit integer.</summary>
    U32,
    /// <summary>Signed 32-bit integer.</summary>
    I32,
    /// <summary>IEEE single precision: what <see langword="float"/> models save.</summary>
    F32,
    /// <summary>Unsigned 64-bit integer.</summary>
    U64,
    /// <summary>Signed 64-bit integer (class labels, token ids).</summary>
    I64,
    /// <summary>IEEE double precision: what <see langword="double"/> models save.</summary>
    F64,
}

/// <summary>Header spellings and element sizes of <see cref="SafeTensorsDType"/>.</summary>
internal static class SafeTensorsDTypes
{
    /// <summary>Bytes per element.</summary>
    public static int SizeOf(SafeTensorsDType dtype) => dtype switch
    {
        SafeTensorsDType.Bool or SafeTensorsDType.U8 or SafeTensorsDType.I8 => 1,
        SafeTensorsDType.U16 or SafeTensorsDType.I16 or SafeTensorsDType.F16 or SafeTensorsDType.BF16 => 2,
        SafeTensorsDType.U32 or SafeTensorsDType.I32 or SafeTensorsDType.F32 => 4,
        SafeTensorsDType.U64 or SafeTensorsDType.I64 or SafeTensorsDType.F64 => 8,
        _ => throw new ArgumentOutOfRangeException(nameof(dtype), dtype, "Unknown safetensors dtype."),
    };

    /// <summary>The spelling used in the JSON header.</summary>
    public static string ToHeaderString(SafeTensorsDType dtype) => dtype switch
    {
        SafeTensorsDType.Bool => "BOOL",
        SafeTensorsDType.U8 => "U8",
        SafeTensorsDType.I8 => "I8",
        SafeTensorsDType.U16 => "U16",
        SafeTensorsDType.I16 => "I16",
        SafeTensorsDType.F16 => "F16",
        SafeTensorsDType.BF16 => "BF16",
        SafeTensorsDType.U32 => "U32",
        SafeTensorsDType.I32 => "I32",
        SafeTensorsDType.F32 => "F32",
        SafeTensorsDType.U64 => "U64",
        SafeTensorsDType.I64 => "I64",
        SafeTensorsDType.F64 => "F64",
        _ => throw new ArgumentOutOfRangeException(nameof(dtype), dtype, "Unknown safetensors dtype."),
    };

    /// <summary>Parses a header spelling; the format is case-sensitive, so only the exact upper-case names match.</summary>
    public static bool TryParse(string text, out SafeTensorsDType dtype)
    {
        switch (text)
        {
            case "BOOL": dtype = SafeTensorsDType.Bool; return true;
            case "U8": dtype = SafeTensorsDType.U8; return true;
            case "I8": dtype = SafeTensorsDType.I8; return true;
            case "U16": dtype = SafeTensorsDType.U16; return true;
            case "I16": dtype = SafeTensorsDType.I16; return true;
            case "F16": dtype = SafeTensorsDType.F16; return true;
            case "BF16": dtype = SafeTensorsDType.BF16; return true;
            case "U32": dtype = SafeTensorsDType.U32; return true;
            case "I32": dtype = SafeTensorsDType.I32; return true;
            case "F32": dtype = SafeTensorsDType.F32; return true;
            case "U64": dtype = SafeTensorsDType.U64; return true;
            case "I64": dtype = SafeTensorsDType.I64; return true;
            case "F64": dtype = SafeTensorsDType.F64; return true;
            default: dtype = default; return false;
        }
    }

    /// <summary>The dtype a model with element type <typeparamref name="T"/> saves and expects.</summary>
    public static SafeTensorsDType For<T>()
    {
        if (typeof(T) == typeof(float)) return SafeTensorsDType.F32;
        if (typeof(T) == typeof(double)) return SafeTensorsDType.F64;
        throw new NotSupportedException($"Element type {typeof(T).Name} is not supported: use float or double.");
    }
}
