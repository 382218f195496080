using XcsCt.Domain.Plots;

namespace XcsCt.Domain.Tests.Plots;

public sealed class SpectrumLinesTests
{
    /// <summary>ANALYSIS quotes its energies to 0.001 keV (E_C) and 0.01 keV (escape peaks).</summary>
    private const double QuotedToMilli = 0.0005, QuotedToCenti = 0.005;

    [Fact]
    public void Default_geometry_gives_the_Compton_line_of_ANALYSIS()
    {
        var lines = SpectrumLines.ForBeam();
        Assert.Equal(114.64, lines.ElasticKeV);
        Assert.Equal(93.634, lines.ComptonKeV, QuotedToMilli);
    }

    [Fact]
    public void Cd_K_alpha_escape_of_the_elastic_line_is_at_91_47_and_91_66_keV()
    {
        var escape = SpectrumLines.ForBeam().Markers().Single(m => m.Label == "Cd Kα esc");
        Assert.Equal(LineFamily.Escape, escape.Family);
        Assert.Equal(91.47, escape.EnergiesKeV.Min(), QuotedToCenti);
        Assert.Equal(91.66, escape.EnergiesKeV.Max(), QuotedToCenti);
    }

    [Fact]
    public void Markers_cover_every_family_in_energy_order()
    {
        var markers = SpectrumLines.ForBeam().Markers();
        Assert.Equal(Enum.GetValues<LineFamily>().ToHashSet(), markers.Select(m => m.Family).ToHashSet());
        var lowest = markers.Select(m => m.EnergiesKeV.Min()).ToArray();
        Assert.Equal(lowest.Order(), lowest);
        Assert.Equal(SpectrumLines.TungstenKAlpha1KeV, markers.Single(m => m.Label == "W Kα1").EnergiesKeV.Single());
        Assert.Equal(SpectrumLines.LeadKBeta1KeV, markers.Single(m => m.Label == "Pb Kβ").EnergiesKeV.Single());
    }

    [Fact]
    public void Backscattering_at_180_degrees_follows_the_Compton_formula()
    {
        // E_C = E1 / (1 + 2 E1 / mc^2) at theta = 180 deg.
        var lines = SpectrumLines.ForBeam(100, 180);
        Assert.Equal(100 / (1 + 200 / 510.999), lines.ComptonKeV, 1e-12);
        Assert.Throws<InputException>(() => SpectrumLines.ForBeam(-1));
    }
}
