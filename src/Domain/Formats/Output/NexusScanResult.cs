using System.Text.Json;
using XcsCt.Domain.Detector;

namespace XcsCt.Domain.Formats.Output;

/// <summary>
/// Everything <c>result.nxs</c> holds for one scan (FORMATS, Outputs), as plain arrays so that the
/// writer depends on no analysis type. Maps are row-major <c>[row * cols + col]</c>; row 0 is the
/// first detector row. Validate with <see cref="Validate"/> (the writer does).
/// </summary>
/// <param name="Experiment">Experiment id, e.g. <c>ee-2024-lib-nmc811</c>.</param>
/// <param name="Scan">Scan id, e.g. <c>s000</c>.</param>
/// <param name="Shape">Detector grid of the maps (after any spatial binning).</param>
/// <param name="PitchMm">Pixel pitch of the maps, mm (0.25 for HEXITEC; k x 0.25 after k x k binning).</param>
/// <param name="Emf">EMF per pixel (ANALYSIS 5), rows*cols, NaN where undefined.</param>
/// <param name="EmfSigma">Standard uncertainty of <paramref name="Emf"/>, rows*cols, NaN where undefined.</param>
/// <param name="Counts">Events per pixel in the |pz| &lt; 5 window (fractional bins), rows*cols.</param>
/// <param name="SpectrumCounts">Spectrum summed over all pixels, counts per bin, <paramref name="Bins"/> values.</param>
/// <param name="EnergyKeV">Bin centres of the spectrum, keV, <paramref name="Bins"/> values.</param>
/// <param name="Pz">Electron momentum of the profile points, atomic units.</param>
/// <param name="J">Compton profile J(pz) of the summed spectrum (ANALYSIS 5, "Profile"), same length as <paramref name="Pz"/>.</param>
/// <param name="PixelSpectra">Per-pixel histograms <c>[(row * cols + col) * bins + bin]</c> (the layout of <c>PixelSpectra.Counts</c>).</param>
/// <param name="Bins">Number of energy bins.</param>
/// <param name="Components">Component masks and their region EMF (ANALYSIS 5 "Regions", 6, 7).</param>
/// <param name="Process">Provenance: program, version, date, configuration, input checksums.</param>
public sealed record NexusScanResult(
    string Experiment, string Scan, DetectorShape Shape, double PitchMm,
    double[] Emf, double[] EmfSigma, double[] Counts,
    double[] SpectrumCounts, double[] EnergyKeV, double[] Pz, double[] J,
    uint[] PixelSpectra, int Bins,
    IReadOnlyList<NexusComponent> Components, NexusProcessInfo Process)
{
    /// <summary>Checks every length and name; throws <see cref="InputException"/> naming the field, what was expected and what was found.</summary>
    public void Validate()
    {
        RequireId(Experiment, "experiment");
        RequireId(Scan, "scan");
        if (!(PitchMm > 0) || double.IsInfinity(PitchMm))
            throw new InputException($"result of {Experiment}/{Scan}: pixel pitch must be a positive number of mm, found {PitchMm}");
        int pixels = Shape.Pixels;
        RequireLength(Emf, pixels, "emf", "rows*cols");
        RequireLength(EmfSigma, pixels, "emf_sigma", "rows*cols");
        RequireLength(Counts, pixels, "counts", "rows*cols");
        if (Bins <= 0)
            throw new InputException($"result of {Experiment}/{Scan}: bin count must be positive, found {Bins}");
        RequireLength(SpectrumCounts, Bins, "spectrum/counts", "bins");
        RequireLength(EnergyKeV, Bins, "spectrum/energy", "bins");
        RequireLength(J, Pz.Length, "profile/J", "the length of profile/pz");
        if ((long)pixels * Bins != PixelSpectra.LongLength)
            throw new InputException($"result of {Experiment}/{Scan}: pixel_spectra must hold rows*cols*bins = {Shape} x {Bins} = {(long)pixels * Bins} counts, found {PixelSpectra.LongLength}");

        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var c in Components)
        {
            RequireId(c.Name, "component name");
            if (!names.Add(c.Name))
                throw new InputException($"result of {Experiment}/{Scan}: component '{c.Name}' appears twice");
            RequireLength(c.Mask, pixels, $"components/{c.Name}/mask", "rows*cols");
            foreach (float m in c.Mask)
                if (!float.IsNaN(m) && (m < 0f || m > 1f))
                    throw new InputException($"result of {Experiment}/{Scan}: components/{c.Name}/mask must lie in [0, 1] (NaN = unknown), found {m}");
            if (c.Pixels < 0)
                throw new InputException($"result of {Experiment}/{Scan}: components/{c.Name}/pixels must be >= 0, found {c.Pixels}");
            if (c.LiFraction.HasValue != c.LiFractionSigma.HasValue)
                throw new InputException($"result of {Experiment}/{Scan}: components/{c.Name} has li_fraction and li_fraction_sigma only together, found one without the other");
        }

        RequireText(Process.Program, "process/program");
        RequireText(Process.Version, "process/version");
        try
        {
            using var _ = JsonDocument.Parse(Process.ConfigurationJson);
        }
        catch (JsonException e)
        {
            throw new InputException($"result of {Experiment}/{Scan}: process/configuration must be JSON, found invalid text ({e.Message})", e);
        }
        foreach (var (file, sha) in Process.InputSha256)
        {
            RequireText(file, "process/inputs path");
            if (!IsSha256Hex(sha))
                throw new InputException($"result of {Experiment}/{Scan}: sha256 of input '{file}' must be 64 hexadecimal digits, found '{sha}'");
        }
    }

    private void RequireLength<T>(T[] values, long expected, string field, string meaning)
    {
        if (values is null || values.LongLength != expected)
            throw new InputException($"result of {Experiment}/{Scan}: {field} must hold {meaning} = {expected} values, found {values?.LongLength.ToString() ?? "none"}");
    }

    private void RequireText(string value, string field)
    {
        if (string.IsNullOrWhiteSpace(value))
            throw new InputException($"result of {Experiment}/{Scan}: {field} must not be empty");
    }

    private void RequireId(string value, string field)
    {
        if (string.IsNullOrWhiteSpace(value) || value.Contains('/') || value == "." || value == "..")
            throw new InputException($"result: {field} must be a non-empty name without '/', found '{value}'");
    }

    private static bool IsSha256Hex(string s)
    {
        if (s is null || s.Length != 64) return false;
        foreach (char ch in s)
            if (!char.IsAsciiHexDigit(ch)) return false;
        return true;
    }
}

