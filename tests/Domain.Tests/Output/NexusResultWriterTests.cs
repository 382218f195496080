using PureHDF;
using XcsCt.Domain.Detector;
using XcsCt.Domain.Formats.Output;

namespace XcsCt.Domain.Tests.Output;

public sealed class NexusResultWriterTests : IDisposable
{
    private const int Rows = 10, Cols = 12, Bins = 1100; // larger than one 8 x 8 x 1024 chunk in every direction
    private const double PitchMm = 0.25;
    private readonly string _dir = Directory.CreateTempSubdirectory("xcsct-nxs-").FullName;

    public void Dispose() { if (Environment.GetEnvironmentVariable("XCSCT_KEEP_TEST_OUTPUT") is null) Directory.Delete(_dir, recursive: true); }

    /// <summary>A small synthetic result with a known value in every field (seeded).</summary>
    internal static NexusScanResult Synthetic(bool calibrated = true)
    {
        var random = new Random(20240611);
        int pixels = Rows * Cols;
        var emf = new double[pixels];
        var sigma = new double[pixels];
        var counts = new double[pixels];
        for (int p = 0; p < pixels; p++)
        {
            emf[p] = 0.9 + 0.001 * p;
            sigma[p] = 0.01 + 1e-5 * p;
            counts[p] = 1000 + p + 0.25;
        }
        emf[3] = double.NaN; // undefined pixel (E_H below the minimum count)
        sigma[3] = double.NaN;
        var spectra = new uint[pixels * Bins];
        for (int i = 0; i < spectra.Length; i++) spectra[i] = (uint)random.Next(0, 50);
        spectra[^1] = uint.MaxValue; // the full uint32 range survives
        var energy = new double[Bins];
        var spectrum = new double[Bins];
        for (int b = 0; b < Bins; b++)
        {
            energy[b] = (b + 0.5) * 0.2;
            spectrum[b] = b * 10.0;
        }
        var pz = new double[] { -5, -2.5, 0, 2.5, 5 };
        var j = new double[] { 0.01, 0.1, 0.5, 0.1, 0.01 };
        var cathode = new float[pixels];
        var anode = new float[pixels];
        for (int p = 0; p < pixels; p++)
        {
            cathode[p] = p % Cols < 6 ? 1f : 0f;
            anode[p] = p % Cols >= 6 ? 0.5f : 0f;
        }
        anode[pixels - 1] = float.NaN; // outside the XCT field of view
        var components = new List<NexusComponent>
        {
            new("cathode", cathode, 0.72, 0.004, 60, calibrated ? 0.55 : null, calibrated ? 0.03 : null),
            new("anode", anode, 1.70, 0.02, 59),
        };
        var process = new NexusProcessInfo("xcsct", "0.1.0", new DateTimeOffset(2024, 6, 11, 14, 30, 5, TimeSpan.FromHours(2)),
            """{"analysis":{"low":[-1,1],"high":[1,5]},"note":"quote \" inside"}""",
            new Dictionary<string, string>
            {
                ["run/s000_001.bin"] = new string('b', 64),
                ["run/s000_000.bin"] = new string('a', 64),
            });
        return new NexusScanResult("ee-2024-lib-nmc811", "s000", new DetectorShape(Rows, Cols), PitchMm,
            emf, sigma, counts, spectrum, energy, pz, j, spectra, Bins, components, process);
    }

