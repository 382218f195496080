using XcsCt.Domain.Detector;

namespace XcsCt.Domain.Simulation;

/// <summary>
/// What each pixel's footprint holds (ISSUE 2): the sheet beam (thickness <c>sheet</c>, along +x at height
/// z) crosses the 250 um x 250 um patch of the plane a pixel sees; integrated over that volume (exact in y
/// between layer and bubble boundaries, 5 x 3 columns in x and z) are the atoms of each species weighted by
/// the transmission in (along -x at E1) and out (along +z towards the pinhole at E_C), the volume of each
/// component (true masks), and the lithium fraction of the active material. The energy dependence of the
/// out-transmission is kept to first order as a tilt <c>t(E) = t(E_C)(1 + beta tau(E))</c> with
/// <c>tau = clamp((E - E_C)/E_C, -0.15, 0.25)</c>.
/// </summary>
public sealed class PixelScene
{
    private const int Nx = 5, Nz = 3, SubSteps = 2;

    private PixelScene(DetectorShape shape, SpeciesSet species, int labels)
    {
        Shape = shape;
        Species = species;
        Labels = labels;
        Amounts = new double[shape.Pixels * species.Count];
        Tilt = new double[shape.Pixels];
        LabelVolume = new double[labels * shape.Pixels];
        LithiumFraction = new double[shape.Pixels];
    }

    public DetectorShape Shape { get; }
    public SpeciesSet Species { get; }
    public int Labels { get; }

    /// <summary>Transmission-weighted atoms of species k in pixel p's footprint: <c>Amounts[p * species + k]</c>.</summary>
    public double[] Amounts { get; }

    /// <summary>Out-attenuation tilt beta per pixel (see the class summary).</summary>
    public double[] Tilt { get; }

    /// <summary>Fraction of pixel p's footprint volume in component l: <c>LabelVolume[l * pixels + p]</c>, in [0, 1].</summary>
    public double[] LabelVolume { get; }

    /// <summary>Mean lithium fraction x of the active material in the footprint, NaN where there is none.</summary>
    public double[] LithiumFraction { get; }

    /// <summary>Fractional mask of component <paramref name="label"/> (one value per pixel, row-major).</summary>
    public float[] Mask(int label)
    {
        var m = new float[Shape.Pixels];
        for (int p = 0; p < m.Length; p++) m[p] = (float)LabelVolume[label * Shape.Pixels + p];
        return m;
    }

    /// <summary>Energy argument of the tilt basis: clamp((E - E_C)/E_C, -0.15, 0.25).</summary>
    public static double TiltTau(double eKeV, double comptonKeV) => Math.Clamp((eKeV - comptonKeV) / comptonKeV, -0.15, 0.25);

