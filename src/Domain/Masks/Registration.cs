using XcsCt.Domain.Detector;
using XcsCt.Domain.Xct;

namespace XcsCt.Domain.Masks;

/// <summary>
/// Registration of an XCT label volume onto the XCS grid (ANALYSIS section 7): the sheet beam
/// selects the slab of slices within <see cref="RegistrationSettings.SheetUm"/> of the scan's z
/// (slices partly inside count with the fraction inside); each voxel column's square footprint is
/// mapped to the detector by the similarity transform of the settings (scale voxel/pitch, e.g.
/// 3.24 / 250 = 1 / 77.16, rotation, flips, translation) and split between the pixels it overlaps
/// in proportion to the overlap *area* (exact polygon clipping, never rounding to a pixel). A pixel's
/// mask value is component volume / XCT-covered volume of its slab; pixels whose slab the XCT covers
/// less than <see cref="RegistrationSettings.MinCoverage"/> are unknown (NaN).
/// </summary>
public static class Registration
{
    /// <summary>
    /// Registers the label volume in file <paramref name="labelsPath"/> (TIFF stack, or HDF5 read with
    /// the settings' dataset and axis order), reading only the slices the sheet beam crosses.
    /// </summary>
    public static ComponentMasks Register(string labelsPath, RegistrationSettings settings, DetectorShape grid)
    {
        using var source = VolumeReader.Open(labelsPath, new VolumeReadOptions(settings.Dataset, VolumeReader.IsHdf5(labelsPath.Split(':')[0]) ? settings.Axes : null));
        return Register(source, settings, grid);
    }

    /// <summary>Registers an in-memory label volume.</summary>
    public static ComponentMasks Register(LabelVolume labels, RegistrationSettings settings, DetectorShape grid) =>
        Register((IVolumeSource)labels, settings, grid);

    /// <summary>
    /// Registers a label volume read slice by slice: only the slices the sheet beam crosses are read,
    /// so memory is one slice plus one float per component per voxel column.
    /// </summary>
    public static ComponentMasks Register(IVolumeSource labels, RegistrationSettings settings, DetectorShape grid)
    {
        settings.Validated();
        if (!labels.Type.IsInteger())
            throw new InputException($"{labels.Name}: registration needs a label volume of integers, found {labels.Type.Name()}");
        var shape = labels.Shape;
        double v = settings.VoxelUm;

        // Sheet slab in volume coordinates and the weight (um inside the slab) of every slice.
        double zLow = settings.ZUm - settings.ZOriginUm - settings.SheetUm / 2, zHigh = zLow + settings.SheetUm;
        int k0 = Math.Max(0, (int)Math.Floor(zLow / v)), k1 = Math.Min(shape.Depth - 1, (int)Math.Ceiling(zHigh / v) - 1);
        if (k1 < k0)
            throw new InputException($"{labels.Name}: the sheet beam at z = {settings.ZUm} um ({zLow + settings.ZOriginUm:0.###}..{zHigh + settings.ZOriginUm:0.###} um) misses the XCT volume, which spans {settings.ZOriginUm:0.###}..{settings.ZOriginUm + shape.Depth * v:0.###} um");

        var names = settings.Components.Keys.ToArray();
        int maxLabel = settings.Components.Values.SelectMany(l => l).Max();
        var componentBits = new ulong[maxLabel + 1];
        for (int c = 0; c < names.Length; c++)
        {
            foreach (var label in settings.Components[names[c]])
                componentBits[label] |= 1UL << c;
        }

        // Per voxel column: um of each component inside the slab.
        int columns = shape.SliceVoxels;
        var length = new float[names.Length][];
        for (int c = 0; c < names.Length; c++)
            length[c] = new float[columns];
        var slice = new int[columns];
        double covered = 0;
        for (int k = k0; k <= k1; k++)
        {
            double w = Math.Min(zHigh, (k + 1) * v) - Math.Max(zLow, k * v);
            if (w <= 0)
                continue;
            covered += w;
            labels.ReadSlices<int>(k, slice);
            float wf = (float)w;
            for (int i = 0; i < columns; i++)
            {
                int label = slice[i];
                if ((uint)label > (uint)maxLabel)
                    continue;
                ulong bits = componentBits[label];
                while (bits != 0)
                {
                    int c = System.Numerics.BitOperations.TrailingZeroCount(bits);
                    length[c][i] += wf;
                    bits &= bits - 1;
                }
            }
        }

        var geometry = new GridGeometry(settings, shape, grid);
        var pixelVolume = settings.PitchUm * settings.PitchUm * settings.SheetUm;

        // Covered volume per pixel: the whole slice footprint (one convex polygon) times the covered height.
        var coverage = new float[grid.Pixels];
        var footprint = geometry.Quad(0, 0, shape.Width, shape.Height);
        var coveredArea = new double[grid.Pixels];
        geometry.Distribute(footprint, (pixel, area) => coveredArea[pixel] += area);
        for (int p = 0; p < grid.Pixels; p++)
            coverage[p] = (float)Math.Clamp(coveredArea[p] * covered / pixelVolume, 0, 1);

        // Component volume per pixel: every voxel column's square, by overlap area.
        var volume = new double[names.Length][];
        for (int c = 0; c < names.Length; c++)
            volume[c] = new double[grid.Pixels];
        Span<double> col = stackalloc double[names.Length];
        int reach = (int)Math.Ceiling(settings.VoxelUm / settings.PitchUm * Math.Sqrt(2)) + 2;
        var overlapPixels = new int[reach * reach];
        var overlapAreas = new double[reach * reach];
        for (int y = 0; y < shape.Height; y++)
        {
            for (int x = 0; x < shape.Width; x++)
            {
                int i = y * shape.Width + x;
                bool any = false;
                for (int c = 0; c < names.Length; c++)
                {
                    col[c] = length[c][i];
                    any |= col[c] != 0;
                }
                if (!any)
                    continue;
                var quad = geometry.Quad(x, y, x + 1, y + 1);
                if (geometry.TryWholePixel(quad, out int pixel))
                {
                    double area = geometry.VoxelAreaUm2;
                    for (int c = 0; c < names.Length; c++)
                        volume[c][pixel] += col[c] * area;
                    continue;
                }
                int n = geometry.Overlaps(quad, overlapPixels, overlapAreas);
                for (int k = 0; k < n; k++)
                {
                    for (int c = 0; c < names.Length; c++)
                        volume[c][overlapPixels[k]] += col[c] * overlapAreas[k];
                }
            }
        }

        var masks = new Dictionary<string, float[]>(StringComparer.Ordinal);
        for (int c = 0; c < names.Length; c++)
        {
            var mask = new float[grid.Pixels];
            for (int p = 0; p < grid.Pixels; p++)
            {
                double coveredVolume = coveredArea[p] * covered;
                mask[p] = coverage[p] < settings.MinCoverage || coveredVolume <= 0
                    ? float.NaN
                    : (float)Math.Clamp(volume[c][p] / coveredVolume, 0, 1);
            }
            masks[names[c]] = mask;
        }
        return new ComponentMasks(grid, masks, coverage);
    }

