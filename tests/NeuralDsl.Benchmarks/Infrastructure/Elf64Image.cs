using System;
using System.Buffers.Binary;
using System.Collections.Generic;

namespace NeuralDsl.Benchmarks.Infrastructure;

/// <summary>
/// A minimal, bounds-checked reader of the parts of a little-endian ELF64 shared object that symbol versioning uses:
/// section headers, <c>.gnu.version_r</c> (Verneed/Vernaux), <c>.gnu.version_d</c> (Verdef), <c>.gnu.version</c>
/// (Versym), <c>.dynsym</c> and the REL/RELA tables. Every offset read from the file is validated against the file
/// and section bounds before use; a malformed file throws <see cref="FormatException"/>, never reads out of range.
/// </summary>
internal sealed class Elf64Image
{
    private const uint ShtRela = 4;
    private const uint ShtNoBits = 8;
    private const uint ShtRel = 9;
    private const uint ShtDynSym = 11;
    private const uint ShtGnuVerdef = 0x6ffffffd;
    private const uint ShtGnuVerneed = 0x6ffffffe;
    private const uint ShtGnuVersym = 0x6fffffff;

    /// <summary>Vernaux/Verdef flag: a missing version is not fatal to the dynamic loader.</summary>
    public const ushort VerFlagWeak = 0x2;

    private readonly byte[] _data;
    private readonly Section[] _sections;

    public Elf64Image(byte[] data)
    {
        _data = data;
        if (data.Length < 64 || data[0] != 0x7f || data[1] != (byte)'E' || data[2] != (byte)'L' || data[3] != (byte)'F')
            throw new FormatException("Not an ELF file.");
        if (data[4] != 2) throw new FormatException($"ELF class {data[4]} is not ELFCLASS64 (2).");
        if (data[5] != 1) throw new FormatException($"ELF data encoding {data[5]} is not little-endian (1).");
        if (data[6] != 1) throw new FormatException($"ELF identification version {data[6]} is not EV_CURRENT (1).");

        ulong shoff = ReadU64(0x28);
        ushort shentsize = ReadU16(0x3A);
        ushort shnum = ReadU16(0x3C);
        ushort shstrndx = ReadU16(0x3E);
        if (shnum == 0) throw new FormatException("The ELF file has no section headers (or more than 65279, which is not supported).");
        if (shentsize != 64) throw new FormatException($"Section header size {shentsize} is not 64.");
        CheckRange(shoff, (ulong)shnum * 64, "section header table");
        if (shstrndx >= shnum) throw new FormatException($"Section name table index {shstrndx} is out of range (0..{shnum - 1}).");

        _sections = new Section[shnum];
        for (int i = 0; i < shnum; i++)
        {
            int h = checked((int)shoff + i * 64);
            var s = new Section(
                Index: i,
                Type: ReadU32(h + 4),
                Offset: ReadU64(h + 0x18),
                Size: ReadU64(h + 0x20),
                Link: ReadU32(h + 0x28),
                Info: ReadU32(h + 0x2C),
                EntrySize: ReadU64(h + 0x38));
            if (s.Type != ShtNoBits && s.Type != 0) CheckRange(s.Offset, s.Size, $"section {i}");
            _sections[i] = s;
        }
    }

    /// <summary>One required version: the file that must define it, its name and where its flags live in the file.</summary>
    public sealed record VersionNeed(string File, string Name, ushort Flags, ushort Index, int FlagsFileOffset)
    {
        public bool IsWeak => (Flags & VerFlagWeak) != 0;
    }

