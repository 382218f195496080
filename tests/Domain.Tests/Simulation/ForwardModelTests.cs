using XcsCt.Domain.Simulation;
using XcsCt.Domain.Spectra;
using Xunit.Abstractions;

namespace XcsCt.Domain.Tests.Simulation;

public class ForwardModelTests(ITestOutputHelper output)
{
    [Fact]
    public void Print_magnitudes()
    {
        var det = DetectorModel.Hexitec(1);
        var inc = new IncidentSpectra(BeamGeometry.Default, LithiationModel.FreeAtom, FineGrid.Default, det);
        foreach (var f in new[] { "Li", "C", "O", "F", "Mn", "Co", "Ni", "Fe" })
        {
            int z = Elements.Z(f);
            var s = inc.Of(new Species(z));
            var h = Smear(s, 0.93 / 2.3548);
            output.WriteLine($"{f} {SimulationEmf.Compute(h, HistogramAxis.Default, BeamGeometry.Default).Emf:F3}");
        }
    }

    private static double[] Smear(double[] fine, double sigma)
    {
        var axis = HistogramAxis.Default;
        var h = new double[axis.Bins];
        for (int i = 0; i < fine.Length; i++)
        {
            if (fine[i] == 0) continue;
            double e = (i + 0.5) * 0.05;
            for (int b = Math.Max(0, (int)((e - 8 * sigma) / 0.2)); b < Math.Min(axis.Bins, (int)((e + 8 * sigma) / 0.2) + 1); b++)
                h[b] += fine[i] * (Normal.Cdf((axis.UpperEdge(b) - e) / sigma) - Normal.Cdf((axis.LowerEdge(b) - e) / sigma));
        }
        return h;
    }
}
