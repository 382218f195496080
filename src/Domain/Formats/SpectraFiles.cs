using System.Globalization;
using XcsCt.Domain.Detector;
using XcsCt.Domain.Spectra;

namespace XcsCt.Domain.Formats;

/// <summary>
/// Reads already-histogrammed pixel spectra (odin-data HDF5 or HexitecGigE <c>.hxt</c>) onto the
/// analysis' regular energy axis (ANALYSIS section 2: bins of width w from 0 keV).
/// </summary>
/// <remarks>
/// <para>Counts must be whole, non-negative numbers that fit a uint32 (they are event counts; spectra
/// that were already background-subtracted cannot be ingested as counts).</para>
/// <para>Bins are the files' lower edges; the last bin is as wide as the one before it. Edges are
/// nominal values, matched to a tolerance of <see cref="EdgeTolerance"/> (5 %) of the file's bin
/// width: odin's histogram plugin builds float32 edges by repeated addition, which drifts by ~1 % of
/// a 0.2 keV bin over 1000 bins.</para>
/// <para>Without an axis, the file's bins must be regular and start at a whole multiple of their width
/// (normally 0 keV); the axis is then [0, last upper edge) with that width, the width being the mean
/// spacing rounded to the fewest significant digits that keep the drift over all bins under half the
/// tolerance (0.199998 keV from float32 edges becomes 0.2 keV).</para>
/// <para>With an axis, counts are rebinned only where that is exact: every file bin must lie wholly
/// inside one axis bin (for example a 0.1 keV file onto a 0.2 keV axis, both from 0). A file bin that
/// straddles an axis edge would have to be split, which counts cannot be, so the file is rejected
/// naming that bin. Whole file bins below 0 keV or at or above the axis' upper end are counted as
/// underflow or overflow.</para>
/// <para>Spectra files carry no frame count: <see cref="PixelSpectra.Frames"/> is 0, and
/// <see cref="PixelSpectra.Events"/> has <c>In = Kept =</c> total counts.</para>
/// </remarks>
public static class SpectraFiles
{
    /// <summary>Relative tolerance on bin edges, as a fraction of the file's bin width.</summary>
    public const double EdgeTolerance = 0.05;

    /// <summary>Reads <c>.hxt</c> or odin spectra (<c>.h5</c>, <c>.hdf5</c>, <c>.nxs</c>) into raw form.</summary>
    public static SpectraFile Read(string path)
    {
        string ext = Path.GetExtension(path).ToLowerInvariant();
        if (ext == ".hxt") return HxtFile.Read(path).ToSpectraFile().Validated(Path.GetFullPath(path));
        if (FrameSources.HdfExtensions.Contains(ext)) return OdinSpectraFile.Read(path);
        throw new InputException($"spectra file {Path.GetFullPath(path)}: unknown extension '{ext}', expected .hxt (HexitecGigE) or {string.Join(", ", FrameSources.HdfExtensions)} (odin-data /{OdinSpectraFile.SpectraDataset})");
    }

    /// <summary>Reads a spectra file and puts it on <paramref name="axis"/> (or the file's own regular axis when null).</summary>
    /// <param name="path">An <c>.hxt</c> or odin HDF5 spectra file.</param>
    /// <param name="axis">Target axis; null keeps the file's bins (they must be regular and 0-based).</param>
    public static PixelSpectra ReadAsPixelSpectra(string path, HistogramAxis? axis = null) =>
        ToPixelSpectra(Read(path), Path.GetFullPath(path), axis);

    /// <summary>Puts raw spectra on a regular axis; see the type's remarks for the rules.</summary>
    /// <param name="spectra">Raw spectra.</param>
    /// <param name="source">Name used in error messages (the file).</param>
    /// <param name="axis">Target axis, or null for the file's own.</param>
    public static PixelSpectra ToPixelSpectra(SpectraFile spectra, string source, HistogramAxis? axis = null)
    {
        spectra.Validated(source);
        double[] lower = spectra.BinLowerEdgesKeV;
        int n = lower.Length;
        if (n < 2)
            throw new InputException($"spectra {source}: a single energy bin has no width; at least 2 bins are needed");
        var upper = new double[n];
        for (int i = 0; i < n; i++)
        {
            upper[i] = i + 1 < n ? lower[i + 1] : lower[i] + (lower[i] - lower[i - 1]);
            if (!(upper[i] > lower[i]))
                throw new InputException($"spectra {source}: bin edges must increase, but bin {i} starts at {lower[i]} keV and bin {i + 1} at {upper[i]} keV");
        }
        axis ??= OwnAxis(lower, upper, source);
        int[] target = MapBins(lower, upper, axis, source);
        return Accumulate(spectra, target, axis, source);
    }

