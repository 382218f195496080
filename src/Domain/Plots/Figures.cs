using System.Globalization;
using ScottPlot;
using SkiaSharp;
using XcsCt.Domain.Formats.Output;

namespace XcsCt.Domain.Plots;

/// <summary>
/// The PNG figures of FORMATS (Outputs): <c>spectrum.png</c>, <c>profile.png</c>,
/// <c>emf_map.png</c> per scan and <c>series.png</c> per experiment. Rendered headless with
/// ScottPlot 5 on SkiaSharp; each file is written under a temporary name and renamed.
/// </summary>
public static class Figures
{
    /// <summary>Figure size, pixels.</summary>
    public const int Width = 1200, Height = 750;

    /// <summary>Size of the square EMF map figure, pixels.</summary>
    public const int MapSize = 900;

    /// <summary>Width of the EMF map figure, pixels: the square map plus the y axis and the colour bar.</summary>
    public const int MapWidth = 960;

    /// <summary>Smallest count drawn on the log axis: empty bins sit at this floor instead of minus infinity.</summary>
    public const double LogFloorCounts = 0.5;

    /// <summary>Fraction of the spectrum's height kept above the data for the line labels.</summary>
    private const double LabelBand = 0.17;

    private static readonly Color[] Palette =
    [
        Color.FromHex("#1f77b4"), Color.FromHex("#d62728"), Color.FromHex("#2ca02c"), Color.FromHex("#ff7f0e"),
        Color.FromHex("#9467bd"), Color.FromHex("#8c564b"), Color.FromHex("#e377c2"), Color.FromHex("#17becf"),
        Color.FromHex("#7f7f7f"), Color.FromHex("#bcbd22"),
    ];

    /// <summary>Colours of component outlines on the EMF map, chosen to stand out on viridis.</summary>
    private static readonly Color[] OutlineColours =
    [
        Color.FromHex("#ff2020"), Color.FromHex("#00d0ff"), Color.FromHex("#ff00ff"), Color.FromHex("#ff9900"),
        Color.FromHex("#ffffff"), Color.FromHex("#00ff40"), Color.FromHex("#000000"), Color.FromHex("#8080ff"),
    ];

