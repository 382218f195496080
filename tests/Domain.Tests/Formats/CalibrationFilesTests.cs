using XcsCt.Domain.Detector;
using XcsCt.Domain.Formats;

namespace XcsCt.Domain.Tests.Formats;

public class CalibrationFilesTests
{
    [Fact]
    public void ManifestCalibrationWithRealMapsAndDarkFramesBuildsFrameCorrections()
    {
        using var dir = new TempDir();
        var shape = DetectorShape.Hexitec;
        File.Copy(Fixtures.Hexitec("m_Cold_500V.txt"), dir.File("cal/m.txt"));
        File.Copy(Fixtures.Hexitec("c_Cold_500V.txt"), dir.File("cal/c.txt"));
        // Dark frames in two files: pixel p reads p % 50 + f (f = frame number 0..5), mean p % 50 + 2.5.
        var first = new ushort[4 * shape.Pixels];
        var second = new ushort[2 * shape.Pixels];
        for (int f = 0; f < 6; f++)
            for (int p = 0; p < shape.Pixels; p++)
                (f < 4 ? first : second)[(f % 4) * shape.Pixels + p] = (ushort)(p % 50 + f);
        BinFrameFile.Write(dir.File("dark0.bin"), first);
        OdinFrameFile.WriteRaw(dir.File("dark1.h5"), shape, second);
        dir.Write("run.bin", "");
        string manifest = dir.Write("m.yaml", """
            experiment: cal-test
            calibration: { gradients: cal/m.txt, intercepts: cal/c.txt, dark_frames: [dark0.bin, dark1.h5], threshold_adu: 120 }
            corrections: { charge_sharing: addition, window: 5, next_frame: true }
            analysis: { bin_width_keV: 0.5 }
            scans: [ { id: s0, time_s: 0, z_um: 0, frames: [run.bin] } ]
            """);

        var corrections = CalibrationFiles.Load(ManifestReader.Load(manifest));
        Assert.Equal(shape, corrections.Shape);
        Assert.Equal(new Spectra.HistogramAxis(0.5, 400), corrections.Axis);
        Assert.Equal(0.02863f, corrections.GradientsKeVPerAdu[0]);
        Assert.Equal(120f, corrections.ThresholdAdu);
        Assert.Null(corrections.ThresholdMapAdu);
        Assert.Equal(ChargeSharingMode.Addition, corrections.ChargeSharing);
        Assert.Equal(5, corrections.Window);
        Assert.True(corrections.NextFrame);
        for (int p = 0; p < shape.Pixels; p++) Assert.Equal(p % 50 + 2.5f, corrections.OffsetsAdu![p]);
    }

    [Fact]
    public void MapOfTheWrongShapeAndMissingCalibrationAreRejected()
    {
        using var dir = new TempDir();
        File.Copy(Fixtures.Hexitec("m_Cold_500V.txt"), dir.File("m.txt"));
        File.Copy(Fixtures.Hexitec("c_Cold_500V.txt"), dir.File("c.txt"));
        dir.Write("run.bin", "");
        string wrong = dir.Write("wrong.yaml", """
            experiment: e
            detector: { rows: 160, cols: 160 }
            calibration: { gradients: m.txt, intercepts: c.txt }
            scans: [ { id: s0, time_s: 0, z_um: 0, frames: [run.bin] } ]
            """);
        var e = Assert.Throws<InputException>(() => CalibrationFiles.Load(ManifestReader.Load(wrong)));
        Assert.Contains("gradient map", e.Message);
        Assert.Contains("expected 160 lines", e.Message);

        string none = dir.Write("none.yaml", "experiment: e\nscans: [ { id: s0, time_s: 0, z_um: 0, frames: [run.bin] } ]\n");
        Assert.Contains("calibration", Assert.Throws<InputException>(() => CalibrationFiles.Load(ManifestReader.Load(none))).Message);
    }

    [Fact]
    public void DarkFramesOfAnotherShapeAreRejected()
    {
        using var dir = new TempDir();
        OdinFrameFile.WriteRaw(dir.File("dark.h5"), new DetectorShape(4, 4), new ushort[32]);
        var e = Assert.Throws<InputException>(() => CalibrationFiles.MeanFrame([dir.File("dark.h5")], new DetectorShape(8, 8)));
        Assert.Contains("4 x 4", e.Message);
    }
}
