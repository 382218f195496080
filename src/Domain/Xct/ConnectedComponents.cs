using System.Runtime.InteropServices;

namespace XcsCt.Domain.Xct;

/// <summary>Voxel neighbourhood of connected-component labelling.</summary>
public enum Connectivity
{
    /// <summary>Voxels sharing a face (6 neighbours).</summary>
    Faces6 = 6,

    /// <summary>Voxels sharing a face, an edge or a corner (26 neighbours; the default, ANALYSIS section 7).</summary>
    Full26 = 26,
}

/// <summary>
/// Per-component measurements accumulated while labelling: voxel count, bounding box (inclusive,
/// voxel indices) and coordinate sums for the centroid.
/// </summary>
public struct ComponentAccumulator
{
    public long Voxels;
    public int ZMin, ZMax, YMin, YMax, XMin, XMax;
    public double SumZ, SumY, SumX;

    public static ComponentAccumulator Empty => new()
    {
        ZMin = int.MaxValue, YMin = int.MaxValue, XMin = int.MaxValue,
        ZMax = int.MinValue, YMax = int.MinValue, XMax = int.MinValue,
    };

    /// <summary>Adds the run of voxels x0..x1-1 of row (z, y).</summary>
    public void AddRun(int z, int y, int x0, int x1)
    {
        long n = x1 - x0;
        Voxels += n;
        ZMin = Math.Min(ZMin, z); ZMax = Math.Max(ZMax, z);
        YMin = Math.Min(YMin, y); YMax = Math.Max(YMax, y);
        XMin = Math.Min(XMin, x0); XMax = Math.Max(XMax, x1 - 1);
        SumZ += (double)z * n;
        SumY += (double)y * n;
        SumX += (x0 + x1 - 1) * 0.5 * n;
    }

    public void Add(in ComponentAccumulator o)
    {
        Voxels += o.Voxels;
        ZMin = Math.Min(ZMin, o.ZMin); ZMax = Math.Max(ZMax, o.ZMax);
        YMin = Math.Min(YMin, o.YMin); YMax = Math.Max(YMax, o.YMax);
        XMin = Math.Min(XMin, o.XMin); XMax = Math.Max(XMax, o.XMax);
        SumZ += o.SumZ; SumY += o.SumY; SumX += o.SumX;
    }

    /// <summary>The same component seen from a slab that starts at volume slice <paramref name="zOffset"/>.</summary>
    public readonly ComponentAccumulator ShiftedZ(int zOffset)
    {
        var c = this;
        c.ZMin += zOffset;
        c.ZMax += zOffset;
        c.SumZ += (double)zOffset * Voxels;
        return c;
    }
}

/// <summary>One connected component of a phase (ANALYSIS section 7).</summary>
/// <param name="Label">Label in the label volume (1..n, in raster order of the component's first voxel).</param>
/// <param name="Voxels">Number of voxels.</param>
/// <param name="VolumeUm3">Volume in um^3 (voxels times voxel size cubed).</param>
/// <param name="EquivalentDiameterUm">Diameter of the sphere of the same volume, (6 V / pi)^(1/3), in um.</param>
/// <param name="ZMin">Bounding box, inclusive voxel indices.</param>
/// <param name="CentroidZ">Centroid in voxel coordinates (z, y, x).</param>
public sealed record ComponentStats(
    int Label, long Voxels, double VolumeUm3, double EquivalentDiameterUm,
    int ZMin, int ZMax, int YMin, int YMax, int XMin, int XMax,
    double CentroidZ, double CentroidY, double CentroidX)
{
    /// <summary>Measurements of component <paramref name="label"/> with voxels of <paramref name="voxelUm"/> um.</summary>
    public static ComponentStats From(int label, in ComponentAccumulator a, double voxelUm)
    {
        double volume = a.Voxels * voxelUm * voxelUm * voxelUm;
        return new ComponentStats(label, a.Voxels, volume, Math.Cbrt(6 * volume / Math.PI),
            a.ZMin, a.ZMax, a.YMin, a.YMax, a.XMin, a.XMax,
            a.SumZ / a.Voxels, a.SumY / a.Voxels, a.SumX / a.Voxels);
    }
}

/// <summary>A labelled phase: the label volume and one row of measurements per component.</summary>
public sealed record LabelResult(LabelVolume Labels, IReadOnlyList<ComponentStats> Components);

