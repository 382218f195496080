using PureHDF;

namespace XcsCt.Host.Tests;

internal static class Nexus
{
    /// <summary>/entry/spectrum/counts of a result file.</summary>
    public static double[] ReadSummedSpectrum(string path)
    {
        using var file = H5File.OpenRead(path);
        return file.Dataset("/entry/spectrum/counts").Read<double[]>();
    }

    /// <summary>/entry/pixel_spectra of a result file, flattened [rows, cols, bins].</summary>
    public static uint[] ReadPixelSpectra(string path)
    {
        using var file = H5File.OpenRead(path);
        return file.Dataset("/entry/pixel_spectra").Read<uint[]>();
    }

    /// <summary>/entry/emf/emf of a result file, flattened [rows, cols].</summary>
    public static double[] ReadEmf(string path)
    {
        using var file = H5File.OpenRead(path);
        return file.Dataset("/entry/emf/emf").Read<double[]>();
    }
}
