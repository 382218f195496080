using XcsCt.Domain.Compton;

namespace XcsCt.Domain.Tests.Compton;

public class ComptonGeometryTests
{
    /// <summary>ANALYSIS quotes energies to 3 decimals (keV) and momenta to 3 decimals (a.u.).</summary>
    private const double SpecRoundingKeV = 0.0008;
    private const double SpecRoundingPz = 0.001;

    /// <summary>
    /// ANALYSIS section 5 quotes the |pz| = 5 edges as 89.317 and 98.140 keV, but its own equation 2
    /// puts them at 89.3031 and 98.1308 keV (checked independently by bisection): the quoted values
    /// are 0.014 and 0.009 keV off, under a tenth of a bin. We follow the equation.
    /// </summary>
    private const double SpecOuterEdgeDiscrepancyKeV = 0.015;

    private const double InverseTolerancePz = 1e-9;

    private static readonly ComptonGeometry G = ComptonGeometry.Default;

    [Fact]
    public void ComptonLineOfDefaultGeometryIs93_634keV()
    {
        Assert.Equal(93.634, G.ComptonLineKeV, SpecRoundingKeV);
        Assert.Equal(0.0, G.Pz(G.ComptonLineKeV), 1e-12);
    }

    [Fact]
    public void ParameterlessConstructorIsTheDefaultGeometry()
    {
        Assert.Equal(ComptonGeometry.Default, new ComptonGeometry());
        Assert.Equal(114.64, new ComptonGeometry().IncidentKeV);
        Assert.Equal(90.0, new ComptonGeometry().AngleDeg);
    }

    [Fact]
    public void UnitMomentumEdgesMatchTheSpec()
    {
        Assert.Equal(1.000, G.Pz(94.520), SpecRoundingPz);
        Assert.Equal(-1.000, G.Pz(92.755), SpecRoundingPz);
        Assert.Equal(94.520, G.EnergyAtPz(1), SpecRoundingKeV);
        Assert.Equal(92.755, G.EnergyAtPz(-1), SpecRoundingKeV);
    }

    [Fact]
    public void OuterWindowEdgesFollowEquation2()
    {
        Assert.Equal(89.317, G.EnergyAtPz(-5), SpecOuterEdgeDiscrepancyKeV);
        Assert.Equal(98.140, G.EnergyAtPz(5), SpecOuterEdgeDiscrepancyKeV);
        Assert.Equal(89.3031, G.EnergyAtPz(-5), 1e-4);
        Assert.Equal(98.1308, G.EnergyAtPz(5), 1e-4);
    }

    [Fact]
    public void OneBinOf0_2keVIsAbout0_227AtomicUnits()
    {
        Assert.Equal(0.227, G.Pz(93.7) - G.Pz(93.5), 0.001);
    }

    [Fact]
    public void MomentumIsPositiveOnTheHighEnergySide()
    {
        Assert.True(G.Pz(G.ComptonLineKeV + 0.01) > 0);
        Assert.True(G.Pz(G.ComptonLineKeV - 0.01) < 0);
    }

    [Theory]
    [InlineData(114.64, 90)]
    [InlineData(114.64, 60)]
    [InlineData(80.0, 135)]
    [InlineData(150.0, 170)]
    [InlineData(60.0, 20)]
    public void EnergyAtPzInvertsPz(double e1, double angle)
    {
        var g = new ComptonGeometry(e1, angle);
        for (double pz = -30; pz <= 30; pz += 0.37)
            Assert.Equal(pz, g.Pz(g.EnergyAtPz(pz)), InverseTolerancePz);
        Assert.Equal(g.ComptonLineKeV, g.EnergyAtPz(0), 1e-9);
    }

    [Fact]
    public void EnergyAtPzIsNaNOutsideThePhysicalRange()
    {
        Assert.True(double.IsNaN(G.EnergyAtPz(-200)));
        Assert.True(double.IsNaN(G.EnergyAtPz(1000)));
    }

    [Theory]
    [InlineData(0, 90)]
    [InlineData(-5, 90)]
    [InlineData(double.NaN, 90)]
    [InlineData(114.64, 0)]
    [InlineData(114.64, 181)]
    public void InvalidGeometryIsRejected(double e1, double angle) =>
        Assert.Throws<InputException>(() => new ComptonGeometry(e1, angle).Validated());
}