    [Fact]
    public void H5dump_reads_every_path_attribute_shape_and_value()
    {
        var result = Synthetic();
        var path = Path.Combine(_dir, "result.nxs");
        NexusResultWriter.Write(path, result);

        var root = H5Dump.Read(path);
        Assert.Equal(["entry"], root.Attribute("default"));
        Assert.Equal(["NXroot"], root.Attribute("NX_class"));

        var entry = root["entry"];
        Assert.Equal("GROUP", entry.Kind);
        Assert.Equal(["NXentry"], entry.Attribute("NX_class"));
        Assert.Equal(["emf"], entry.Attribute("default"));
        Assert.Equal(["ee-2024-lib-nmc811/s000"], entry["title"].Values());

        var emf = entry["emf"];
        Assert.Equal(["NXdata"], emf.Attribute("NX_class"));
        Assert.Equal(["emf"], emf.Attribute("signal"));
        Assert.Equal(["y", "x"], emf.Attribute("axes"));
        Assert.Equal([2L], emf.Attributes["axes"].Dims); // a string array, not one string
        foreach (var name in new[] { "emf", "emf_sigma", "counts" })
        {
            Assert.Equal("H5T_IEEE_F64LE", emf[name].DataType);
            Assert.Equal([Rows, Cols], emf[name].Dims);
        }
        var emfValues = emf["emf"].Doubles();
        Assert.True(double.IsNaN(emfValues[3]));
        Assert.Equal(result.Emf[0], emfValues[0]);
        Assert.Equal(result.Emf[Rows * Cols - 1], emfValues[^1]);
        Assert.Equal(result.Counts[17], emf["counts"].Doubles()[17]);
        Assert.Equal([Cols], emf["x"].Dims);
        Assert.Equal([Rows], emf["y"].Dims);
        Assert.Equal(["mm"], emf["x"].Attribute("units"));
        Assert.Equal(["mm"], emf["y"].Attribute("units"));
        Assert.Equal(0.125, emf["x"].Doubles()[0]); // first pixel centre: half a 0.25 mm pitch
        Assert.Equal(2.875, emf["x"].Doubles()[^1]);
        Assert.Equal(2.375, emf["y"].Doubles()[^1]);

        var spectrum = entry["spectrum"];
        Assert.Equal(["NXdata"], spectrum.Attribute("NX_class"));
        Assert.Equal(["counts"], spectrum.Attribute("signal"));
        Assert.Equal(["energy"], spectrum.Attribute("axes"));
        Assert.Equal([Bins], spectrum["counts"].Dims);
        Assert.Equal([Bins], spectrum["energy"].Dims);
        Assert.Equal(["keV"], spectrum["energy"].Attribute("units"));
        Assert.Equal(93.7, spectrum["energy"].Doubles()[468], 12);
        Assert.Equal(4680.0, spectrum["counts"].Doubles()[468]);

        var profile = entry["profile"];
        Assert.Equal(["NXdata"], profile.Attribute("NX_class"));
        Assert.Equal(["J"], profile.Attribute("signal"));
        Assert.Equal(["pz"], profile.Attribute("axes"));
        Assert.Equal(result.J, profile["J"].Doubles());
        Assert.Equal(result.Pz, profile["pz"].Doubles());

        var spectra = entry["pixel_spectra"];
        Assert.Equal("DATASET", spectra.Kind);
        Assert.Equal("H5T_STD_U32LE", spectra.DataType);
        Assert.Equal([Rows, Cols, Bins], spectra.Dims);
        var layout = spectra.Text.ToString();
        Assert.Contains("CHUNKED ( 8, 8, 1024 )", layout);
        Assert.Contains("COMPRESSION DEFLATE", layout);
        var spectraValues = spectra.Values();
        Assert.Equal(result.PixelSpectra.Length, spectraValues.Count);
        for (int i = 0; i < result.PixelSpectra.Length; i += 997)
            Assert.Equal(result.PixelSpectra[i], uint.Parse(spectraValues[i]));
        Assert.Equal(uint.MaxValue, uint.Parse(spectraValues[^1]));

        var components = entry["components"];
        Assert.Equal(["NXcollection"], components.Attribute("NX_class"));
        var cathode = components["cathode"];
        Assert.Equal("H5T_IEEE_F32LE", cathode["mask"].DataType);
        Assert.Equal([Rows, Cols], cathode["mask"].Dims);
        Assert.Equal(1.0, cathode["mask"].Doubles()[0]);
        Assert.Equal(0.0, cathode["mask"].Doubles()[6]);
        Assert.Equal([], cathode["emf"].Dims);
        Assert.Equal(0.72, cathode["emf"].Doubles()[0]);
        Assert.Equal(0.004, cathode["emf_sigma"].Doubles()[0]);
        Assert.Equal(0.55, cathode["li_fraction"].Doubles()[0]);
        Assert.Equal(0.03, cathode["li_fraction_sigma"].Doubles()[0]);
        Assert.Equal(["60"], cathode["pixels"].Values());
        var anode = components["anode"];
        Assert.True(double.IsNaN(anode["mask"].Doubles()[^1]));
        Assert.Equal(0.5, anode["mask"].Doubles()[6]);
        Assert.False(anode.Children.ContainsKey("li_fraction")); // not calibrated: absent, not NaN

        var process = entry["process"];
        Assert.Equal(["NXprocess"], process.Attribute("NX_class"));
        Assert.Equal(["xcsct"], process["program"].Values());
        Assert.Equal(["0.1.0"], process["version"].Values());
        Assert.Equal(["2024-06-11T14:30:05.000+02:00"], process["date"].Values());
        Assert.Equal([result.Process.ConfigurationJson], process["configuration"].Values());
        Assert.Equal(["run/s000_000.bin", "run/s000_001.bin"], process["inputs/path"].Values());
        Assert.Equal([new string('a', 64), new string('b', 64)], process["inputs/sha256"].Values());
    }