/// <summary>
/// Connected-component labelling of a binary phase (non-zero voxels), 26- or 6-connected
/// (ANALYSIS section 7). Labels are 1..n in raster order (z, y, x) of each component's first voxel;
/// background is 0.
/// </summary>
/// <remarks>
/// Run-based two-pass algorithm: the foreground of every row is split into runs (vectorised
/// searches), runs are joined with a union-find to overlapping runs of the rows before it (26: the
/// row above and the three rows of the slice below, with a one-voxel diagonal reach; 6: the row above
/// and the same row of the slice below, exact overlap), roots get labels in run order, runs are filled.
/// </remarks>
public static class ConnectedComponents
{
    /// <summary>Labels the phase <paramref name="mask"/> (non-zero = phase) with voxels of <paramref name="voxelUm"/> um.</summary>
    public static LabelResult Label(Volume<byte> mask, Connectivity connectivity = Connectivity.Full26, double voxelUm = 1)
    {
        var labels = new int[mask.Data.Length];
        var labeller = new RunLabeller(mask.Shape, connectivity);
        int n = labeller.Label(mask.Data, labels);
        var components = new ComponentStats[n];
        for (int i = 0; i < n; i++)
            components[i] = ComponentStats.From(i + 1, labeller.Stats[i], voxelUm);
        return new LabelResult(new LabelVolume(mask.Shape, labels, mask.Name + " (labels)"), components);
    }

    /// <summary>Labels a slab into <paramref name="labels"/> (zeroed by the caller or not: every voxel is written); returns the number of components.</summary>
    public static int Label(ReadOnlySpan<byte> mask, VolumeShape shape, Connectivity connectivity, Span<int> labels) =>
        new RunLabeller(shape, connectivity).Label(mask, labels);
}

/// <summary>The run-based labeller of one slab; reusable across slabs of the same shape.</summary>
internal sealed class RunLabeller
{
    private readonly VolumeShape _shape;
    private readonly Connectivity _connectivity;
    private int[] _runStart = new int[1024];
    private int[] _runEnd = new int[1024];
    private int[] _parent = new int[1024];
    private int[] _runLabel = new int[1024];
    private int[] _rowFirstRun;
    private int _runs;

    public RunLabeller(VolumeShape shape, Connectivity connectivity)
    {
        if (connectivity is not (Connectivity.Faces6 or Connectivity.Full26))
            throw new InputException($"connectivity {(int)connectivity} is not valid: expected 6 or 26");
        _shape = shape;
        _connectivity = connectivity;
        _rowFirstRun = new int[shape.Depth * shape.Height + 1];
    }

    /// <summary>Measurements of components 1..n (index label - 1) of the last <see cref="Label"/> call.</summary>
    public List<ComponentAccumulator> Stats { get; } = [];

    public int Label(ReadOnlySpan<byte> mask, Span<int> labels)
    {
        int width = _shape.Width, height = _shape.Height;
        int rows = _shape.Depth * height;
        if (mask.Length != (long)rows * width || labels.Length != mask.Length)
            throw new ArgumentException($"mask of {mask.Length} and labels of {labels.Length} voxels do not match {_shape}");
        if (_rowFirstRun.Length != rows + 1)
            _rowFirstRun = new int[rows + 1];

        FindRuns(mask, rows, width);
        for (int i = 0; i < _runs; i++)
            _parent[i] = i;
        int reach = _connectivity == Connectivity.Full26 ? 1 : 0;
        for (int row = 0; row < rows; row++)
        {
            int z = row / height, y = row - z * height;
            if (y > 0)
                JoinRows(row, row - 1, reach);
            if (z > 0)
            {
                int below = row - height;
                JoinRows(row, below, reach);
                if (reach == 1)
                {
                    if (y > 0) JoinRows(row, below - 1, reach);
                    if (y < height - 1) JoinRows(row, below + 1, reach);
                }
            }
        }

        // Labels in run (raster) order of each component's first run.
        Stats.Clear();
        int count = 0;
        for (int i = 0; i < _runs; i++)
        {
            int root = Find(i);
            if (root == i)
            {
                _runLabel[i] = ++count;
                Stats.Add(ComponentAccumulator.Empty);
            }
            else
            {
                _runLabel[i] = _runLabel[root];
            }
        }

        var stats = CollectionsMarshal.AsSpan(Stats);
        labels.Clear();
        for (int row = 0; row < rows; row++)
        {
            int z = row / height, y = row - z * height;
            var rowLabels = labels.Slice(row * width, width);
            for (int i = _rowFirstRun[row]; i < _rowFirstRun[row + 1]; i++)
            {
                int label = _runLabel[i];
                rowLabels[_runStart[i].._runEnd[i]].Fill(label);
                stats[label - 1].AddRun(z, y, _runStart[i], _runEnd[i]);
            }
        }
        return count;
    }