    /// <summary>
    /// <c>spectrum.png</c>: counts (log scale) against energy, with the Compton, elastic, W and Pb
    /// fluorescence and Cd/Te escape lines of <paramref name="lines"/> marked and labelled.
    /// </summary>
    /// <param name="path">Output file.</param>
    /// <param name="energyKeV">Bin centres, keV.</param>
    /// <param name="counts">Counts per bin (summed spectrum), same length.</param>
    /// <param name="lines">Lines to mark, e.g. <see cref="SpectrumLines.ForBeam"/>.</param>
    /// <param name="title">Title, e.g. "experiment / scan"; none when null.</param>
    public static void Spectrum(string path, double[] energyKeV, double[] counts, SpectrumLines lines, string? title = null)
    {
        RequireSameLength(energyKeV, counts, "spectrum", "energy", "counts");
        if (energyKeV.Length == 0) throw new InputException("spectrum figure: no bins to plot");
        var plot = NewPlot(title ?? "Summed spectrum");

        double max = LogFloorCounts;
        int first = -1;
        var logCounts = new double[counts.Length];
        for (int i = 0; i < counts.Length; i++)
        {
            double c = counts[i];
            if (c > 0 && first < 0) first = i;
            if (c > max) max = c;
            logCounts[i] = Math.Log10(c > LogFloorCounts ? c : LogFloorCounts);
        }
        var markers = lines.Markers();
        double lowestLine = markers.Min(m => m.EnergiesKeV.Min());
        double xMin = Math.Max(energyKeV[0], Math.Max(lowestLine - 15, first >= 0 ? energyKeV[first] - 2 : 0));
        double xMax = Math.Min(energyKeV[^1], lines.ElasticKeV + 15);
        if (!(xMax > xMin)) (xMin, xMax) = (energyKeV[0], energyKeV[^1]);
        // Log axis: the data and line markers fill the lower part, the labels stand above the highest count.
        double yMin = Math.Log10(LogFloorCounts), yDataTop = Math.Max(Math.Log10(max) + 0.15, 1.0); // at least up to 10 counts
        double yMax = yMin + (yDataTop - yMin) / (1 - LabelBand);

        var data = plot.Add.ScatterLine(energyKeV, logCounts, Color.FromHex("#202020"));
        data.LineWidth = 1.2f;
        data.ConnectStyle = ConnectStyle.StepHorizontal;
        data.LegendText = "counts";

        var familyShown = new HashSet<LineFamily>();
        foreach (var marker in markers)
        {
            var colour = FamilyColour(marker.Family);
            foreach (double e in marker.EnergiesKeV)
            {
                var line = plot.Add.Line(e, yMin, e, yDataTop);
                line.LineColor = colour;
                line.LineWidth = 1.3f;
                line.MarkerSize = 0;
                line.LinePattern = marker.Family is LineFamily.Compton or LineFamily.Elastic ? LinePattern.Solid : LinePattern.Dashed;
                line.LegendText = familyShown.Add(marker.Family) ? FamilyName(marker.Family) : "";
            }
            var label = plot.Add.Text(marker.Label, marker.EnergiesKeV.Average(), yDataTop);
            label.LabelFontColor = colour;
            label.LabelFontSize = 13;
            label.LabelRotation = -90;
            label.LabelAlignment = Alignment.MiddleLeft;
            label.OffsetY = -3;
        }

        plot.Axes.SetLimits(xMin, xMax, yMin, yMax);
        LogTicks(plot.Axes.Left);
        plot.XLabel("Energy (keV)");
        plot.YLabel(energyKeV.Length > 1
            ? $"Counts per {Format(energyKeV[1] - energyKeV[0])} keV bin"
            : "Counts per bin");
        plot.ShowLegend(Alignment.LowerLeft); // the low-energy background leaves this corner empty; the labels use the top
        Save(plot, path, Width, Height);
    }

    /// <summary>
    /// <c>profile.png</c>: J(pz) of the summed spectrum with the EMF windows shaded, L = [lo, hi]
    /// and H = [-outer, -inner] U [inner, outer] (ANALYSIS 5).
    /// </summary>
    /// <param name="path">Output file.</param>
    /// <param name="pz">Electron momentum, atomic units.</param>
    /// <param name="j">J(pz), same length.</param>
    /// <param name="low">Core window L, a.u. (default [-1, 1]).</param>
    /// <param name="high">Wing window H as |pz| bounds, a.u. (default 1 to 5).</param>
    /// <param name="title">Title; a default when null.</param>
    public static void Profile(string path, double[] pz, double[] j, (double Lo, double Hi) low, (double Inner, double Outer) high, string? title = null)
    {
        RequireSameLength(pz, j, "profile", "pz", "J");
        if (pz.Length == 0) throw new InputException("profile figure: no points to plot");
        if (!(low.Hi > low.Lo) || !(high.Outer > high.Inner) || high.Inner < 0)
            throw new InputException($"profile figure: windows must be L = [lo, hi] with lo < hi and H = inner..outer with 0 <= inner < outer, found L = [{low.Lo}, {low.Hi}], H = {high.Inner}..{high.Outer}");
        var plot = NewPlot(title ?? "Compton profile of the summed spectrum");

        var lowColour = Color.FromHex("#1f77b4").WithAlpha(0.22);
        var highColour = Color.FromHex("#ff7f0e").WithAlpha(0.22);
        var l = plot.Add.HorizontalSpan(low.Lo, low.Hi, lowColour);
        l.LegendText = $"L window [{Format(low.Lo)}, {Format(low.Hi)}]";
        l.LineWidth = 0;
        var h1 = plot.Add.HorizontalSpan(-high.Outer, -high.Inner, highColour);
        h1.LegendText = $"H window {Format(high.Inner)} < |pz| < {Format(high.Outer)}";
        h1.LineWidth = 0;
        var h2 = plot.Add.HorizontalSpan(high.Inner, high.Outer, highColour);
        h2.LineWidth = 0;

        double jMax = 0, xLo = double.PositiveInfinity, xHi = double.NegativeInfinity;
        for (int i = 0; i < pz.Length; i++)
        {
            if (double.IsFinite(j[i])) jMax = Math.Max(jMax, j[i]);
            if (double.IsFinite(pz[i])) { xLo = Math.Min(xLo, pz[i]); xHi = Math.Max(xHi, pz[i]); }
        }
        var curve = plot.Add.Scatter(pz, j, Color.FromHex("#202020"));
        curve.LineWidth = 1.5f;
        curve.MarkerSize = 4;
        curve.LegendText = "J(pz)";
        plot.Add.VerticalLine(0, 1, Color.FromHex("#808080"), LinePattern.Dotted);

        double span = 1.6 * high.Outer;
        plot.Axes.SetLimits(Math.Max(xLo, -span), Math.Min(xHi, span), 0, jMax > 0 ? jMax * 1.08 : 1);
        plot.XLabel("Electron momentum pz (a.u.)");
        plot.YLabel("J(pz)");
        plot.ShowLegend(Alignment.UpperRight);
        Save(plot, path, Width, Height);
    }