    /// <summary>The entries of <c>.gnu.version_r</c>: every (library, version) pair this object requires.</summary>
    public List<VersionNeed> ReadVersionNeeds()
    {
        var result = new List<VersionNeed>();
        foreach (Section sec in _sections)
        {
            if (sec.Type != ShtGnuVerneed) continue;
            Section strtab = LinkedSection(sec);
            int start = (int)sec.Offset, end = checked((int)(sec.Offset + sec.Size));
            int entry = start;
            for (uint i = 0; i < sec.Info; i++)
            {
                CheckInside(entry, 16, start, end, "Verneed entry");
                ushort version = ReadU16(entry);
                if (version != 1) throw new FormatException($"Verneed version {version} at 0x{entry:x} is not 1.");
                ushort count = ReadU16(entry + 2);
                string file = ReadString(strtab, ReadU32(entry + 4));
                uint auxOffset = ReadU32(entry + 8);
                uint next = ReadU32(entry + 12);

                int aux = Advance(entry, auxOffset, end, "Vernaux");
                for (int j = 0; j < count; j++)
                {
                    CheckInside(aux, 16, start, end, "Vernaux entry");
                    ushort flags = ReadU16(aux + 4);
                    ushort other = ReadU16(aux + 6);
                    string name = ReadString(strtab, ReadU32(aux + 8));
                    uint auxNext = ReadU32(aux + 12);
                    result.Add(new VersionNeed(file, name, flags, other, aux + 4));
                    if (j < count - 1)
                    {
                        if (auxNext == 0) throw new FormatException($"Vernaux chain of '{file}' ends after {j + 1} of {count} entries.");
                        aux = Advance(aux, auxNext, end, "Vernaux");
                    }
                }

                if (i < sec.Info - 1)
                {
                    if (next == 0) throw new FormatException($"Verneed chain ends after {i + 1} of {sec.Info} entries.");
                    entry = Advance(entry, next, end, "Verneed");
                }
            }
        }

        return result;
    }

    /// <summary>The version names this object defines (<c>.gnu.version_d</c>), e.g. GLIBCXX_3.4.30 for libstdc++.</summary>
    public HashSet<string> ReadVersionDefinitions()
    {
        var result = new HashSet<string>(StringComparer.Ordinal);
        foreach (Section sec in _sections)
        {
            if (sec.Type != ShtGnuVerdef) continue;
            Section strtab = LinkedSection(sec);
            int start = (int)sec.Offset, end = checked((int)(sec.Offset + sec.Size));
            int entry = start;
            for (uint i = 0; i < sec.Info; i++)
            {
                CheckInside(entry, 20, start, end, "Verdef entry");
                ushort version = ReadU16(entry);
                if (version != 1) throw new FormatException($"Verdef version {version} at 0x{entry:x} is not 1.");
                ushort count = ReadU16(entry + 6);
                uint auxOffset = ReadU32(entry + 12);
                uint next = ReadU32(entry + 16);
                if (count > 0)
                {
                    int aux = Advance(entry, auxOffset, end, "Verdaux");
                    CheckInside(aux, 8, start, end, "Verdaux entry");
                    result.Add(ReadString(strtab, ReadU32(aux))); // the first Verdaux names the version itself
                }

                if (i < sec.Info - 1)
                {
                    if (next == 0) throw new FormatException($"Verdef chain ends after {i + 1} of {sec.Info} entries.");
                    entry = Advance(entry, next, end, "Verdef");
                }
            }
        }

        return result;
    }

