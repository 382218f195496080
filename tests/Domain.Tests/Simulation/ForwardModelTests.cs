using XcsCt.Domain.Simulation;
using XcsCt.Domain.Spectra;

namespace XcsCt.Domain.Tests.Simulation;

/// <summary>The forward model against the known magnitudes of ANALYSIS 5 and the Biggs table itself.</summary>
public class ForwardModelTests
{
    /// <summary>Relative tolerance on the known EMF magnitudes (they are quoted to 2-3 digits).</summary>
    private const double MagnitudeTolerance = 0.02;

    private static readonly IncidentSpectra Spectra = new(BeamGeometry.Default, LithiationModel.FreeAtom, FineGrid.Default, DetectorModel.Hexitec(1));

    /// <summary>Incident spectrum of a material smeared by a Gaussian of 0.93 keV FWHM onto the default axis: "Biggs, 0.93 keV FWHM, no background".</summary>
    private static double IdealEmf(Material m)
    {
        var fine = new double[FineGrid.Default.Bins];
        foreach (var (s, n) in m.AtomsPerCm3)
        {
            var f = Spectra.Of(s);
            for (int i = 0; i < fine.Length; i++) fine[i] += n * f[i];
        }
        var axis = HistogramAxis.Default;
        var h = new double[axis.Bins];
        double sigma = 0.93 / 2.3548;
        for (int i = 0; i < fine.Length; i++)
        {
            if (fine[i] == 0) continue;
            double e = FineGrid.Default.Centre(i);
            int lo = Math.Max(0, (int)((e - 8 * sigma) / axis.BinWidthKeV)), hi = Math.Min(axis.Bins - 1, (int)((e + 8 * sigma) / axis.BinWidthKeV));
            for (int b = lo; b <= hi; b++)
                h[b] += fine[i] * (Normal.Cdf((axis.UpperEdge(b) - e) / sigma) - Normal.Cdf((axis.LowerEdge(b) - e) / sigma));
        }
        return SimFixture.Emf(h, axis);
    }

    [Theory]
    [InlineData("Li", 0.534, 2.07)]
    [InlineData("C", 2.0, 1.72)]
    [InlineData("O", 1.0, 1.30)]
    [InlineData("F", 1.0, 1.13)]
    [InlineData("Mn", 7.3, 0.80)]
    [InlineData("Co", 8.9, 0.72)]
    [InlineData("Ni", 8.9, 0.69)]
    public void Element_emf_matches_the_known_magnitude(string element, double density, double expected)
    {
        double emf = IdealEmf(Material.Formula(element, element, density));
        Assert.InRange(emf, expected * (1 - MagnitudeTolerance), expected * (1 + MagnitudeTolerance));
    }

    [Fact]
    public void Stainless_steel_and_nmc811_match_the_known_magnitudes()
    {
        Assert.InRange(IdealEmf(CellMaterials.StainlessSteel), 0.76 * (1 - MagnitudeTolerance), 0.76 * (1 + MagnitudeTolerance));
        Assert.InRange(IdealEmf(CellMaterials.Nmc811(1)), 0.954 * (1 - MagnitudeTolerance), 0.954 * (1 + MagnitudeTolerance));
        Assert.InRange(IdealEmf(CellMaterials.Nmc811(0)), 0.900 * (1 - MagnitudeTolerance), 0.900 * (1 + MagnitudeTolerance));
    }

    [Fact]
    public void Emf_is_linear_in_the_lithium_fraction()
    {
        // ANALYSIS 6: EMF = EMF0 + k x, linear to < 0.3 % over x = 0..1.
        double e0 = IdealEmf(CellMaterials.Nmc811(0)), e1 = IdealEmf(CellMaterials.Nmc811(1)), eh = IdealEmf(CellMaterials.Nmc811(0.5));
        Assert.True(e1 > e0);
        Assert.InRange(eh, (e0 + e1) / 2 * (1 - 0.003), (e0 + e1) / 2 * (1 + 0.003));
    }

    [Fact]
    public void Ionic_lithium_has_a_broader_valence_profile_than_the_free_atom()
    {
        var ionic = new IncidentSpectra(BeamGeometry.Default, LithiationModel.Ionic, FineGrid.Default, DetectorModel.Hexitec(1));
        var free = Spectra.Of(new Species(3, true));
        var ion = ionic.Of(new Species(3, true));
        double peakFree = free.Max(), peakIon = ion.Max();
        // Same three electrons (areas equal within 1 %), the O 2p-like electron lowers and widens the peak.
        Assert.InRange(ion.Sum() / free.Sum(), 0.99, 1.01);
        Assert.True(peakIon < 0.8 * peakFree, $"ionic peak {peakIon} vs free {peakFree}");
    }

    [Fact]
    public void Profile_table_is_per_electron_and_sums_to_the_total_column()
    {
        var li = ComptonProfileTable.Biggs[3];
        Assert.Equal(new[] { 2, 1 }, li.Occupancy);
        Assert.InRange(li.TotalJ(0), 2.59 - 0.01, 2.59 + 0.01); // the table's total column at pz = 0 (rounded in the file)
        for (int s = 0; s < li.Shells; s++)
        {
            double area = 0;
            for (double pz = -40; pz < 40; pz += 0.005) area += li.ShellJ(s, pz + 0.0025) * 0.005;
            Assert.InRange(area, 0.98, 1.02);
        }
        Assert.Equal(102, ComptonProfileTable.Biggs.Count);
        Assert.Throws<InputException>(() => ComptonProfileTable.Biggs[200]);
    }

    [Fact]
    public void Compton_line_and_pz_follow_the_spec()
    {
        var b = BeamGeometry.Default;
        Assert.Equal(93.634, b.ComptonKeV, 3);
        Assert.Equal(0, b.Pz(b.ComptonKeV), 6);
        Assert.Equal(-1, b.Pz(92.755), 1);
        Assert.Equal(1, b.Pz(94.520), 1);
    }

    [Fact]
    public void Bad_formula_and_density_are_input_errors()
    {
        Assert.Throws<InputException>(() => Material.Formula("x", "Xx2", 1));
        Assert.Throws<InputException>(() => Material.Formula("x", "li2", 1));
        Assert.Throws<InputException>(() => Material.Formula("x", "Li", -1));
    }
}