    private void FindRuns(ReadOnlySpan<byte> mask, int rows, int width)
    {
        _runs = 0;
        for (int row = 0; row < rows; row++)
        {
            _rowFirstRun[row] = _runs;
            var line = mask.Slice(row * width, width);
            int x = 0;
            while (x < width)
            {
                int start = line[x..].IndexOfAnyExcept((byte)0);
                if (start < 0)
                    break;
                start += x;
                int end = line[start..].IndexOf((byte)0);
                end = end < 0 ? width : start + end;
                AddRun(start, end);
                x = end;
            }
        }
        _rowFirstRun[rows] = _runs;
    }

    private void AddRun(int start, int end)
    {
        if (_runs == _runStart.Length)
        {
            int size = _runs * 2;
            Array.Resize(ref _runStart, size);
            Array.Resize(ref _runEnd, size);
            Array.Resize(ref _parent, size);
            Array.Resize(ref _runLabel, size);
        }
        _runStart[_runs] = start;
        _runEnd[_runs] = end;
        _runs++;
    }

    /// <summary>Unites every run of <paramref name="row"/> with the runs of <paramref name="other"/> it touches.</summary>
    private void JoinRows(int row, int other, int reach)
    {
        int j = _rowFirstRun[other], jEnd = _rowFirstRun[other + 1];
        if (j == jEnd)
            return;
        for (int i = _rowFirstRun[row], iEnd = _rowFirstRun[row + 1]; i < iEnd; i++)
        {
            int a0 = _runStart[i], a1 = _runEnd[i];
            // Skip runs of the other row that end too far left to touch this run or any later one.
            while (j < jEnd && _runEnd[j] + reach <= a0)
                j++;
            for (int k = j; k < jEnd && _runStart[k] < a1 + reach; k++)
                Union(i, k);
        }
    }

    private int Find(int i)
    {
        var parent = _parent;
        while (parent[i] != i)
        {
            parent[i] = parent[parent[i]];
            i = parent[i];
        }
        return i;
    }

    private void Union(int a, int b)
    {
        int ra = Find(a), rb = Find(b);
        if (ra == rb)
            return;
        if (ra < rb)
            _parent[rb] = ra;
        else
            _parent[ra] = rb;
    }
}

/// <summary>Plain twin of <see cref="ConnectedComponents"/>: breadth-first flood fill from each unlabelled voxel in raster order.</summary>
internal static class ConnectedComponentsReference
{
    public static int Label(ReadOnlySpan<byte> mask, VolumeShape shape, Connectivity connectivity, Span<int> labels)
    {
        labels.Clear();
        var queue = new Queue<(int Z, int Y, int X)>();
        int count = 0;
        for (int z = 0; z < shape.Depth; z++)
        for (int y = 0; y < shape.Height; y++)
        for (int x = 0; x < shape.Width; x++)
        {
            int index = (int)shape.Index(z, y, x);
            if (mask[index] == 0 || labels[index] != 0)
                continue;
            labels[index] = ++count;
            queue.Enqueue((z, y, x));
            while (queue.Count > 0)
            {
                var (cz, cy, cx) = queue.Dequeue();
                for (int dz = -1; dz <= 1; dz++)
                for (int dy = -1; dy <= 1; dy++)
                for (int dx = -1; dx <= 1; dx++)
                {
                    int manhattan = Math.Abs(dz) + Math.Abs(dy) + Math.Abs(dx);
                    if (manhattan == 0 || (connectivity == Connectivity.Faces6 && manhattan > 1))
                        continue;
                    int nz = cz + dz, ny = cy + dy, nx = cx + dx;
                    if (nz < 0 || nz >= shape.Depth || ny < 0 || ny >= shape.Height || nx < 0 || nx >= shape.Width)
                        continue;
                    int n = (int)shape.Index(nz, ny, nx);
                    if (mask[n] != 0 && labels[n] == 0)
                    {
                        labels[n] = count;
                        queue.Enqueue((nz, ny, nx));
                    }
                }
            }
        }
        return count;
    }
}
