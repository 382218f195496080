using XcsCt.Domain.Compton;

namespace XcsCt.Domain.Tests.Compton;

public class AnalysisSettingsTests
{
    [Fact]
    public void DefaultsAreTheSpecValues()
    {
        var s = AnalysisSettings.Default.Validated();
        Assert.Equal(ComptonGeometry.Default, s.Geometry);
        Assert.Equal(new EmfWindows(-1, 1, 1, 5), s.Windows);
        Assert.True(s.PeakCentring);
        Assert.Equal(1, s.Binning);
        Assert.Equal(100, s.MinCounts);
        Assert.Equal(90.0, s.PeakFitMinKeV);
        Assert.Equal(97.5, s.PeakFitMaxKeV);
        Assert.Equal(BinSpreading.Uniform, s.Spreading);
    }

    [Fact]
    public void FitRangeFollowsTheComptonLineUnlessSet()
    {
        var g = new ComptonGeometry(120, 90);
        var s = AnalysisSettings.Default with { Geometry = g };
        Assert.Equal(g.ComptonLineKeV - 3.6337494, s.PeakFitMinKeV, 1e-6);
        Assert.Equal(g.ComptonLineKeV + 3.8662506, s.PeakFitMaxKeV, 1e-6);
        s.Validated();
        var fixedRange = s with { PeakFitMinKeV = 95, PeakFitMaxKeV = 101 };
        Assert.Equal(95, fixedRange.PeakFitMinKeV);
        Assert.Equal(101, fixedRange.PeakFitMaxKeV);
    }

    [Fact]
    public void InvalidSettingsAreRejectedWithTheirName()
    {
        Assert.Contains("binning", Assert.Throws<InputException>(() => (AnalysisSettings.Default with { Binning = 0 }).Validated()).Message);
        Assert.Contains("min_counts", Assert.Throws<InputException>(() => (AnalysisSettings.Default with { MinCounts = double.NaN }).Validated()).Message);
        Assert.Contains("Compton line", Assert.Throws<InputException>(() => (AnalysisSettings.Default with { PeakFitMinKeV = 95, PeakFitMaxKeV = 99 }).Validated()).Message);
        Assert.Throws<InputException>(() => (AnalysisSettings.Default with { Windows = new EmfWindows(HighInner: 5, HighOuter: 1) }).Validated());
        Assert.Throws<InputException>(() => (AnalysisSettings.Default with { Spreading = (BinSpreading)7 }).Validated());
    }
}
