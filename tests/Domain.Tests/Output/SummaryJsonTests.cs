using System.Text.Json;
using XcsCt.Domain.Detector;
using XcsCt.Domain.Formats.Output;

namespace XcsCt.Domain.Tests.Output;

public sealed class SummaryJsonTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("xcsct-summary-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static ScanSummary Example(bool calibrated) => new(
        "ee-2024-lib-nmc811", "s000", 30_000,
        SummaryEvents.From(new EventCounts(In: 1000, Kept: 700, Merged: 100, Discarded: 50, BelowThreshold: 150, Underflow: 3, Overflow: 7)),
        ComptonPeakKeV: 93.512, PeakShiftKeV: 0.122,
        Emf: new Estimate(0.954, 0.0031),
        Components: [new ComponentEmf("cathode", 0.72, 0.004, 812), new ComponentEmf("gas", double.NaN, double.NaN, 0)],
        LiFraction: calibrated
            ? new LiFractionSummary(null, [new ComponentLiFraction("cathode", 0.55, 0.03), new ComponentLiFraction("gas", double.NaN, double.NaN)])
            : null,
        UndefinedPixels: [new PixelIndex(0, 0), new PixelIndex(79, 3)]);

    private static List<string> KeyPaths(JsonElement e, string at = "")
    {
        var keys = new List<string>();
        if (e.ValueKind != JsonValueKind.Object) return keys;
        foreach (var p in e.EnumerateObject())
        {
            string path = at.Length == 0 ? p.Name : $"{at}.{p.Name}";
            keys.Add(path);
            keys.AddRange(KeyPaths(p.Value, path));
        }
        return keys;
    }

    [Fact]
    public void Keys_are_exactly_those_of_FORMATS_and_NaN_is_null()
    {
        var path = Path.Combine(_dir, "summary.json");
        SummaryJson.Write(path, Example(calibrated: true));
        using var json = JsonDocument.Parse(File.ReadAllText(path));
        string[] expected =
        [
            "experiment", "scan", "frames",
            "events", "events.in", "events.kept", "events.merged", "events.discarded", "events.below_threshold", "events.overflow",
            "compton_peak_keV", "peak_shift_keV",
            "emf", "emf.global", "emf.global.value", "emf.global.sigma",
            "emf.components", "emf.components.cathode", "emf.components.cathode.value", "emf.components.cathode.sigma", "emf.components.cathode.pixels",
            "emf.components.gas", "emf.components.gas.value", "emf.components.gas.sigma", "emf.components.gas.pixels",
            "emf.undefined_pixels",
            "li_fraction", "li_fraction.global", "li_fraction.components",
            "li_fraction.components.cathode", "li_fraction.components.cathode.value", "li_fraction.components.cathode.sigma",
            "li_fraction.components.gas", "li_fraction.components.gas.value", "li_fraction.components.gas.sigma",
        ];
        Assert.Equal(expected, KeyPaths(json.RootElement));

        var root = json.RootElement;
        Assert.Equal(JsonValueKind.Null, root.GetProperty("emf").GetProperty("components").GetProperty("gas").GetProperty("value").ValueKind);
        Assert.Equal(JsonValueKind.Null, root.GetProperty("li_fraction").GetProperty("global").ValueKind);
        Assert.Equal(0.954, root.GetProperty("emf").GetProperty("global").GetProperty("value").GetDouble());
        Assert.Equal(150, root.GetProperty("events").GetProperty("below_threshold").GetInt64());
        Assert.Equal("[[0,0],[79,3]]", JsonSerializer.Serialize(root.GetProperty("emf").GetProperty("undefined_pixels")));
    }

    [Fact]
    public void Uncalibrated_li_fraction_is_null()
    {
        using var json = JsonDocument.Parse(SummaryJson.ToJson(Example(calibrated: false)));
        Assert.Equal(JsonValueKind.Null, json.RootElement.GetProperty("li_fraction").ValueKind);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Round_trips(bool calibrated)
    {
        var path = Path.Combine(_dir, "summary.json");
        var written = Example(calibrated);
        SummaryJson.Write(path, written);
        var read = SummaryJson.Read(path);
        Assert.Equal(written.Experiment, read.Experiment);
        Assert.Equal(written.Scan, read.Scan);
        Assert.Equal(written.Frames, read.Frames);
        Assert.Equal(written.Events, read.Events);
        Assert.Equal(written.ComptonPeakKeV, read.ComptonPeakKeV);
        Assert.Equal(written.PeakShiftKeV, read.PeakShiftKeV);
        Assert.Equal(written.Emf, read.Emf);
        Assert.Equal(written.Components, read.Components); // record equality: NaN equals NaN
        Assert.Equal(written.UndefinedPixels, read.UndefinedPixels);
        if (calibrated)
        {
            Assert.NotNull(read.LiFraction);
            Assert.Null(read.LiFraction.Global);
            Assert.Equal(written.LiFraction!.Components, read.LiFraction.Components);
        }
        else
        {
            Assert.Null(read.LiFraction);
        }
        Assert.Equal([Path.GetFileName(path)], Directory.GetFiles(_dir).Select(Path.GetFileName));
    }

    [Fact]
    public void Read_names_the_file_and_the_missing_key()
    {
        var path = Path.Combine(_dir, "summary.json");
        File.WriteAllText(path, SummaryJson.ToJson(Example(false)).Replace("\"below_threshold\"", "\"below\""));
        var e = Assert.Throws<InputException>(() => SummaryJson.Read(path));
        Assert.Contains(path, e.Message);
        Assert.Contains("events.below_threshold", e.Message);

        File.WriteAllText(path, "{\"experiment\": ");
        Assert.Contains(path, Assert.Throws<InputException>(() => SummaryJson.Read(path)).Message);
    }
}
