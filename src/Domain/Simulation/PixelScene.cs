using XcsCt.Domain.Detector;

namespace XcsCt.Domain.Simulation;

/// <summary>
/// What each pixel's footprint holds (ISSUE 2): the sheet beam (thickness <c>sheet</c>, along +x at height
/// z) crosses the 250 um x 250 um patch of the plane a pixel sees; integrated over that volume (exact in z
/// between layer and bubble boundaries, 5 x 5 columns in x and y) are the atoms of each species weighted by
/// the transmission in (along -x at E1, through the layer, cavity and rim of the slab) and out (up along +z
/// through every layer above, towards the pinhole, at E_C), the volume of each component (true masks), and
/// the lithium fraction of the active material. The energy dependence of the out-transmission is kept to
/// first order as a tilt <c>t(E) = t(E_C)(1 + beta tau(E))</c> with <c>tau = clamp((E - E_C)/E_C, -0.15, 0.25)</c>.
/// </summary>
public sealed class PixelScene
{
    private const int Nx = 5, Ny = 5, SubSteps = 2;

    private PixelScene(DetectorShape shape, SpeciesSet species, int labels)
    {
        Shape = shape;
        Species = species;
        Labels = labels;
        Amounts = new double[shape.Pixels * species.Count];
        Tilt = new double[shape.Pixels];
        LabelVolume = new double[labels * shape.Pixels];
        LithiumFraction = new double[shape.Pixels];
        LithiumSites = new double[shape.Pixels];
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

    /// <summary>Lithium sites of the active material in the footprint (sites per cm^3 times cm^3): the weight of x in region means.</summary>
    public double[] LithiumSites { get; }

    /// <summary>True mean lithium fraction of the active material under a mask (weights per pixel), NaN where there is none.</summary>
    public double MeanLithium(ReadOnlySpan<float> mask)
    {
        double num = 0, den = 0;
        for (int p = 0; p < LithiumSites.Length; p++)
        {
            double w = mask[p];
            if (!(w > 0) || LithiumSites[p] <= 0) continue;
            num += w * LithiumSites[p] * LithiumFraction[p];
            den += w * LithiumSites[p];
        }
        return den > 0 ? num / den : double.NaN;
    }

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
        double z0 = zMm - sheetMm / 2, z1 = zMm + sheetMm / 2;
        Parallel.For(0, shape.Rows, row =>
        {
            var acc = new double[s];
            var cuts = new List<double>(16);
            double y0 = (row - shape.Rows / 2.0) * pitchMm;
            for (int col = 0; col < shape.Cols; col++)
            {
                int p = row * shape.Cols + col;
                Array.Clear(acc);
                double x0 = (col - shape.Cols / 2.0) * pitchMm;
                double dA = pitchMm / Nx * (pitchMm / Ny) * 1e-3; // mm^2 x dz (mm) x 1e-3 = cm^3
                double liNum = 0, liDen = 0, tiltC = 0, tiltT = 0, volume = 0;
                for (int ix = 0; ix < Nx; ix++)
                for (int iy = 0; iy < Ny; iy++)
                {
                    double x = x0 + (ix + 0.5) * pitchMm / Nx;
                    double y = y0 + (iy + 0.5) * pitchMm / Ny;
                    double r = Math.Sqrt(x * x + y * y);
                    cuts.Clear();
                    cuts.Add(z0); cuts.Add(z1);
                    foreach (var l in scene.Layers)
                    {
                        if (l.Z0 > z0 && l.Z0 < z1) cuts.Add(l.Z0);
                        if (l.Z1 > z0 && l.Z1 < z1) cuts.Add(l.Z1);
                    }
                    foreach (var b in scene.Spheres)
                    {
                        double h2 = b.R * b.R - (x - b.X) * (x - b.X) - (y - b.Y) * (y - b.Y);
                        if (h2 <= 0) continue;
                        double h = Math.Sqrt(h2);
                        if (b.Z - h > z0 && b.Z - h < z1) cuts.Add(b.Z - h);
                        if (b.Z + h > z0 && b.Z + h < z1) cuts.Add(b.Z + h);
                    }
                    cuts.Sort();
                    for (int c = 0; c + 1 < cuts.Count; c++)
                    {
                        double a = cuts[c], bnd = cuts[c + 1];
                        if (bnd - a < 1e-12) continue;
                        for (int sub = 0; sub < SubSteps; sub++)
                        {
                            double z = a + (sub + 0.5) * (bnd - a) / SubSteps;
                            double w = dA * (bnd - a) / SubSteps;
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
                            // In: along -x at (y, z) through the slab's layer, cavity and rim. Out: up along +z through every slab above.
                            double tIn = 1, muOutC = 0, muOutT = 0;
                            var slab = scene.LayerAt(z);
                            if (slab is not null)
                            {
                                var (m1, _, _) = layerMu[slab];
                                double rl = slab.RadiusMm;
                                double inL = Chord(x, y, rl), inI = Chord(x, y, Math.Max(ri, rl)), inC = Chord(x, y, rc);
                                tIn = Math.Exp(-0.1 * (m1 * inL + cavity1 * (inI - inL) + rim1 * (inC - inI)));
                            }
                            foreach (var l in scene.Layers)
                            {
                                if (l.Z1 <= z) continue;
                                double len = l.Z1 - Math.Max(l.Z0, z);
                                var (_, mC, mT) = layerMu[l];
                                muOutC += len * CellScene.RegionMu(l, r, rc, scene.RimMm, mC, cavityC, rimC);
                                muOutT += len * CellScene.RegionMu(l, r, rc, scene.RimMm, mT, cavityT, rimT);
                            }
                            double tOutC = Math.Exp(-0.1 * muOutC), tOutT = Math.Exp(-0.1 * muOutT);
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
                            tiltT += e * tOutT / tOutC;
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
                ps.LithiumSites[p] = liDen;
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
}