    /// <summary>
    /// <c>emf_map.png</c>: the EMF map as a colour map (viridis) with a colour bar, axes in mm
    /// (pixel centres (i + 0.5) * pitch, row 0 at the bottom as in <c>result.nxs</c>), pixels without
    /// an EMF in grey, and each component outlined where its mask crosses 0.5.
    /// </summary>
    /// <param name="path">Output file.</param>
    /// <param name="rows">Map rows.</param>
    /// <param name="cols">Map columns.</param>
    /// <param name="emf">EMF, rows*cols row-major, NaN where undefined.</param>
    /// <param name="pitchMm">Pixel pitch, mm.</param>
    /// <param name="outlines">Component names and masks (rows*cols, [0, 1], NaN unknown).</param>
    /// <param name="title">Title; a default when null.</param>
    public static void EmfMap(string path, int rows, int cols, double[] emf, double pitchMm, IReadOnlyList<(string Name, float[] Mask)> outlines, string? title = null)
    {
        if (rows <= 0 || cols <= 0 || emf.Length != rows * cols)
            throw new InputException($"EMF map figure: emf must hold rows*cols = {rows} x {cols} values, found {emf.Length}");
        if (!(pitchMm > 0)) throw new InputException($"EMF map figure: pitch must be a positive number of mm, found {pitchMm}");
        var plot = NewPlot(title ?? "EMF map");

        var grid = new double[rows, cols];
        var finite = new List<double>(emf.Length);
        for (int r = 0; r < rows; r++)
            for (int c = 0; c < cols; c++)
            {
                double v = emf[r * cols + c];
                grid[r, c] = double.IsFinite(v) ? v : double.NaN;
                if (double.IsFinite(v)) finite.Add(v);
            }
        if (finite.Count > 0)
        {
            var heatmap = plot.Add.Heatmap(grid);
            heatmap.Colormap = new ScottPlot.Colormaps.Viridis();
            heatmap.NaNCellColor = NaNGrey;
            heatmap.FlipVertically = true; // row 0 at the bottom: y grows with the row index, as the y axis of result.nxs
            heatmap.Rectangle = new CoordinateRect(0, cols * pitchMm, 0, rows * pitchMm);
            var (lo, hi) = ColourRange(finite);
            heatmap.ManualRange = new ScottPlot.Range(lo, hi);
            var bar = plot.Add.ColorBar(heatmap);
            bar.Label = "EMF";
            bar.LabelStyle.FontSize = 16;
        }
        else
        {
            // No pixel has an EMF: the whole detector is grey (a heatmap needs at least one value for its colour range).
            var blank = plot.Add.Rectangle(0, cols * pitchMm, 0, rows * pitchMm);
            blank.FillColor = NaNGrey;
            blank.LineWidth = 0;
            plot.Add.Annotation("no pixel has an EMF (too few counts in the high window)");
        }

        for (int k = 0; k < outlines.Count; k++)
        {
            var (name, mask) = outlines[k];
            if (mask.Length != rows * cols)
                throw new InputException($"EMF map figure: mask of '{name}' must hold rows*cols = {rows} x {cols} values, found {mask.Length}");
            var colour = OutlineColours[k % OutlineColours.Length];
            bool first = true;
            foreach (var loop in MaskContour.Loops(rows, cols, mask))
            {
                var xs = new double[loop.Length];
                var ys = new double[loop.Length];
                for (int i = 0; i < loop.Length; i++)
                {
                    xs[i] = (loop[i].X + 0.5) * pitchMm;
                    ys[i] = (loop[i].Y + 0.5) * pitchMm;
                }
                var line = plot.Add.ScatterLine(xs, ys, colour);
                line.LineWidth = 2.2f;
                line.LegendText = first ? name : "";
                first = false;
            }
        }
        if (finite.Count < emf.Length)
        {
            var nan = plot.Add.Marker(double.NaN, double.NaN, MarkerShape.FilledSquare, 12, NaNGrey);
            nan.LegendText = "no EMF";
        }

        plot.Axes.SetLimits(0, cols * pitchMm, 0, rows * pitchMm);
        plot.Axes.SquareUnits();
        plot.XLabel("x (mm)");
        plot.YLabel("y (mm)");
        if (outlines.Count > 0 || finite.Count < emf.Length)
        {
            plot.ShowLegend(Edge.Bottom);
        }
        Save(plot, path, MapWidth, MapSize);
    }

