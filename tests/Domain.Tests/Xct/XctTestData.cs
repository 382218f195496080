using System.Numerics;
using XcsCt.Domain.Xct;

namespace XcsCt.Domain.Tests.Xct;

/// <summary>Seeded random volumes and temporary directories for the XCT tests.</summary>
internal static class XctTestData
{
    public static Volume<T> Random<T>(VolumeShape shape, int seed, int maxValue) where T : unmanaged, INumber<T>
    {
        var rng = new Random(seed);
        var data = new T[shape.Voxels];
        for (int i = 0; i < data.Length; i++)
            data[i] = T.CreateTruncating(rng.Next(maxValue));
        return new Volume<T>(shape, data);
    }

    public static Volume<float> RandomFloat(VolumeShape shape, int seed)
    {
        var rng = new Random(seed);
        var data = new float[shape.Voxels];
        for (int i = 0; i < data.Length; i++)
            data[i] = (float)(rng.NextDouble() * 2 - 0.5);
        return new Volume<float>(shape, data);
    }

    /// <summary>Random binary mask with the given fraction of ones.</summary>
    public static Volume<byte> RandomMask(VolumeShape shape, int seed, double fraction)
    {
        var rng = new Random(seed);
        var data = new byte[shape.Voxels];
        for (int i = 0; i < data.Length; i++)
            data[i] = rng.NextDouble() < fraction ? (byte)1 : (byte)0;
        return new Volume<byte>(shape, data);
    }
}

/// <summary>A fresh directory under the system temp folder, deleted on dispose.</summary>
internal sealed class TempDir : IDisposable
{
    public TempDir() => Directory.CreateDirectory(Path);

    public string Path { get; } = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "xcsct-xct-" + Guid.NewGuid().ToString("N"));

    public string File(string name) => System.IO.Path.Combine(Path, name);

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