    /// <summary>Target bin of each file bin: 0..Bins-1, <see cref="Under"/> or <see cref="Over"/>.</summary>
    private const int Under = -1, Over = -2;

    private static HistogramAxis OwnAxis(double[] lower, double[] upper, string source)
    {
        int n = lower.Length;
        double width = (lower[n - 1] - lower[0]) / (n - 1);
        for (int i = 0; i < n; i++)
        {
            double expected = lower[0] + i * width;
            if (Math.Abs(lower[i] - expected) > EdgeTolerance * width)
                throw new InputException($"spectra {source}: bins are not regular (bin {i} starts at {lower[i]} keV, a regular axis of width {width:G6} keV would put it at {expected:G6} keV); give an analysis axis to rebin onto");
        }
        width = Nominal(width, n);
        double startBins = lower[0] / width;
        if (Math.Abs(startBins - Math.Round(startBins)) > EdgeTolerance)
            throw new InputException($"spectra {source}: the first bin starts at {lower[0]} keV, not a whole multiple of the bin width {width} keV, so the bins do not fall on an axis from 0 keV; give an analysis axis to rebin onto");
        int bins = (int)Math.Round(upper[n - 1] / width);
        if (bins <= 0)
            throw new InputException($"spectra {source}: all bins lie below 0 keV (last upper edge {upper[n - 1]} keV)");
        return new HistogramAxis(width, bins);
    }

    /// <summary>Shortest decimal rounding of <paramref name="width"/> whose drift over <paramref name="bins"/> bins stays under half the tolerance.</summary>
    private static double Nominal(double width, int bins)
    {
        for (int digits = 1; digits <= 15; digits++)
        {
            double candidate = double.Parse(width.ToString("G" + digits, CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);
            if (Math.Abs(candidate - width) * bins <= EdgeTolerance * width / 2) return candidate;
        }
        return width;
    }

    private static int[] MapBins(double[] lower, double[] upper, HistogramAxis axis, string source)
    {
        double w = axis.BinWidthKeV;
        var target = new int[lower.Length];
        for (int i = 0; i < lower.Length; i++)
        {
            double tolerance = EdgeTolerance * (upper[i] - lower[i]) / w; // in units of axis bins
            double a = lower[i] / w, b = upper[i] / w;
            double j = Math.Floor(a + tolerance);
            if (b > j + 1 + tolerance)
                throw new InputException($"spectra {source}: file bin {i} [{lower[i]:G6}, {upper[i]:G6}) keV straddles the edge at {(j + 1) * w:G6} keV of the analysis axis ({w} keV bins from 0); counts cannot be split exactly, so choose a bin width that is a whole multiple of the file's, aligned with it");
            target[i] = j < 0 ? Under : j >= axis.Bins ? Over : (int)j;
        }
        return target;
    }

    private static PixelSpectra Accumulate(SpectraFile spectra, int[] target, HistogramAxis axis, string source)
    {
        var shape = spectra.Shape;
        int n = target.Length;
        var result = new PixelSpectra(shape, axis);
        uint[] counts = result.Counts;
        long total = 0, under = 0, over = 0;
        for (int p = 0; p < shape.Pixels; p++)
        {
            int from = p * n, to = p * axis.Bins;
            for (int i = 0; i < n; i++)
            {
                double c = spectra.Counts[from + i];
                if (c == 0) continue;
                if (!(c > 0) || c > uint.MaxValue || c != Math.Floor(c))
                    throw new InputException($"spectra {source}: count {c} at row {p / shape.Cols}, col {p % shape.Cols}, bin {i} is not a whole non-negative number below 2^32 (pixel spectra hold event counts)");
                ulong whole = (ulong)c;
                total += (long)whole;
                int t = target[i];
                if (t == Under) { under += (long)whole; continue; }
                if (t == Over) { over += (long)whole; continue; }
                ulong sum = counts[to + t] + whole;
                if (sum > uint.MaxValue)
                    throw new InputException($"spectra {source}: rebinned count at row {p / shape.Cols}, col {p % shape.Cols}, axis bin {t} exceeds 2^32");
                counts[to + t] = (uint)sum;
            }
        }
        result.Events = new EventCounts(In: total, Kept: total, Merged: 0, Discarded: 0, BelowThreshold: 0, Underflow: under, Overflow: over);
        return result;
    }
}