    /// <summary>
    /// <c>series.png</c>: EMF per component (and depth) against time with 1-sigma error bars; a
    /// second panel shows the lithium fraction x where it is calibrated (ANALYSIS 8).
    /// </summary>
    /// <param name="path">Output file.</param>
    /// <param name="rows">Series rows (scan x component).</param>
    /// <param name="title">Title; a default when null.</param>
    public static void Series(string path, IReadOnlyList<SeriesRow> rows, string? title = null)
    {
        if (rows.Count == 0) throw new InputException("series figure: no rows to plot");
        double maxTime = rows.Max(r => double.IsFinite(r.TimeS) ? r.TimeS : 0);
        var (unit, scale) = maxTime >= 7200 ? ("h", 3600.0) : maxTime >= 120 ? ("min", 60.0) : ("s", 1.0);
        var components = rows.Select(r => r.Component).Distinct().Order(StringComparer.Ordinal).ToList();
        var depths = rows.Select(r => r.ZUm).Distinct().Order().ToList();
        bool manyDepths = depths.Count > 1;
        var groups = rows.GroupBy(r => (r.Component, r.ZUm)).OrderBy(g => g.Key.Component, StringComparer.Ordinal).ThenBy(g => g.Key.ZUm).ToList();
        bool hasX = rows.Any(r => r.X is double x && double.IsFinite(x));

        var emfPlot = NewPlot(title ?? "EMF per component");
        var xPlot = hasX ? NewPlot("Lithium fraction x per component") : null;
        for (int g = 0; g < groups.Count; g++)
        {
            var ordered = groups[g].OrderBy(r => r.TimeS).ToArray();
            // Colour tells the component, marker and line pattern the depth, the same in both panels.
            var colour = Palette[components.IndexOf(groups[g].Key.Component) % Palette.Length];
            int depth = depths.IndexOf(groups[g].Key.ZUm);
            var style = (Marker: DepthMarkers[depth % DepthMarkers.Length], Pattern: depth % 2 == 0 ? LinePattern.Solid : LinePattern.Dashed);
            string name = manyDepths ? $"{groups[g].Key.Component}, z = {Format(groups[g].Key.ZUm)} µm" : groups[g].Key.Component;
            AddSeries(emfPlot, ordered.Select(r => r.TimeS / scale).ToArray(), ordered.Select(r => r.Emf).ToArray(),
                ordered.Select(r => r.EmfSigma).ToArray(), colour, style, name);
            if (xPlot is not null && ordered.Any(r => r.X is double v && double.IsFinite(v)))
                AddSeries(xPlot, ordered.Select(r => r.TimeS / scale).ToArray(), ordered.Select(r => r.X ?? double.NaN).ToArray(),
                    ordered.Select(r => r.XSigma ?? double.NaN).ToArray(), colour, style, name);
        }
        var times = rows.Where(r => double.IsFinite(r.TimeS)).Select(r => r.TimeS / scale).DefaultIfEmpty(0).ToArray();
        double tLo = times.Min(), tHi = times.Max(), margin = tHi > tLo ? 0.05 * (tHi - tLo) : 1;
        emfPlot.Axes.AutoScale();
        emfPlot.Axes.SetLimitsX(tLo - margin, tHi + margin);
        emfPlot.XLabel($"Time ({unit})");
        emfPlot.YLabel("EMF");
        emfPlot.ShowLegend(Alignment.UpperRight);
        if (xPlot is null)
        {
            Save(emfPlot, path, Width, Height);
            return;
        }
        xPlot.Axes.AutoScale();
        xPlot.Axes.SetLimitsX(tLo - margin, tHi + margin);
        xPlot.XLabel($"Time ({unit})");
        xPlot.YLabel("Li fraction x");
        xPlot.ShowLegend(Alignment.UpperRight);

        // Each panel is rendered on its own (a ScottPlot render clears its whole canvas), then stacked.
        int panel = Height - 75, height = 2 * panel;
        using var surface = SKSurface.Create(new SKImageInfo(Width, height));
        surface.Canvas.Clear(SKColors.White);
        using (var top = SKBitmap.Decode(emfPlot.GetImageBytes(Width, panel, ImageFormat.Png)))
            surface.Canvas.DrawBitmap(top, 0, 0);
        using (var bottom = SKBitmap.Decode(xPlot.GetImageBytes(Width, panel, ImageFormat.Png)))
            surface.Canvas.DrawBitmap(bottom, 0, panel);
        using var image = surface.Snapshot();
        using var png = image.Encode(SKEncodedImageFormat.Png, 100);
        var bytes = png.ToArray();
        AtomicFile.Write(path, temporary => File.WriteAllBytes(temporary, bytes));
    }