    [Fact]
    public void PureHDF_reads_back_what_was_written()
    {
        var result = Synthetic();
        var path = Path.Combine(_dir, "result.nxs");
        NexusResultWriter.Write(path, result);

        using var file = H5File.OpenRead(path);
        Assert.Equal("emf", file.Group("entry").Attribute("default").Read<string>());
        Assert.Equal(["y", "x"], file.Group("entry/emf").Attribute("axes").Read<string[]>());
        var emf = file.Dataset("entry/emf/emf").Read<double[]>();
        Assert.Equal(result.Emf.Length, emf.Length);
        for (int i = 0; i < emf.Length; i++) Assert.Equal(result.Emf[i], emf[i]); // NaN equals NaN here
        Assert.Equal(result.PixelSpectra, file.Dataset("entry/pixel_spectra").Read<uint[]>());
        Assert.Equal(result.Components[1].Mask, file.Dataset("entry/components/anode/mask").Read<float[]>());
        Assert.Equal(result.Process.ConfigurationJson, file.Dataset("entry/process/configuration").Read<string>());
    }

    [Fact]
    public void Rejects_wrong_lengths_naming_the_field_and_leaves_no_file()
    {
        var good = Synthetic();
        var path = Path.Combine(_dir, "result.nxs");
        var bad = good with { EmfSigma = new double[5] };
        var e = Assert.Throws<InputException>(() => NexusResultWriter.Write(path, bad));
        Assert.Contains("emf_sigma", e.Message);
        Assert.Contains("120", e.Message);
        Assert.Contains("found 5", e.Message);

        var badMask = good with { Components = [good.Components[0] with { Mask = [2f] }] };
        Assert.Contains("components/cathode/mask", Assert.Throws<InputException>(() => NexusResultWriter.Write(path, badMask)).Message);

        var badSha = good with { Process = good.Process with { InputSha256 = new Dictionary<string, string> { ["a.bin"] = "xyz" } } };
        Assert.Contains("a.bin", Assert.Throws<InputException>(() => NexusResultWriter.Write(path, badSha)).Message);

        var badJson = good with { Process = good.Process with { ConfigurationJson = "{not json" } };
        Assert.Contains("configuration", Assert.Throws<InputException>(() => NexusResultWriter.Write(path, badJson)).Message);

        Assert.Empty(Directory.GetFiles(_dir));
    }

    [Fact]
    public void Replaces_an_old_file_and_leaves_no_temporary()
    {
        var path = Path.Combine(_dir, "result.nxs");
        File.WriteAllText(path, "old");
        NexusResultWriter.Write(path, Synthetic(calibrated: false));
        Assert.Equal(["result.nxs"], Directory.GetFiles(_dir).Select(Path.GetFileName));
        Assert.Equal((byte)0x89, File.ReadAllBytes(path)[0]); // HDF5 signature \x89HDF
    }
}
