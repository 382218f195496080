using System.Text.Json;
using XcsCt.Domain.Formats.Output;

namespace XcsCt.Domain.Tests.Output;

public sealed class SeriesFilesTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("xcsct-series-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static readonly SeriesRow[] Rows =
    [
        new("s000", 0, 1200, "cathode", 0.954, 0.0031, 1.0, 0.02),
        new("s000", 0, 1200, "anode, Li", 1.70, 0.02, null, null),
        new("s040", 14_400.5, 1200, "cathode", 0.9123456789012345, 0.0029, 0.5, 0.021),
        new("s040", 14_400.5, 1200, "gas", double.NaN, double.NaN, null, null),
    ];

    [Fact]
    public void Csv_has_the_header_and_one_invariant_line_per_row()
    {
        var previous = Thread.CurrentThread.CurrentCulture;
        Thread.CurrentThread.CurrentCulture = new System.Globalization.CultureInfo("de-DE"); // decimal comma must not leak in
        try
        {
            SeriesFiles.Write(_dir, Rows);
        }
        finally
        {
            Thread.CurrentThread.CurrentCulture = previous;
        }
        var lines = File.ReadAllText(Path.Combine(_dir, "series.csv")).Split('\n');
        Assert.Equal(
        [
            "scan,time_s,z_um,component,emf,emf_sigma,x,x_sigma",
            "s000,0,1200,cathode,0.954,0.0031,1,0.02",
            "s000,0,1200,\"anode, Li\",1.7,0.02,,",
            "s040,14400.5,1200,cathode,0.9123456789012345,0.0029,0.5,0.021",
            "s040,14400.5,1200,gas,,,,",
            "",
        ], lines);
    }

    [Fact]
    public void Json_has_the_same_columns_with_null_for_missing_and_round_trips()
    {
        SeriesFiles.Write(_dir, Rows);
        using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(_dir, "series.json")));
        Assert.Equal(JsonValueKind.Array, json.RootElement.ValueKind);
        Assert.Equal(Rows.Length, json.RootElement.GetArrayLength());
        var first = json.RootElement[0];
        Assert.Equal(["scan", "time_s", "z_um", "component", "emf", "emf_sigma", "x", "x_sigma"], first.EnumerateObject().Select(p => p.Name));
        Assert.Equal(JsonValueKind.Null, json.RootElement[1].GetProperty("x").ValueKind);
        Assert.Equal(JsonValueKind.Null, json.RootElement[3].GetProperty("emf").ValueKind);

        var read = SeriesFiles.Read(_dir);
        Assert.Equal(Rows, read); // record equality; NaN equals NaN
        Assert.Equal(["series.csv", "series.json"], Directory.GetFiles(_dir).Select(Path.GetFileName).Order());
    }
}