    private static readonly MarkerShape[] DepthMarkers =
        [MarkerShape.FilledCircle, MarkerShape.FilledSquare, MarkerShape.FilledTriangleUp, MarkerShape.FilledDiamond, MarkerShape.OpenCircle, MarkerShape.OpenSquare];

    private static void AddSeries(Plot plot, double[] t, double[] y, double[] sigma, Color colour, (MarkerShape Marker, LinePattern Pattern) style, string name)
    {
        // Undefined points are left out so a missing scan does not draw a line to NaN.
        var keep = Enumerable.Range(0, t.Length).Where(i => double.IsFinite(t[i]) && double.IsFinite(y[i])).ToArray();
        if (keep.Length == 0) return;
        var ts = keep.Select(i => t[i]).ToArray();
        var ys = keep.Select(i => y[i]).ToArray();
        var es = keep.Select(i => double.IsFinite(sigma[i]) ? sigma[i] : 0).ToArray();
        var bars = plot.Add.ErrorBar(ts, ys, es);
        bars.LineColor = colour;
        bars.LineWidth = 1.5f;
        var points = plot.Add.Scatter(ts, ys, colour);
        points.LineWidth = 1.5f;
        points.MarkerSize = 9;
        points.MarkerShape = style.Marker;
        points.LinePattern = style.Pattern;
        points.LegendText = name;
    }