/// <summary>
/// One segmented component on the XCS grid (ANALYSIS 7) and the EMF of its mask-weighted summed
/// spectrum (ANALYSIS 5 "Regions"); lithium fraction x with its sigma when calibrated (ANALYSIS 6).
/// </summary>
/// <param name="Name">Component name (a NeXus group name: no '/').</param>
/// <param name="Mask">Fractional mask, rows*cols, in [0, 1]; NaN where the XCT field of view does not reach (unknown).</param>
/// <param name="Emf">Region EMF (NaN when undefined).</param>
/// <param name="EmfSigma">Its standard uncertainty.</param>
/// <param name="Pixels">Pixels with a non-zero mask weight.</param>
/// <param name="LiFraction">Lithium fraction x, null when not calibrated.</param>
/// <param name="LiFractionSigma">Its standard uncertainty, null when not calibrated.</param>
public sealed record NexusComponent(
    string Name, float[] Mask, double Emf, double EmfSigma, int Pixels,
    double? LiFraction = null, double? LiFractionSigma = null);

/// <summary>Provenance of a result (NXprocess).</summary>
/// <param name="Program">Program name, e.g. <c>xcsct</c>.</param>
/// <param name="Version">Program version.</param>
/// <param name="Date">When the result was computed (written as ISO 8601 with offset).</param>
/// <param name="ConfigurationJson">The full resolved configuration, as JSON text.</param>
/// <param name="InputSha256">Every input file (path as given to the program) and its SHA-256, 64 hex digits.</param>
public sealed record NexusProcessInfo(
    string Program, string Version, DateTimeOffset Date, string ConfigurationJson,
    IReadOnlyDictionary<string, string> InputSha256);