    /// <summary>The affine map from XCT slice coordinates (voxel units) to detector coordinates (pixel units).</summary>
    private sealed class GridGeometry
    {
        private readonly double _ox, _oy, _ax, _ay, _bx, _by;
        private readonly DetectorShape _grid;
        private readonly double _pitch;

        public GridGeometry(RegistrationSettings s, VolumeShape shape, DetectorShape grid)
        {
            _grid = grid;
            _pitch = s.PitchUm;
            double theta = s.RotationDeg * Math.PI / 180;
            double cos = Math.Cos(theta), sin = Math.Sin(theta);
            double fx = s.FlipX ? -1 : 1, fy = s.FlipY ? -1 : 1;
            double scale = s.VoxelUm / s.PitchUm;
            // Detector (pixels) = D + t + F R (P - C), P and C in voxel units times scale.
            _ax = fx * cos * scale; _ay = fy * sin * scale;    // image of the voxel x axis
            _bx = -fx * sin * scale; _by = fy * cos * scale;   // image of the voxel y axis
            double cx = shape.Width / 2.0, cy = shape.Height / 2.0;
            double dx = grid.Cols / 2.0 + s.TranslationXUm / s.PitchUm, dy = grid.Rows / 2.0 + s.TranslationYUm / s.PitchUm;
            _ox = dx - (_ax * cx + _bx * cy);
            _oy = dy - (_ay * cx + _by * cy);
            VoxelAreaUm2 = s.VoxelUm * s.VoxelUm;
        }

        public double VoxelAreaUm2 { get; }

        /// <summary>Corners (detector pixel units) of the voxel rectangle [x0, x1] x [y0, y1], in order around it.</summary>
        public Quad Quad(double x0, double y0, double x1, double y1) => new(
            Map(x0, y0), Map(x1, y0), Map(x1, y1), Map(x0, y1));

        private (double U, double W) Map(double x, double y) => (_ox + _ax * x + _bx * y, _oy + _ay * x + _by * y);

        /// <summary>True when the quad lies inside one pixel of the grid.</summary>
        public bool TryWholePixel(in Quad q, out int pixel)
        {
            q.Bounds(out double u0, out double u1, out double w0, out double w1);
            int c = (int)Math.Floor(u0), r = (int)Math.Floor(w0);
            pixel = -1;
            if (c < 0 || r < 0 || c >= _grid.Cols || r >= _grid.Rows || u1 > c + 1 || w1 > r + 1)
                return false;
            pixel = r * _grid.Cols + c;
            return true;
        }

