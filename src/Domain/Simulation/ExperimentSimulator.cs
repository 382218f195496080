using System.Globalization;
using System.Text;
using System.Text.Json;
using PureHDF;
using XcsCt.Domain.Detector;
using XcsCt.Domain.Formats;
using XcsCt.Domain.Xct;
using ComptonSettings = XcsCt.Domain.Compton.AnalysisSettings;

namespace XcsCt.Domain.Simulation;

/// <summary>Raw frame file format of a simulated experiment (FORMATS, inputs).</summary>
public enum FrameFormat
{
    /// <summary>HexitecGigE <c>.bin</c>: headerless little-endian uint16, streamed.</summary>
    Bin,
    /// <summary>odin-data HDF5 <c>/raw_frames</c> [N, rows, cols] uint16 (held in memory while written).</summary>
    Odin,
}

/// <summary>What <see cref="ExperimentSimulator"/> simulates.</summary>
/// <param name="Preset">Preset name (<see cref="CoinCellPreset.Names"/>).</param>
/// <param name="Scans">Scans in the series (at least 1).</param>
/// <param name="Frames">Frames per scan (at least 1).</param>
/// <param name="Seed">Seed of every random draw (frames, noise, detector).</param>
public sealed record SimulationOptions(string Preset, int Scans, long Frames, ulong Seed)
{
    /// <summary>Bound-lithium Compton profile model (default free atom).</summary>
    public LithiationModel Lithiation { get; init; } = LithiationModel.FreeAtom;

    /// <summary>Frame file format (default .bin).</summary>
    public FrameFormat Format { get; init; } = FrameFormat.Bin;

    /// <summary>Frames of each reference run (dark, empty holder, PTFE); 0 = min(frames, 8192).</summary>
    public long ReferenceFrames { get; init; }

    /// <summary>Photons per frame in a pixel whose footprint is all steel, before attenuation (0.04).</summary>
    public double PeakOccupancy { get; init; } = 0.04;

    /// <summary>Write synthetic XCT volumes and label volumes per scan (default true).</summary>
    public bool Xct { get; init; } = true;

    /// <summary>Worker threads for frame sampling (0 = all cores).</summary>
    public int Threads { get; init; }

    /// <summary>Most frames an odin HDF5 file may hold (it is built in memory).</summary>
    public const long MaxOdinFrames = 65536;

    /// <summary>Checks every value before anything is written; <see cref="InputException"/> naming the first bad one.</summary>
    public SimulationOptions Validated()
    {
        CoinCellPreset.Create(Preset);
        if (Scans <= 0 || Scans > 10000) throw new InputException($"--scans {Scans} is not valid: expected 1-10000 scans");
        if (Frames <= 0) throw new InputException($"--frames {Frames} is not valid: it must be a positive number of frames");
        if (Frames > 1L << 34) throw new InputException($"--frames {Frames} is not valid: at most {1L << 34} frames per scan");
        if (ReferenceFrames < 0) throw new InputException($"reference frames {ReferenceFrames} is not valid: it must not be negative");
        if (Format == FrameFormat.Odin && Math.Max(Frames, ReferenceFrames) > MaxOdinFrames)
            throw new InputException($"odin HDF5 output holds at most {MaxOdinFrames} frames per file here; use .bin for {Frames} frames");
        if (!(PeakOccupancy > 0 && PeakOccupancy <= 1)) throw new InputException($"peak occupancy {PeakOccupancy} is not valid: expected 0-1");
        if (!Enum.IsDefined(Lithiation)) throw new InputException($"lithiation model {(int)Lithiation} is not valid");
        return this;
    }
}

/// <summary>One simulated scan: its plan, files and truth.</summary>
public sealed record SimulatedScan(OperandoScan Plan, IReadOnlyList<string> FrameFiles, IReadOnlyDictionary<string, string> MaskFiles,
    string? XctVolume, string? XctLabels, ScanTruth Truth);

/// <summary>A written experiment directory.</summary>
/// <param name="Directory">The output directory.</param>
/// <param name="Manifest">manifest.yaml, ready for <c>xcsct process --manifest</c>.</param>
/// <param name="TruthJson">truth.json.</param>
/// <param name="TruthNexus">truth.nxs.</param>
public sealed record SimulatedExperiment(string Directory, string Manifest, string TruthJson, string TruthNexus, string Experiment,
    IReadOnlyList<SimulatedScan> Scans);

/// <summary>
/// Writes a whole simulated experiment (ISSUE 3): raw frames per scan, the calibration maps (the real
/// gradient/intercept maps, offsets, thresholds), dark, empty-holder and PTFE runs, component masks,
/// synthetic XCT volumes with their label volumes, a manifest that <c>xcsct process --manifest</c> runs as
/// is, and truth.json + truth.nxs. Everything is written into a temporary sibling directory that is
/// renamed into place at the end, so no half-written experiment ever carries the final name.
/// </summary>
public static class ExperimentSimulator
{
    /// <summary>XCT voxel size of the synthetic volumes, um (coarse, so they stay small).</summary>
    public const double XctVoxelUm = 80;

