using System.Globalization;
using System.Text;
using System.Text.Json;

namespace XcsCt.Domain.Formats.Output;

/// <summary>
/// One row of the operando series (ANALYSIS 8): one scan x one component.
/// </summary>
/// <param name="Scan">Scan id.</param>
/// <param name="TimeS">Time of the scan, s (from the manifest).</param>
/// <param name="ZUm">Sheet height of the scan, um.</param>
/// <param name="Component">Component name (or <c>global</c> for the whole detector).</param>
/// <param name="Emf">EMF of the component's summed spectrum (NaN when undefined).</param>
/// <param name="EmfSigma">Its standard uncertainty.</param>
/// <param name="X">Lithium fraction x, null when not calibrated (ANALYSIS 6).</param>
/// <param name="XSigma">Its standard uncertainty, null when not calibrated.</param>
public sealed record SeriesRow(
    string Scan, double TimeS, double ZUm, string Component, double Emf, double EmfSigma, double? X, double? XSigma);

/// <summary>
/// Writes the per-experiment series (FORMATS, Outputs) as <c>series.csv</c> and <c>series.json</c>
/// in one directory, both with the columns
/// <c>scan, time_s, z_um, component, emf, emf_sigma, x, x_sigma</c>, numbers in invariant culture
/// with round-trip precision. Missing or non-finite numbers are an empty CSV field and JSON null.
/// <c>series.json</c> is an array of objects with those keys, one per row, in the given order.
/// </summary>
public static class SeriesFiles
{
    public const string CsvName = "series.csv";
    public const string JsonName = "series.json";

    /// <summary>The CSV header line.</summary>
    public const string CsvHeader = "scan,time_s,z_um,component,emf,emf_sigma,x,x_sigma";

    /// <summary>Writes <c>series.csv</c> and <c>series.json</c> into <paramref name="directory"/> (each under a temporary name, then renamed).</summary>
    public static void Write(string directory, IReadOnlyList<SeriesRow> rows)
    {
        ArgumentNullException.ThrowIfNull(rows);
        Directory.CreateDirectory(directory);
        AtomicFile.WriteText(Path.Combine(directory, CsvName), ToCsv(rows));
        AtomicFile.Write(Path.Combine(directory, JsonName), temporary =>
        {
            using var stream = File.Create(temporary);
            using var w = new Utf8JsonWriter(stream, SummaryJson.Options);
            w.WriteStartArray();
            foreach (var row in rows)
            {
                w.WriteStartObject();
                w.WriteString("scan", row.Scan);
                SummaryJson.Number(w, "time_s", row.TimeS);
                SummaryJson.Number(w, "z_um", row.ZUm);
                w.WriteString("component", row.Component);
                SummaryJson.Number(w, "emf", row.Emf);
                SummaryJson.Number(w, "emf_sigma", row.EmfSigma);
                SummaryJson.Number(w, "x", row.X ?? double.NaN);
                SummaryJson.Number(w, "x_sigma", row.XSigma ?? double.NaN);
                w.WriteEndObject();
            }
            w.WriteEndArray();
        });
    }

    /// <summary>The CSV text: header line, then one line per row, '\n' line ends (RFC 4180 quoting where a field needs it).</summary>
    public static string ToCsv(IReadOnlyList<SeriesRow> rows)
    {
        var csv = new StringBuilder();
        csv.Append(CsvHeader).Append('\n');
        foreach (var row in rows)
        {
            csv.Append(Field(row.Scan)).Append(',')
               .Append(Number(row.TimeS)).Append(',')
               .Append(Number(row.ZUm)).Append(',')
               .Append(Field(row.Component)).Append(',')
               .Append(Number(row.Emf)).Append(',')
               .Append(Number(row.EmfSigma)).Append(',')
               .Append(Number(row.X)).Append(',')
               .Append(Number(row.XSigma)).Append('\n');
        }
        return csv.ToString();
    }

    /// <summary>Reads <c>series.json</c> from <paramref name="directory"/>; null reads as NaN for EMF and as null for x.</summary>
    public static IReadOnlyList<SeriesRow> Read(string directory)
    {
        string path = Path.Combine(directory, JsonName);
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(File.ReadAllBytes(path));
        }
        catch (JsonException e)
        {
            throw new InputException($"{path}: expected a JSON array of series rows, found invalid JSON ({e.Message})", e);
        }
        using (document)
        {
            if (document.RootElement.ValueKind != JsonValueKind.Array)
                throw new InputException($"{path}: expected a JSON array of series rows, found {document.RootElement.ValueKind}");
            var r = new SummaryJson.JsonReader(path);
            var rows = new List<SeriesRow>();
            int i = 0;
            foreach (var e in document.RootElement.EnumerateArray())
            {
                string at = $"[{i++}]";
                var o = r.Object(e, at);
                double x = r.Double(o, at, "x"), sx = r.Double(o, at, "x_sigma");
                rows.Add(new SeriesRow(r.String(o, at, "scan"), r.Double(o, at, "time_s"), r.Double(o, at, "z_um"),
                    r.String(o, at, "component"), r.Double(o, at, "emf"), r.Double(o, at, "emf_sigma"),
                    double.IsNaN(x) ? null : x, double.IsNaN(sx) ? null : sx));
            }
            return rows;
        }
    }

    private static string Number(double? value) =>
        value is double v && double.IsFinite(v) ? v.ToString("R", CultureInfo.InvariantCulture) : "";

    private static string Field(string text) =>
        text.AsSpan().IndexOfAny(",\"\n\r") >= 0 ? "\"" + text.Replace("\"", "\"\"") + "\"" : text;
}