    /// <summary>
    /// Names of the dynamic symbols bound to version index <paramref name="versionIndex"/> that some REL/RELA entry
    /// refers to. Empty means the dynamic loader never looks any symbol of that version up.
    /// </summary>
    public List<string> RelocatedSymbolsOfVersion(ushort versionIndex, out List<string> allSymbolsOfVersion)
    {
        allSymbolsOfVersion = new List<string>();
        var relocated = new List<string>();
        foreach (Section versym in _sections)
        {
            if (versym.Type != ShtGnuVersym) continue;
            Section dynsym = LinkedSection(versym);
            if (dynsym.Type != ShtDynSym) throw new FormatException($".gnu.version links to section {dynsym.Index} of type {dynsym.Type}, not SHT_DYNSYM.");
            if (dynsym.EntrySize != 24) throw new FormatException($".dynsym entry size {dynsym.EntrySize} is not 24.");
            Section dynstr = LinkedSection(dynsym);
            ulong symbolCount = dynsym.Size / 24;
            if (versym.Size != symbolCount * 2)
                throw new FormatException($".gnu.version has {versym.Size / 2} entries but .dynsym has {symbolCount}.");

            var ofVersion = new HashSet<uint>();
            for (uint s = 0; s < symbolCount; s++)
            {
                ushort v = ReadU16(checked((int)versym.Offset + (int)s * 2));
                if ((v & 0x7fff) != versionIndex) continue;
                ofVersion.Add(s);
                allSymbolsOfVersion.Add(SymbolName(dynsym, dynstr, s));
            }

            foreach (Section rel in _sections)
            {
                if ((rel.Type != ShtRela && rel.Type != ShtRel) || rel.Link != (uint)dynsym.Index) continue;
                ulong entSize = rel.Type == ShtRela ? 24UL : 16UL;
                if (rel.EntrySize != entSize) throw new FormatException($"Relocation section {rel.Index} has entry size {rel.EntrySize}, expected {entSize}.");
                ulong count = rel.Size / entSize;
                for (ulong r = 0; r < count; r++)
                {
                    ulong info = ReadU64(checked((int)(rel.Offset + r * entSize) + 8));
                    uint sym = (uint)(info >> 32);
                    if (sym >= symbolCount) throw new FormatException($"Relocation {r} of section {rel.Index} names symbol {sym}, beyond .dynsym ({symbolCount}).");
                    if (ofVersion.Contains(sym)) relocated.Add(SymbolName(dynsym, dynstr, sym));
                }
            }
        }

        return relocated;
    }

    private string SymbolName(Section dynsym, Section dynstr, uint index) =>
        ReadString(dynstr, ReadU32(checked((int)dynsym.Offset + (int)index * 24)));

    private Section LinkedSection(Section sec)
    {
        if (sec.Link == 0 || sec.Link >= (uint)_sections.Length)
            throw new FormatException($"Section {sec.Index} links to section {sec.Link}, which does not exist.");
        Section linked = _sections[sec.Link];
        if (linked.Type == ShtNoBits || linked.Type == 0) throw new FormatException($"Section {sec.Index} links to section {linked.Index}, which has no file contents.");
        return linked;
    }

    private string ReadString(Section strtab, uint offset)
    {
        if (offset >= strtab.Size) throw new FormatException($"String offset {offset} is outside its string table ({strtab.Size} bytes).");
        int start = (int)strtab.Offset + (int)offset;
        int limit = (int)(strtab.Offset + strtab.Size);
        int nul = Array.IndexOf(_data, (byte)0, start, limit - start);
        if (nul < 0) throw new FormatException($"String at offset {offset} is not NUL-terminated inside its string table.");
        return System.Text.Encoding.ASCII.GetString(_data, start, nul - start);
    }

    private void CheckRange(ulong offset, ulong size, string what)
    {
        if (offset > (ulong)_data.Length || size > (ulong)_data.Length - offset)
            throw new FormatException($"The {what} (offset {offset}, {size} bytes) extends beyond the file ({_data.Length} bytes).");
    }

    private static void CheckInside(int offset, int size, int start, int end, string what)
    {
        if (offset < start || offset > end - size)
            throw new FormatException($"{what} at 0x{offset:x} ({size} bytes) is outside its section [0x{start:x}, 0x{end:x}).");
    }

    private static int Advance(int from, uint delta, int end, string what)
    {
        long to = (long)from + delta;
        if (to >= end) throw new FormatException($"{what} link 0x{delta:x} from 0x{from:x} points beyond its section end 0x{end:x}.");
        return (int)to;
    }

    private ushort ReadU16(int offset) => BinaryPrimitives.ReadUInt16LittleEndian(_data.AsSpan(offset, 2));

    private uint ReadU32(int offset) => BinaryPrimitives.ReadUInt32LittleEndian(_data.AsSpan(offset, 4));

    private ulong ReadU64(int offset) => BinaryPrimitives.ReadUInt64LittleEndian(_data.AsSpan(offset, 8));

    private readonly record struct Section(int Index, uint Type, ulong Offset, ulong Size, uint Link, uint Info, ulong EntrySize);
}