    /// <summary>Integrates <paramref name="scene"/> over every pixel footprint.</summary>
    /// <param name="pitchMm">Pixel footprint in the sheet plane, mm (0.25 at magnification 1).</param>
    /// <param name="zMm">Sheet height, mm.</param>
    /// <param name="sheetMm">Sheet thickness, mm (0.25).</param>
    public static PixelScene Build(CellScene scene, DetectorShape shape, int labels, double pitchMm, double zMm, double sheetMm, BeamGeometry beam)
    {
        var ps = new PixelScene(shape, scene.Species, labels);
        int s = scene.Species.Count;
        var sigma1 = new double[s];
        var sigmaC = new double[s];
        var sigmaT = new double[s];
        double ec = beam.ComptonKeV, et = ec * 0.9;
        var electrons = new double[s];
        for (int k = 0; k < s; k++)
        {
            int z = scene.Species.Items[k].Z;
            sigma1[k] = CrossSections.TotalCm2(z, beam.IncidentKeV);
            sigmaC[k] = CrossSections.TotalCm2(z, ec);
            sigmaT[k] = CrossSections.TotalCm2(z, et);
            electrons[k] = z;
        }
        static double Mu(double[] v, double[] sig) { double m = 0; for (int k = 0; k < v.Length; k++) m += v[k] * sig[k]; return m; }
        double cavity1 = Mu(scene.Cavity, sigma1), cavityC = Mu(scene.Cavity, sigmaC), cavityT = Mu(scene.Cavity, sigmaT);
        double rim1 = Mu(scene.Rim, sigma1), rimC = Mu(scene.Rim, sigmaC), rimT = Mu(scene.Rim, sigmaT);
        var layerMu = new Dictionary<Layer, (double M1, double MC, double MT)>();
        foreach (var l in scene.Layers) layerMu[l] = (Mu(l.Mean, sigma1), Mu(l.Mean, sigmaC), Mu(l.Mean, sigmaT));

        double rc = scene.CasingRadiusMm, ri = rc - scene.RimMm;
        Parallel.For(0, shape.Rows, row =>
        {
            var acc = new double[s];
            var cuts = new List<double>(16);
            double y0 = (row - shape.Rows / 2.0) * pitchMm, y1 = y0 + pitchMm;
            for (int col = 0; col < shape.Cols; col++)
            {
                int p = row * shape.Cols + col;
                Array.Clear(acc);
                double x0 = (col - shape.Cols / 2.0) * pitchMm;
                double dV = pitchMm / Nx * (sheetMm / Nz) * 1e-3; // mm^2 x (dy in mm) -> cm^3 below
                double liNum = 0, liDen = 0, tiltC = 0, tiltT = 0, volume = 0;
                for (int ix = 0; ix < Nx; ix++)
                for (int iz = 0; iz < Nz; iz++)
                {
                    double x = x0 + (ix + 0.5) * pitchMm / Nx;
                    double z = zMm - sheetMm / 2 + (iz + 0.5) * sheetMm / Nz;
                    cuts.Clear();
                    cuts.Add(y0); cuts.Add(y1);
                    foreach (var l in scene.Layers)
                    {
                        if (l.Y0 > y0 && l.Y0 < y1) cuts.Add(l.Y0);
                        if (l.Y1 > y0 && l.Y1 < y1) cuts.Add(l.Y1);
                    }
                    foreach (var b in scene.Spheres)
                    {
                        double h2 = b.R * b.R - (x - b.X) * (x - b.X) - (z - b.Z) * (z - b.Z);
                        if (h2 <= 0) continue;
                        double h = Math.Sqrt(h2);
                        if (b.Y - h > y0 && b.Y - h < y1) cuts.Add(b.Y - h);
                        if (b.Y + h > y0 && b.Y + h < y1) cuts.Add(b.Y + h);
                    }
                    cuts.Sort();
                    for (int c = 0; c + 1 < cuts.Count; c++)
                    {
                        double a = cuts[c], bnd = cuts[c + 1];
                        if (bnd - a < 1e-12) continue;
                        for (int sub = 0; sub < SubSteps; sub++)
                        {
                            double y = a + (sub + 0.5) * (bnd - a) / SubSteps;
                            double w = dV * (bnd - a) / SubSteps;
                            volume += w;
                            var (layer, region) = scene.Locate(x, y, z);
                            int label = 0;
                            double[]? vec = null;
                            int sphere = -1;
                            for (int i = 0; i < scene.Spheres.Count; i++)
                            {
                                var b = scene.Spheres[i];
                                double dx = x - b.X, dy = y - b.Y, dz = z - b.Z;
                                if (region != CellScene.Region.Outside && dx * dx + dy * dy + dz * dz < b.R * b.R) { sphere = i; break; }
                            }
                            // Transmission: in along -x (offset z), out along +z (offset x); radial regions of the slab at y.
                            double tIn = 1, tOutC = 1, tOutT = 1;
                            var slab = scene.LayerAt(y);
                            if (slab is not null)
                            {
                                var (m1, mC, mT) = layerMu[slab];
                                double rl = slab.RadiusMm;
                                double inL = Chord(x, z, rl), inI = Chord(x, z, Math.Max(ri, rl)), inC = Chord(x, z, rc);
                                double outL = ChordOut(z, x, rl), outI = ChordOut(z, x, Math.Max(ri, rl)), outC = ChordOut(z, x, rc);
                                tIn = Math.Exp(-0.1 * (m1 * inL + cavity1 * (inI - inL) + rim1 * (inC - inI)));
                                tOutC = Math.Exp(-0.1 * (mC * outL + cavityC * (outI - outL) + rimC * (outC - outI)));
                                tOutT = Math.Exp(-0.1 * (mT * outL + cavityT * (outI - outL) + rimT * (outC - outI)));
                            }
                            double t = tIn * tOutC;
                            double before = 0;
                            for (int k = 0; k < s; k++) before += acc[k] * electrons[k];
                            if (sphere >= 0) { vec = scene.SphereFill; label = scene.Spheres[sphere].Label; }
                            else if (region == CellScene.Region.Layer) { layer!.Fill(x, y, z, acc, w * t); label = layer.Label; }
                            else if (region == CellScene.Region.Cavity) { vec = scene.Cavity; label = scene.CavityLabel; }
                            else if (region == CellScene.Region.Rim) { vec = scene.Rim; label = scene.RimLabel; }
                            else { vec = scene.Outside; label = 0; }
                            if (vec is not null)
                                for (int k = 0; k < s; k++) acc[k] += vec[k] * w * t;
                            double after = 0;
                            for (int k = 0; k < s; k++) after += acc[k] * electrons[k];
                            double e = after - before; // electrons x t of this sample
                            tiltC += e;
                            tiltT += t > 0 ? e * tOutT / tOutC : 0;
                            if (label < labels) ps.LabelVolume[label * shape.Pixels + p] += w;
                            if (sphere < 0 && region == CellScene.Region.Layer && layer!.Sites is not null)
                            {
                                double sites = layer.Sites(x, y, z) * w;
                                liNum += sites * layer.Lithium(x, y, z);
                                liDen += sites;
                            }
                        }
                    }
                }
                for (int k = 0; k < s; k++) ps.Amounts[p * s + k] = acc[k];
                for (int l = 0; l < labels; l++) ps.LabelVolume[l * shape.Pixels + p] /= volume;
                ps.LithiumFraction[p] = liDen > 0 ? liNum / liDen : double.NaN;
                double tauT = TiltTau(et, ec);
                ps.Tilt[p] = tiltC > 0 ? Math.Clamp((tiltT / tiltC - 1) / tauT, -3, 3) : 0;
            }
        });
        return ps;
    }

    /// <summary>Length (mm) of the ray along -s from s = <paramref name="s"/> inside the circle of radius r at offset h: clamp(s, -a, a) + a.</summary>
    private static double Chord(double s, double h, double r)
    {
        double a2 = r * r - h * h;
        if (a2 <= 0) return 0;
        double a = Math.Sqrt(a2);
        return Math.Clamp(s, -a, a) + a;
    }

    /// <summary>Length (mm) of the ray along +s from s inside the circle of radius r at offset h: a - clamp(s, -a, a).</summary>
    private static double ChordOut(double s, double h, double r)
    {
        double a2 = r * r - h * h;
        if (a2 <= 0) return 0;
        double a = Math.Sqrt(a2);
        return a - Math.Clamp(s, -a, a);
    }
}
