using System;
using System.Buffers.Binary;
using System.Text;

namespace NeuralDsl.Tests.IO;

/// <summary>Builds safetensors bytes by hand, so tests can write headers no correct writer would produce.</summary>
internal static class RawSafeTensors
{
    /// <summary>The 8-byte length, <paramref name="headerJson"/> padded with spaces to a multiple of 8, then <paramref name="data"/>.</summary>
    public static byte[] Build(string headerJson, ReadOnlySpan<byte> data)
    {
        byte[] json = Encoding.UTF8.GetBytes(headerJson);
        int padded = (json.Length + 7) & ~7;
        var bytes = new byte[8 + padded + data.Length];
        BinaryPrimitives.WriteUInt64LittleEndian(bytes, (ulong)padded);
        json.CopyTo(bytes, 8);
        bytes.AsSpan(8 + json.Length, padded - json.Length).Fill((byte)' ');
        data.CopyTo(bytes.AsSpan(8 + padded));
        return bytes;
    }

    /// <summary><paramref name="count"/> bytes of data (their values do not matter to header validation).</summary>
    public static byte[] Data(int count)
    {
        var data = new byte[count];
        for (int i = 0; i < count; i++) data[i] = (byte)(i * 7 + 1);
        return data;
    }
}
