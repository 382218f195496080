using XcsCt.Domain.Spectra;

namespace XcsCt.Domain.Detector;

/// <summary>Charge-sharing correction (ANALYSIS section 3, step 6).</summary>
public enum ChargeSharingMode
{
    /// <summary>No correction: every event above threshold is histogrammed.</summary>
    None,
    /// <summary>odin/HexitecGigE: raster scan, k x k window sum onto the window's maximum.</summary>
    Addition,
    /// <summary>Any event with a non-zero neighbour in its k x k window is discarded with that window.</summary>
    Discrimination,
    /// <summary>The paper's rule (default): 8-connected clusters; 1 kept, 2 summed onto the larger, 3+ discarded.</summary>
    Cluster,
}

/// <summary>
/// Everything the frame-correction chain (ANALYSIS section 3) needs, as plain per-pixel maps in
/// row-major order (<c>row * cols + col</c>). Immutable settings: the kernel builds its fast tables
/// from them once per calibration.
/// </summary>
/// <param name="Shape">Detector pixel grid.</param>
/// <param name="Axis">Energy histogram axis (default 0-200 keV, 0.2 keV bins).</param>
/// <param name="GradientsKeVPerAdu">Per-pixel gain m (keV/ADU), typical 0.028; 0 marks a dead pixel.</param>
/// <param name="InterceptsKeV">Per-pixel intercept c (keV), typical 0.2-1.6.</param>
public sealed record FrameCorrections(
    DetectorShape Shape,
    HistogramAxis Axis,
    float[] GradientsKeVPerAdu,
    float[] InterceptsKeV)
{
    /// <summary>Step 1: raw ASIC order to spatial order (off: current firmware delivers spatial order).</summary>
    public bool Reorder { get; init; }

    /// <summary>Step 2: per-pixel dark level in ADU, subtracted from every frame; null for none.</summary>
    public float[]? OffsetsAdu { get; init; }

    /// <summary>Step 3, global mode: keep a reading when (value - offset) &gt;= this many ADU; null for none.</summary>
    public float? ThresholdAdu { get; init; }

    /// <summary>Step 3, per-pixel mode: threshold map in ADU (takes precedence over <see cref="ThresholdAdu"/>).</summary>
    public float[]? ThresholdMapAdu { get; init; }

    /// <summary>Step 4: zero a pixel that was non-zero in the previous corrected frame (consecutive frames only).</summary>
    public bool NextFrame { get; init; }

    /// <summary>Step 6: charge-sharing mode (default <see cref="ChargeSharingMode.Cluster"/>).</summary>
    public ChargeSharingMode ChargeSharing { get; init; } = ChargeSharingMode.Cluster;

    /// <summary>Step 6: window size k for addition and discrimination, 3 or 5.</summary>
    public int Window { get; init; } = 3;

    /// <summary>Checks shapes and values; throws <see cref="InputException"/> naming the first problem.</summary>
    public FrameCorrections Validated()
    {
        CheckMap(GradientsKeVPerAdu, "gradient map", allowNegative: false);
        CheckMap(InterceptsKeV, "intercept map", allowNegative: true);
        if (OffsetsAdu is not null) CheckMap(OffsetsAdu, "offset map", allowNegative: true);
        if (ThresholdMapAdu is not null) CheckMap(ThresholdMapAdu, "threshold map", allowNegative: true);
        if (ThresholdAdu is { } t && !float.IsFinite(t))
            throw new InputException($"threshold {t} ADU is not a finite number");
        if (Window is not (3 or 5))
            throw new InputException($"charge-sharing window {Window} is not valid: it must be 3 or 5");
        if (!Enum.IsDefined(ChargeSharing))
            throw new InputException($"charge-sharing mode {(int)ChargeSharing} is not valid");
        if (Reorder && Shape.Cols % 80 != 0)
            throw new InputException($"reorder needs a detector whose width is a multiple of 80 pixels, found {Shape}");
        return this;
    }

    private void CheckMap(float[] map, string what, bool allowNegative)
    {
        if (map.Length != Shape.Pixels)
            throw new InputException($"{what}: expected {Shape} = {Shape.Pixels} values, found {map.Length}");
        for (int i = 0; i < map.Length; i++)
        {
            if (!float.IsFinite(map[i]))
                throw new InputException($"{what}: value at row {i / Shape.Cols}, col {i % Shape.Cols} is {map[i]}, not a finite number");
            if (!allowNegative && map[i] < 0)
                throw new InputException($"{what}: value at row {i / Shape.Cols}, col {i % Shape.Cols} is {map[i]}, must not be negative");
        }
    }
}