        /// <summary>Calls <paramref name="add"/>(pixel, overlap area in um^2) for every grid pixel the quad overlaps.</summary>
        public void Distribute(in Quad q, Action<int, double> add)
        {
            q.Bounds(out double u0, out double u1, out double w0, out double w1);
            int cols = Math.Max(0, Math.Min(_grid.Cols - 1, (int)Math.Ceiling(u1) - 1) - Math.Max(0, (int)Math.Floor(u0)) + 1);
            int rows = Math.Max(0, Math.Min(_grid.Rows - 1, (int)Math.Ceiling(w1) - 1) - Math.Max(0, (int)Math.Floor(w0)) + 1);
            var pixels = new int[Math.Max(1, cols * rows)];
            var areas = new double[pixels.Length];
            int n = Overlaps(q, pixels, areas);
            for (int k = 0; k < n; k++)
                add(pixels[k], areas[k]);
        }

        /// <summary>Grid pixels the quad overlaps and the overlap areas in um^2; returns how many (buffers must hold the quad's pixel range).</summary>
        public int Overlaps(in Quad q, Span<int> pixels, Span<double> areas)
        {
            q.Bounds(out double u0, out double u1, out double w0, out double w1);
            int c0 = Math.Max(0, (int)Math.Floor(u0)), c1 = Math.Min(_grid.Cols - 1, (int)Math.Ceiling(u1) - 1);
            int r0 = Math.Max(0, (int)Math.Floor(w0)), r1 = Math.Min(_grid.Rows - 1, (int)Math.Ceiling(w1) - 1);
            Span<double> pu = stackalloc double[16], pw = stackalloc double[16], tu = stackalloc double[16], tw = stackalloc double[16];
            double pixelArea = _pitch * _pitch;
            int n = 0;
            for (int r = r0; r <= r1; r++)
            {
                for (int c = c0; c <= c1; c++)
                {
                    double area = q.ClippedArea(c, r, pu, pw, tu, tw);
                    if (area > 0)
                    {
                        pixels[n] = r * _grid.Cols + c;
                        areas[n] = area * pixelArea;
                        n++;
                    }
                }
            }
            return n;
        }
    }

    /// <summary>A convex quadrilateral in detector pixel units.</summary>
    private readonly record struct Quad((double U, double W) A, (double U, double W) B, (double U, double W) C, (double U, double W) D)
    {
        public void Bounds(out double u0, out double u1, out double w0, out double w1)
        {
            u0 = Math.Min(Math.Min(A.U, B.U), Math.Min(C.U, D.U));
            u1 = Math.Max(Math.Max(A.U, B.U), Math.Max(C.U, D.U));
            w0 = Math.Min(Math.Min(A.W, B.W), Math.Min(C.W, D.W));
            w1 = Math.Max(Math.Max(A.W, B.W), Math.Max(C.W, D.W));
        }

        /// <summary>Area (pixel units) of the quad inside the unit square [c, c+1] x [r, r+1] (Sutherland-Hodgman clipping).</summary>
        public double ClippedArea(int c, int r, Span<double> pu, Span<double> pw, Span<double> tu, Span<double> tw)
        {
            pu[0] = A.U; pw[0] = A.W; pu[1] = B.U; pw[1] = B.W; pu[2] = C.U; pw[2] = C.W; pu[3] = D.U; pw[3] = D.W;
            int n = 4;
            n = Clip(pu, pw, n, tu, tw, c, 0, +1);      // u >= c
            n = Clip(tu, tw, n, pu, pw, c + 1, 0, -1);  // u <= c + 1
            n = Clip(pu, pw, n, tu, tw, r, 1, +1);      // w >= r
            n = Clip(tu, tw, n, pu, pw, r + 1, 1, -1);  // w <= r + 1
            double area = 0;
            for (int i = 0; i < n; i++)
            {
                int j = i + 1 == n ? 0 : i + 1;
                area += pu[i] * pw[j] - pu[j] * pw[i];
            }
            return Math.Abs(area) / 2;
        }

        /// <summary>Keeps the part of the polygon with sign * (coordinate - edge) &gt;= 0.</summary>
        private static int Clip(Span<double> su, Span<double> sw, int n, Span<double> du, Span<double> dw, double edge, int axis, int sign)
        {
            int m = 0;
            for (int i = 0; i < n; i++)
            {
                int j = i + 1 == n ? 0 : i + 1;
                double di = sign * ((axis == 0 ? su[i] : sw[i]) - edge);
                double dj = sign * ((axis == 0 ? su[j] : sw[j]) - edge);
                if (di >= 0)
                {
                    du[m] = su[i]; dw[m] = sw[i]; m++;
                }
                if ((di >= 0) != (dj >= 0))
                {
                    double t = di / (di - dj);
                    du[m] = su[i] + t * (su[j] - su[i]);
                    dw[m] = sw[i] + t * (sw[j] - sw[i]);
                    m++;
                }
            }
            return m;
        }
    }
}
