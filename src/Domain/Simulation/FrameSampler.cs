namespace XcsCt.Domain.Simulation;

/// <summary>
/// Draws raw HEXITEC frames (uint16 ADU, row-major) of one scan (ISSUE 2): per frame a Poisson number of
/// photons, each placed by alias tables (pixel, then source: species or pinhole fluorescence, then fine
/// energy; the out-attenuation tilt by rejection), absorbed through <see cref="DetectorModel.Interact"/>
/// (charge sharing, escape, fluorescence, tail); deposits in a pixel within a frame add up (at most one
/// reading per pixel per frame: pile-up), and each hit pixel reads
/// <c>round(offset + (E + noise - c) / m)</c> with electronic plus Fano noise. Other pixels read a
/// pedestal frame (offset plus electronic noise) drawn from a pool of 64 zero-mean realisations.
/// Frames come in chunks of <see cref="ChunkFrames"/>; chunk i uses random stream (seed, i), so the output
/// is identical whatever the number of threads.
/// </summary>
public sealed class FrameSampler
{
    /// <summary>Frames per chunk (the unit of seeding and parallelism).</summary>
    public const int ChunkFrames = 1024;
    private const int PedestalPool = 64;

    private readonly DetectorModel _det;
    private readonly int _pixels, _rows, _cols, _species;
    private readonly AliasTable? _pixel;
    private readonly AliasTable?[] _source;
    private readonly AliasTable[] _energy;
    private readonly double[] _tilt;
    private readonly ushort[] _pedestal;
    private readonly double _comptonKeV;
    private readonly FineGrid _grid;
    private readonly PoissonTable _photons = new(0);

    internal FrameSampler(ScanModel scan) : this(scan.Model.Detector, scan) { }

    private FrameSampler(DetectorModel det, ScanModel? scan)
    {
        _det = det;
        _pixels = det.Shape.Pixels;
        _rows = det.Shape.Rows;
        _cols = det.Shape.Cols;
        _pedestal = BuildPedestals(det);
        _source = new AliasTable?[_pixels];
        _energy = Array.Empty<AliasTable>();
        _tilt = new double[_pixels];
        _grid = FineGrid.Default;
        if (scan is null) return;
        var model = scan.Model;
        _grid = model.Grid;
        _comptonKeV = model.Beam.ComptonKeV;
        _species = scan.Scene.Species.Count;
        int nb = model.BasisCount;
        PhotonsPerFrame = scan.TotalPhotonRate;
        _photons = new PoissonTable(PhotonsPerFrame);
        if (PhotonsPerFrame > 0) _pixel = new AliasTable(scan.PhotonRate);
        _energy = new AliasTable[_species + 1];
        for (int k = 0; k < _species; k++)
        {
            var f = model.BasisFine(k);
            _energy[k] = new AliasTable(f);
        }
        _energy[_species] = new AliasTable(model.BasisFine(nb - 1));
        var w = new double[_species + 1];
        for (int p = 0; p < _pixels; p++)
        {
            if (scan.PhotonRate[p] <= 0) continue;
            for (int k = 0; k < _species; k++)
                w[k] = Math.Max(0, scan.Weights[p * nb + k] * model.BasisTotal[k] + scan.Weights[p * nb + _species + k] * model.BasisTotal[_species + k]);
            w[_species] = scan.Weights[p * nb + nb - 1] * model.BasisTotal[nb - 1];
            _source[p] = new AliasTable(w);
            _tilt[p] = scan.Scene.Tilt[p];
        }
    }

    /// <summary>A beam-off sampler: pedestal and noise only (dark frames).</summary>
    public static FrameSampler Dark(DetectorModel detector) => new(detector, null);

    /// <summary>Mean photons per frame on the detector.</summary>
    public double PhotonsPerFrame { get; }

    public int Pixels => _pixels;

    private static ushort[] BuildPedestals(DetectorModel det)
    {
        int n = det.Shape.Pixels;
        var pool = new ushort[PedestalPool * n];
        var rng = new Xoshiro256(0xA11CEUL ^ (ulong)n, 0xBEDE5);
        var z = new double[PedestalPool];
        for (int p = 0; p < n; p++)
        {
            double mean = 0;
            for (int f = 0; f < PedestalPool; f++) { z[f] = rng.NextNormal(); mean += z[f]; }
            mean /= PedestalPool;
            double m = det.GradientsKeVPerAdu[p];
            double sAdu = m > 0 ? det.ElectronicSigmaKeV[p] / m : 10;
            for (int f = 0; f < PedestalPool; f++)
                pool[f * n + p] = (ushort)Math.Clamp(Math.Round(det.OffsetsAdu[p] + sAdu * (z[f] - mean)), 0, ushort.MaxValue);
        }
        return pool;
    }