    /// <summary>Simulates <paramref name="scans"/> scans of <paramref name="preset"/> into <paramref name="outDir"/>.</summary>
    public static SimulatedExperiment Write(string outDir, string preset, int scans, long frames, ulong seed, bool force,
        IProgress<string>? progress = null) =>
        Write(outDir, new SimulationOptions(preset, scans, frames, seed), force, progress);

    /// <inheritdoc cref="Write(string, string, int, long, ulong, bool, IProgress{string}?)"/>
    public static SimulatedExperiment Write(string outDir, SimulationOptions options, bool force, IProgress<string>? progress = null)
    {
        options.Validated();
        string final = Path.GetFullPath(outDir);
        if (File.Exists(final)) throw new InputException($"output {final} is a file, not a directory");
        if (Directory.Exists(final) && Directory.EnumerateFileSystemEntries(final).Any() && !force)
            throw new InputException($"output directory {final} exists and is not empty: choose another or pass --force to replace it");
        string parent = Path.GetDirectoryName(final) ?? ".";
        Directory.CreateDirectory(parent);
        string work = Path.Combine(parent, $".{Path.GetFileName(final)}.partial-{Guid.NewGuid():N}");
        Directory.CreateDirectory(work);
        try
        {
            var result = WriteInto(work, final, options, progress);
            if (Directory.Exists(final)) Directory.Delete(final, recursive: true);
            Directory.Move(work, final);
            return result;
        }
        catch
        {
            try { Directory.Delete(work, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
            throw;
        }
    }

    private static SimulatedExperiment WriteInto(string work, string final, SimulationOptions o, IProgress<string>? progress)
    {
        var preset = CoinCellPreset.Create(o.Preset);
        var detector = DetectorModel.Hexitec(o.Seed);
        var shape = detector.Shape;
        var model = new SimulationModel(preset, detector, BeamGeometry.Default, o.Lithiation, o.PeakOccupancy);
        string experiment = $"sim-{o.Preset}-{o.Seed}";
        string F(string rel) => Path.Combine(final, rel);
        string W(string rel)
        {
            string p = Path.Combine(work, rel);
            Directory.CreateDirectory(Path.GetDirectoryName(p)!);
            return p;
        }
        string ext = o.Format == FrameFormat.Bin ? ".bin" : ".h5";
        long refFrames = o.ReferenceFrames > 0 ? o.ReferenceFrames : Math.Min(o.Frames, 8192);

        progress?.Report("calibration maps");
        PixelMapText.Write(W("cal/m.txt"), shape, detector.GradientsKeVPerAdu);
        PixelMapText.Write(W("cal/c.txt"), shape, detector.InterceptsKeV);
        PixelMapText.Write(W("cal/offsets.txt"), shape, detector.OffsetsAdu);
        PixelMapText.Write(W("cal/thresholds.txt"), shape, detector.ThresholdsAdu);

        progress?.Report("reference runs (dark, empty holder, PTFE)");
        WriteFrames(W("ref/dark" + ext), FrameSampler.Dark(detector), o.Seed ^ 0xDA4C, refFrames, o, shape);
        var emptyScan = model.Scan(preset.EmptyScene(), 0);
        var emptyExpected = emptyScan.ExpectedSpectra();
        WriteFrames(W("ref/empty" + ext), emptyScan.Sampler(), o.Seed ^ 0xE3971, refFrames, o, shape);
        WriteFrames(W("ref/ptfe" + ext), model.Scan(preset.PtfeScene(), 0).Sampler(), o.Seed ^ 0x97FE, refFrames, o, shape);

        var settings = ComptonSettings.Default;
        var scans = new List<SimulatedScan>();
        var entries = new List<ScanEntry>();
        foreach (var plan in preset.Series(o.Scans))
        {
            progress?.Report($"scan {plan.Id} ({plan.Depth}, t = {plan.TimeS / 3600:F1} h, x = {plan.MeanLithium:F2}): {o.Frames} frames");
            var scene = preset.Scene(plan);
            var scan = model.Scan(scene, plan.ZMm);
            string frameFile = $"run/{plan.Id}{ext}";
            var masks = new Dictionary<string, float[]>();
            var maskFiles = new Dictionary<string, string>();
            for (int label = 1; label < preset.Components.Count; label++)
            {
                var m = scan.Scene.Mask(label);
                double sum = 0;
                foreach (float v in m) sum += v;
                if (sum < 1) continue; // less than one pixel's worth: not a component of this scan
                string name = preset.Components[label];
                masks[name] = m;
                string rel = $"masks/{plan.Id}_{name}.txt";
                PixelMapText.Write(W(rel), shape, m);
                maskFiles[name] = F(rel);
            }
            // The truth (CPU) is computed while the frames are sampled and written (disk).
            var truthTask = Task.Run(() => ScanTruth.Compute(plan, scan, scan.ExpectedSpectra(), emptyExpected, o.Frames, masks, settings));
            try
            {
                WriteFrames(W(frameFile), scan.Sampler(), o.Seed + 1000003UL * (ulong)(plan.Index + 1), o.Frames, o, shape);
            }
            catch
            {
                try { truthTask.Wait(); } catch (AggregateException) { } // nothing left running in the background
                throw;
            }
            var truth = truthTask.GetAwaiter().GetResult();
            string? volume = null, labels = null;
            if (o.Xct)
            {
                var (grey, lab) = SyntheticXct.Build(preset, scene, plan, o.Seed);
                TiffStackWriter.Write(W($"xct/{plan.Id}.tif"), grey);
                TiffStackWriter.Write(W($"xct/{plan.Id}_labels.tif"), lab);
                File.WriteAllText(W($"xct/{plan.Id}_registration.yaml"), SyntheticXct.RegistrationYaml(preset, plan), new UTF8Encoding(false));
                volume = F($"xct/{plan.Id}.tif");
                labels = F($"xct/{plan.Id}_labels.tif");
            }
            scans.Add(new SimulatedScan(plan, new[] { F(frameFile) }, maskFiles, volume, labels, truth));
            entries.Add(new ScanEntry(plan.Id, plan.TimeS, plan.ZMm * 1000, new[] { F(frameFile) }) { Masks = maskFiles });
        }

        var lithium = new List<Formats.LithiumReference>();
        var rested = scans.Where(s => s.Plan.Rested && s.Plan.Depth == preset.Heights[0].Depth).ToList();
        if (rested.Count >= 2 && rested[0].Plan.MeanLithium - rested[^1].Plan.MeanLithium > 0.1)
        {
            lithium.Add(new Formats.LithiumReference(rested[0].Plan.Id, rested[0].Plan.MeanLithium));
            lithium.Add(new Formats.LithiumReference(rested[^1].Plan.Id, rested[^1].Plan.MeanLithium));
        }
        var manifest = new ExperimentManifest
        {
            Experiment = experiment,
            Beam = new BeamSettings(model.Beam.IncidentKeV, model.Beam.AngleDeg),
            Detector = new DetectorSettings(shape.Rows, shape.Cols, detector.Physics.PitchUm),
            Calibration = new CalibrationSettings(F("cal/m.txt"), F("cal/c.txt")) { Offsets = F("cal/offsets.txt"), Thresholds = F("cal/thresholds.txt") },
            References = new ReferenceRuns { Dark = new[] { F("ref/dark" + ext) }, Empty = new[] { F("ref/empty" + ext) }, Ptfe = new[] { F("ref/ptfe" + ext) } },
            Lithium = new LithiumSettings { References = lithium },
            Scans = entries,
        };
        File.WriteAllText(W("manifest.yaml"), ManifestWriter.ToYaml(manifest, final), new UTF8Encoding(false));
        progress?.Report("truth.json, truth.nxs");
        WriteTruthJson(W("truth.json"), experiment, o, preset, model, scans, lithium);
        WriteTruthNexus(W("truth.nxs"), shape, detector.Physics.PitchUm / 1000, scans);
        return new SimulatedExperiment(final, F("manifest.yaml"), F("truth.json"), F("truth.nxs"), experiment, scans);
    }

    private static void WriteFrames(string path, FrameSampler sampler, ulong seed, long frames, SimulationOptions o, DetectorShape shape)
    {
        if (o.Format == FrameFormat.Odin)
        {
            var all = new ushort[frames * shape.Pixels];
            sampler.Sample(seed, frames, (first, data) => data.CopyTo(all.AsSpan((int)(first * shape.Pixels))), o.Threads);
            OdinFrameFile.WriteRaw(path, shape, all);
            return;
        }
        using var writer = BinFrameFile.Create(path);
        sampler.Sample(seed, frames, (_, data) => writer.Write(data), o.Threads);
        writer.Commit();
    }

    private static void WriteTruthJson(string path, string experiment, SimulationOptions o, CoinCellPreset preset, SimulationModel model,
        IReadOnlyList<SimulatedScan> scans, IReadOnlyList<Formats.LithiumReference> lithium)
    {
        using var stream = File.Create(path);
        using var w = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true });
        static void Num(Utf8JsonWriter w, string name, double v)
        {
            if (double.IsFinite(v)) w.WriteNumber(name, Math.Round(v, 6));
            else w.WriteNull(name);
        }
        w.WriteStartObject();
        w.WriteString("experiment", experiment);
        w.WriteString("preset", o.Preset);
        w.WriteNumber("seed", o.Seed);
        w.WriteNumber("frames", o.Frames);
        w.WriteString("lithiation", o.Lithiation.ToString());
        w.WriteString("geometry", "cell flat, axis z; sheet beam along +x at height z; detector above at magnification 1; pixel (row, col) sees x = (col + 0.5 - 40) * 0.25 mm, y = (row + 0.5 - 40) * 0.25 mm");
        Num(w, "incident_keV", model.Beam.IncidentKeV);
        Num(w, "compton_line_keV", model.Beam.ComptonKeV);
        w.WritePropertyName("components");
        w.WriteStartArray();
        foreach (var c in preset.Components) w.WriteStringValue(c);
        w.WriteEndArray();
        w.WritePropertyName("lithium_references");
        w.WriteStartArray();
        foreach (var r in lithium) { w.WriteStartObject(); w.WriteString("scan", r.Scan); Num(w, "x", r.X); w.WriteEndObject(); }
        w.WriteEndArray();
        w.WritePropertyName("scans");
        w.WriteStartArray();
        foreach (var s in scans)
        {
            var t = s.Truth;
            w.WriteStartObject();
            w.WriteString("scan", s.Plan.Id);
            Num(w, "time_s", s.Plan.TimeS);
            Num(w, "z_um", s.Plan.ZMm * 1000);
            w.WriteString("depth", s.Plan.Depth);
            Num(w, "state_of_charge", s.Plan.StateOfCharge);
            w.WriteBoolean("rested", s.Plan.Rested);
            Num(w, "cathode_mean_x", s.Plan.MeanLithium);
            Num(w, "sheet_x", preset.SheetLithium(s.Plan));
            Num(w, "compton_peak_keV", t.ComptonPeakKeV);
            double total = 0, profile = 0;
            foreach (double v in t.ExpectedCounts) total += v;
            foreach (double v in t.ExpectedProfileCounts) if (double.IsFinite(v)) profile += v;
            w.WriteStartObject("counts");
            Num(w, "expected_events", total);
            Num(w, "expected_profile_counts", profile);
            w.WriteEndObject();
            w.WriteStartObject("emf");
            Num(w, "global", t.GlobalEmf);
            w.WriteStartObject("components");
            foreach (var (name, v) in t.ComponentEmf) Num(w, name, v);
            w.WriteEndObject();
            w.WriteEndObject();
            w.WriteStartObject("li_fraction");
            w.WriteStartObject("components");
            foreach (var (name, v) in t.ComponentLithium) Num(w, name, v);
            w.WriteEndObject();
            w.WriteEndObject();
            w.WriteEndObject();
        }
        w.WriteEndArray();
        w.WriteEndObject();
    }

