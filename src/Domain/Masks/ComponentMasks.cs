using XcsCt.Domain.Detector;

namespace XcsCt.Domain.Masks;

/// <summary>
/// Fractional component masks on the XCS pixel grid (ANALYSIS section 7): for each named component,
/// the fraction in [0, 1] of each pixel's sheet-beam slab volume that the component occupies, or NaN
/// where the XCT volume does not cover enough of the pixel to know. Arrays are row-major
/// (<c>row * cols + col</c>), matching <see cref="Spectra.PixelSpectra"/>.
/// </summary>
public sealed class ComponentMasks
{
    public ComponentMasks(DetectorShape shape, IReadOnlyDictionary<string, float[]> masks, float[] coverage)
    {
        if (coverage.Length != shape.Pixels)
            throw new ArgumentException($"coverage has {coverage.Length} values, the {shape} grid has {shape.Pixels} pixels");
        foreach (var (name, mask) in masks)
        {
            if (mask.Length != shape.Pixels)
                throw new ArgumentException($"mask '{name}' has {mask.Length} values, the {shape} grid has {shape.Pixels} pixels");
        }
        Shape = shape;
        Masks = masks;
        Coverage = coverage;
    }

    /// <summary>Detector grid of the masks.</summary>
    public DetectorShape Shape { get; }

    /// <summary>Mask per component name: values in [0, 1], NaN where unknown.</summary>
    public IReadOnlyDictionary<string, float[]> Masks { get; }

    /// <summary>Fraction of each pixel's slab volume inside the XCT volume, in [0, 1].</summary>
    public float[] Coverage { get; }

    /// <summary>Component names in the order of the registration file.</summary>
    public IEnumerable<string> Names => Masks.Keys;

    /// <summary>The mask of component <paramref name="name"/>; unknown names are an <see cref="InputException"/>.</summary>
    public float[] this[string name] => Masks.TryGetValue(name, out var mask)
        ? mask
        : throw new InputException($"component '{name}' is not in the registration (known: {string.Join(", ", Masks.Keys)})");

    /// <summary>Sum of a component's known mask values: its area in pixels.</summary>
    public double AreaInPixels(string name)
    {
        double sum = 0;
        foreach (var v in this[name])
        {
            if (!float.IsNaN(v))
                sum += v;
        }
        return sum;
    }
}