    /// <summary>
    /// Fills <paramref name="frames"/> (<paramref name="count"/> x pixels values) with frames
    /// <c>chunk * ChunkFrames</c> onwards, from random stream (<paramref name="seed"/>, chunk).
    /// </summary>
    public void SampleChunk(ulong seed, long chunk, int count, Span<ushort> frames)
    {
        if (count < 0 || count > ChunkFrames) throw new ArgumentOutOfRangeException(nameof(count), $"a chunk holds 0-{ChunkFrames} frames");
        if (frames.Length < count * _pixels) throw new ArgumentException("frame buffer too small", nameof(frames));
        var rng = new Xoshiro256(seed, (ulong)chunk + 1);
        var energy = new double[_pixels];
        var touched = new int[_pixels];
        Span<Deposit> dep = stackalloc Deposit[8];
        var gradients = _det.GradientsKeVPerAdu;
        var intercepts = _det.InterceptsKeV;
        var offsets = _det.OffsetsAdu;
        var sigma = _det.ElectronicSigmaKeV;
        for (int f = 0; f < count; f++)
        {
            var frame = frames.Slice(f * _pixels, _pixels);
            int pool = (int)(rng.Next() % PedestalPool);
            _pedestal.AsSpan(pool * _pixels, _pixels).CopyTo(frame);
            if (_pixel is null) continue;
            long photons = _photons.Next(ref rng);
            int nTouched = 0;
            for (long i = 0; i < photons; i++)
            {
                int p = _pixel.Sample(rng.Next());
                int src = _source[p]!.Sample(rng.Next());
                double e = src < _species ? SpeciesEnergy(src, _tilt[p], ref rng) : _grid.Centre(_energy[_species].Sample(rng.Next()));
                int n = _det.Interact(e, ref rng, dep);
                int row = p / _cols, col = p - row * _cols;
                for (int d = 0; d < n; d++)
                {
                    int r = row + dep[d].DRow, c = col + dep[d].DCol;
                    if ((uint)r >= (uint)_rows || (uint)c >= (uint)_cols) continue;
                    int idx = r * _cols + c;
                    if (energy[idx] == 0) touched[nTouched++] = idx;
                    energy[idx] += dep[d].KeV;
                }
            }
            for (int t = 0; t < nTouched; t++)
            {
                int idx = touched[t];
                double e = energy[idx];
                energy[idx] = 0;
                double m = gradients[idx];
                if (m <= 0) continue;
                double noisy = e + Math.Sqrt(sigma[idx] * sigma[idx] + _det.FanoVariance(e)) * rng.NextNormal();
                double adu = offsets[idx] + (noisy - intercepts[idx]) / m;
                frame[idx] = (ushort)Math.Clamp(Math.Round(adu), 0, ushort.MaxValue);
            }
        }
    }

    private double SpeciesEnergy(int k, double beta, ref Xoshiro256 rng)
    {
        double bound = beta >= 0 ? 1 + 0.25 * beta : 1 + 0.15 * -beta;
        while (true)
        {
            double e = _grid.Centre(_energy[k].Sample(rng.Next()));
            if (beta == 0) return e;
            double accept = (1 + beta * PixelScene.TiltTau(e, _comptonKeV)) / bound;
            if (rng.NextDouble() < accept) return e;
        }
    }

    /// <summary>
    /// Samples <paramref name="frames"/> frames in parallel chunks and hands them to <paramref name="sink"/> in
    /// order (first frame index, frames as a flat span of count x pixels). Streamed: while the sink takes one
    /// wave of chunks (e.g. writes it to disk), the workers sample the next into a second set of buffers.
    /// </summary>
    public void Sample(ulong seed, long frames, Action<long, ReadOnlySpan<ushort>> sink, int maxThreads = 0)
    {
        if (frames <= 0) throw new InputException($"frame count {frames} is not valid: it must be positive");
        int threads = maxThreads > 0 ? maxThreads : Environment.ProcessorCount;
        long chunks = (frames + ChunkFrames - 1) / ChunkFrames;
        int wave = (int)Math.Min(Math.Max(1, threads * 2), chunks);
        var buffers = new ushort[wave * (chunks > wave ? 2 : 1)][];
        for (int i = 0; i < buffers.Length; i++) buffers[i] = new ushort[ChunkFrames * _pixels];
        var options = new ParallelOptions { MaxDegreeOfParallelism = threads };
        Task pending = Task.CompletedTask;
        long w = 0;
        try
        {
            for (long first = 0; first < chunks; first += wave, w++)
            {
                int n = (int)Math.Min(wave, chunks - first);
                int set = (int)(w % (buffers.Length / wave)) * wave;
                long start = first;
                Parallel.For(0, n, options, i =>
                {
                    long chunk = start + i;
                    SampleChunk(seed, chunk, Count(chunk), buffers[set + i]);
                });
                pending.GetAwaiter().GetResult(); // the previous wave is in the sink's hands until here
                pending = Task.Run(() =>
                {
                    for (int i = 0; i < n; i++)
                    {
                        long chunk = start + i;
                        sink(chunk * ChunkFrames, buffers[set + i].AsSpan(0, Count(chunk) * _pixels));
                    }
                });
            }
        }
        catch
        {
            try { pending.Wait(); } catch (AggregateException) { } // never leave a sink running on our buffers
            throw;
        }
        pending.GetAwaiter().GetResult();

        int Count(long chunk) => (int)Math.Min(ChunkFrames, frames - chunk * ChunkFrames);
    }
}
