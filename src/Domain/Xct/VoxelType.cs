using System.Numerics;
using System.Runtime.InteropServices;

namespace XcsCt.Domain.Xct;

/// <summary>Voxel storage types found in XCT volumes (TIFF stacks and HDF5 datasets).</summary>
public enum VoxelType
{
    UInt8,
    Int8,
    UInt16,
    Int16,
    UInt32,
    Int32,
    Float32,
    Float64,
}

/// <summary>Sizes, names and conversions of <see cref="VoxelType"/>.</summary>
public static class VoxelTypes
{
    /// <summary>Bytes per voxel.</summary>
    public static int Size(this VoxelType type) => type switch
    {
        VoxelType.UInt8 or VoxelType.Int8 => 1,
        VoxelType.UInt16 or VoxelType.Int16 => 2,
        VoxelType.UInt32 or VoxelType.Int32 or VoxelType.Float32 => 4,
        VoxelType.Float64 => 8,
        _ => throw new ArgumentOutOfRangeException(nameof(type), type, "unknown voxel type"),
    };

    /// <summary>True for the integer types (label volumes must be integers).</summary>
    public static bool IsInteger(this VoxelType type) => type is not (VoxelType.Float32 or VoxelType.Float64);

    /// <summary>Lower-case name as written in messages and metadata (uint16, float32, ...).</summary>
    public static string Name(this VoxelType type) => type.ToString().ToLowerInvariant();

    /// <summary>The voxel type of a .NET element type.</summary>
    public static VoxelType Of<T>() where T : unmanaged
    {
        if (typeof(T) == typeof(byte)) return VoxelType.UInt8;
        if (typeof(T) == typeof(sbyte)) return VoxelType.Int8;
        if (typeof(T) == typeof(ushort)) return VoxelType.UInt16;
        if (typeof(T) == typeof(short)) return VoxelType.Int16;
        if (typeof(T) == typeof(uint)) return VoxelType.UInt32;
        if (typeof(T) == typeof(int)) return VoxelType.Int32;
        if (typeof(T) == typeof(float)) return VoxelType.Float32;
        if (typeof(T) == typeof(double)) return VoxelType.Float64;
        throw new NotSupportedException($"{typeof(T).Name} is not a voxel type");
    }

    /// <summary>
    /// Converts voxels stored as <paramref name="type"/> in <paramref name="source"/> (native byte order)
    /// to <typeparamref name="T"/>, saturating at the target's range (NaN becomes 0 for integer targets).
    /// </summary>
    public static void Convert<T>(VoxelType type, ReadOnlySpan<byte> source, Span<T> destination)
        where T : unmanaged, INumber<T>
    {
        switch (type)
        {
            case VoxelType.UInt8: Convert(source, destination); break;
            case VoxelType.Int8: Convert(MemoryMarshal.Cast<byte, sbyte>(source), destination); break;
            case VoxelType.UInt16: Convert(MemoryMarshal.Cast<byte, ushort>(source), destination); break;
            case VoxelType.Int16: Convert(MemoryMarshal.Cast<byte, short>(source), destination); break;
            case VoxelType.UInt32: Convert(MemoryMarshal.Cast<byte, uint>(source), destination); break;
            case VoxelType.Int32: Convert(MemoryMarshal.Cast<byte, int>(source), destination); break;
            case VoxelType.Float32: Convert(MemoryMarshal.Cast<byte, float>(source), destination); break;
            case VoxelType.Float64: Convert(MemoryMarshal.Cast<byte, double>(source), destination); break;
            default: throw new ArgumentOutOfRangeException(nameof(type), type, "unknown voxel type");
        }
    }

    /// <summary>Element-wise saturating conversion; a plain copy when the types are the same.</summary>
    public static void Convert<TFrom, TTo>(ReadOnlySpan<TFrom> source, Span<TTo> destination)
        where TFrom : unmanaged, INumber<TFrom>
        where TTo : unmanaged, INumber<TTo>
    {
        if (destination.Length < source.Length)
            throw new ArgumentException($"destination holds {destination.Length} voxels, source has {source.Length}");
        if (typeof(TFrom) == typeof(TTo))
        {
            MemoryMarshal.Cast<TFrom, TTo>(source).CopyTo(destination);
            return;
        }
        for (int i = 0; i < source.Length; i++)
        {
            var v = source[i];
            destination[i] = TFrom.IsNaN(v) ? TTo.Zero : TTo.CreateSaturating(v);
        }
    }
}
