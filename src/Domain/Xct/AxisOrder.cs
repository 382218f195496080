namespace XcsCt.Domain.Xct;

/// <summary>
/// Which dataset dimension holds which volume axis, slowest first (ANALYSIS section 7: "the axis
/// order is configuration, not assumption"). <c>zyx</c> is slices, rows, columns (TIFF stacks,
/// tomopy); Savu and httomo write (X, slice, Y), which is <c>xzy</c>.
/// </summary>
public readonly record struct AxisOrder
{
    private AxisOrder(string letters)
    {
        Letters = letters;
        ZDim = letters.IndexOf('z');
        YDim = letters.IndexOf('y');
        XDim = letters.IndexOf('x');
    }

    /// <summary>Three letters, a permutation of x, y, z, slowest-varying dataset dimension first.</summary>
    public string Letters { get; }

    /// <summary>Dataset dimension that holds the slice axis z.</summary>
    public int ZDim { get; }

    /// <summary>Dataset dimension that holds the row axis y.</summary>
    public int YDim { get; }

    /// <summary>Dataset dimension that holds the column axis x.</summary>
    public int XDim { get; }

    /// <summary>(z, y, x): TIFF stacks, tomopy, DXchange reconstructions.</summary>
    public static AxisOrder Zyx => new("zyx");

    /// <summary>(x, z, y): Savu and httomo reconstructions.</summary>
    public static AxisOrder Savu => new("xzy");

    /// <summary>Parses "zyx", "xzy", "z,y,x", "(X, slice, Y)" style strings (slice means z).</summary>
    public static AxisOrder Parse(string text)
    {
        var letters = new System.Text.StringBuilder();
        foreach (var part in text.ToLowerInvariant().Split([',', ' ', '(', ')', '[', ']'], StringSplitOptions.RemoveEmptyEntries))
        {
            if (part == "slice")
                letters.Append('z');
            else if (part.All(c => c is 'x' or 'y' or 'z'))
                letters.Append(part);
            else
                throw new InputException($"axis order '{text}': '{part}' is not an axis; expected a permutation of x, y, z such as zyx or xzy");
        }
        var s = letters.ToString();
        if (s.Length != 3 || !s.Contains('x') || !s.Contains('y') || !s.Contains('z'))
            throw new InputException($"axis order '{text}' is not a permutation of x, y, z (e.g. zyx, or xzy for Savu/httomo)");
        return new AxisOrder(s);
    }

    /// <summary>The (z, y, x) shape of a dataset of <paramref name="dims"/> in this order.</summary>
    public VolumeShape ShapeOf(IReadOnlyList<ulong> dims, string what)
    {
        if (dims.Count != 3)
            throw new InputException($"{what}: axis order {Letters} needs a 3-D dataset, found {dims.Count} dimensions [{string.Join(", ", dims)}]");
        foreach (var d in dims)
        {
            if (d == 0 || d > int.MaxValue)
                throw new InputException($"{what}: dimension {d} of [{string.Join(", ", dims)}] is not a usable size");
        }
        return new VolumeShape((int)dims[ZDim], (int)dims[YDim], (int)dims[XDim]);
    }

    public override string ToString() => Letters;
}