    private static void WriteTruthNexus(string path, DetectorShape shape, double pitchMm, IReadOnlyList<SimulatedScan> scans)
    {
        var entry = new H5Group { Attributes = new() { ["NX_class"] = "NXentry" } };
        ulong[] dims = { (ulong)shape.Rows, (ulong)shape.Cols };
        var x = new double[shape.Cols];
        for (int i = 0; i < x.Length; i++) x[i] = (i + 0.5 - shape.Cols / 2.0) * pitchMm;
        var y = new double[shape.Rows];
        for (int i = 0; i < y.Length; i++) y[i] = (i + 0.5 - shape.Rows / 2.0) * pitchMm;
        foreach (var s in scans)
        {
            var t = s.Truth;
            var masks = new H5Group { Attributes = new() { ["NX_class"] = "NXcollection" } };
            foreach (var (name, m) in t.Masks) masks[name] = new H5Dataset((float[])m.Clone(), fileDims: dims);
            entry[s.Plan.Id] = new H5Group
            {
                Attributes = new() { ["NX_class"] = "NXdata", ["signal"] = "emf", ["axes"] = new[] { "y", "x" } },
                ["emf"] = new H5Dataset(t.EmfMap, fileDims: dims),
                ["li_fraction"] = new H5Dataset(t.LithiumMap, fileDims: dims),
                ["expected_counts"] = new H5Dataset(t.ExpectedCounts, fileDims: dims),
                ["expected_profile_counts"] = new H5Dataset(t.ExpectedProfileCounts, fileDims: dims),
                ["x"] = x,
                ["y"] = y,
                ["masks"] = masks,
            };
        }
        var file = new H5File { Attributes = new() { ["NX_class"] = "NXroot" }, ["entry"] = entry };
        file.Write(path);
    }
}
