namespace XcsCt.Domain.Detector;

/// <summary>Pixel grid of a detector (80 x 80 for one HEXITEC module, 160 x 160 for 2 x 2, ...).</summary>
public readonly record struct DetectorShape
{
    public DetectorShape(int rows, int cols)
    {
        if (rows <= 0 || cols <= 0 || (long)rows * cols > 1 << 24)
            throw new InputException($"detector shape {rows} x {cols} is not valid: rows and cols must be positive and at most 16M pixels in all");
        Rows = rows;
        Cols = cols;
    }

    public int Rows { get; }
    public int Cols { get; }
    public int Pixels => Rows * Cols;

    /// <summary>One HEXITEC module: 80 x 80 pixels of 250 um.</summary>
    public static DetectorShape Hexitec => new(80, 80);

    public override string ToString() => $"{Rows} x {Cols}";
}