    private static readonly Color NaNGrey = Color.FromHex("#b0b0b0");

    /// <summary>Colour range of the map: the 1st to 99th percentile of the defined values, so one hot pixel does not wash out the map.</summary>
    internal static (double Lo, double Hi) ColourRange(List<double> finite)
    {
        var sorted = finite.ToArray();
        Array.Sort(sorted);
        double lo = sorted[(int)Math.Floor(0.01 * (sorted.Length - 1))];
        double hi = sorted[(int)Math.Ceiling(0.99 * (sorted.Length - 1))];
        if (!(hi > lo))
        {
            double pad = Math.Max(Math.Abs(lo) * 0.01, 1e-6);
            (lo, hi) = (lo - pad, hi + pad);
        }
        return (lo, hi);
    }

    private static Plot NewPlot(string title)
    {
        var plot = new Plot();
        plot.Font.Set("DejaVu Sans");
        plot.Title(title, 20);
        plot.Axes.Bottom.Label.FontSize = 17;
        plot.Axes.Left.Label.FontSize = 17;
        plot.Axes.Bottom.TickLabelStyle.FontSize = 14;
        plot.Axes.Left.TickLabelStyle.FontSize = 14;
        plot.Legend.FontSize = 14;
        return plot;
    }

    /// <summary>Decade ticks labelled 10ⁿ with log-spaced minor ticks, for data plotted as log10(value).</summary>
    private static void LogTicks(IAxis axis)
    {
        axis.TickGenerator = new ScottPlot.TickGenerators.NumericAutomatic
        {
            IntegerTicksOnly = true,
            MinorTickGenerator = new ScottPlot.TickGenerators.LogMinorTickGenerator(),
            LabelFormatter = PowerOfTen,
        };
    }

    private static string PowerOfTen(double exponent)
    {
        int n = (int)Math.Round(exponent);
        const string superscripts = "⁰¹²³⁴⁵⁶⁷⁸⁹";
        var digits = Math.Abs(n).ToString(CultureInfo.InvariantCulture).Select(d => superscripts[d - '0']);
        return "10" + (n < 0 ? "⁻" : "") + string.Concat(digits);
    }

    private static Color FamilyColour(LineFamily family) => family switch
    {
        LineFamily.Compton => Color.FromHex("#d62728"),
        LineFamily.Elastic => Color.FromHex("#1f77b4"),
        LineFamily.Tungsten => Color.FromHex("#2ca02c"),
        LineFamily.Lead => Color.FromHex("#9467bd"),
        LineFamily.Escape => Color.FromHex("#ff7f0e"),
        _ => throw new ArgumentOutOfRangeException(nameof(family), family, "unknown line family"),
    };

    private static string FamilyName(LineFamily family) => family switch
    {
        LineFamily.Compton => "Compton line E_C",
        LineFamily.Elastic => "elastic line E1",
        LineFamily.Tungsten => "W K fluorescence",
        LineFamily.Lead => "Pb K fluorescence",
        LineFamily.Escape => "Cd/Te K escape of E1",
        _ => throw new ArgumentOutOfRangeException(nameof(family), family, "unknown line family"),
    };

    private static void RequireSameLength(double[] a, double[] b, string figure, string aName, string bName)
    {
        if (a.Length != b.Length)
            throw new InputException($"{figure} figure: {aName} and {bName} must have the same length, found {a.Length} and {b.Length}");
    }

    private static string Format(double v) => v.ToString("0.###", CultureInfo.InvariantCulture);

    private static void Save(Plot plot, string path, int width, int height)
    {
        var bytes = plot.GetImageBytes(width, height, ImageFormat.Png);
        AtomicFile.Write(path, temporary => File.WriteAllBytes(temporary, bytes));
    }
}
