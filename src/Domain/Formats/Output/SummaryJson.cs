using System.Text.Json;

namespace XcsCt.Domain.Formats.Output;

/// <summary>
/// Reads and writes <c>summary.json</c> (FORMATS, Outputs) with exactly the keys
/// <code>
/// {"experiment", "scan", "frames",
///  "events": {"in", "kept", "merged", "discarded", "below_threshold", "overflow"},
///  "compton_peak_keV", "peak_shift_keV",
///  "emf": {"global": {"value", "sigma"}, "components": {"NAME": {"value", "sigma", "pixels"}},
///          "undefined_pixels": [[row, col], ...]},
///  "li_fraction": null | {"global": null | {"value", "sigma"}, "components": {"NAME": {"value", "sigma"}}}}
/// </code>
/// Non-finite numbers are written as null and read back as NaN. <c>undefined_pixels</c> lists the
/// pixels without an EMF, as ANALYSIS 5 asks.
/// </summary>
public static class SummaryJson
{
    /// <summary>Indented, with non-ASCII text (names, units) kept readable.</summary>
    internal static readonly JsonWriterOptions Options = new()
    {
        Indented = true,
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    /// <summary>Writes <paramref name="summary"/> to <paramref name="path"/> (temporary name, then rename).</summary>
    public static void Write(string path, ScanSummary summary)
    {
        ArgumentNullException.ThrowIfNull(summary);
        AtomicFile.Write(path, temporary =>
        {
            using var stream = File.Create(temporary);
            using var w = new Utf8JsonWriter(stream, Options);
            WriteTo(w, summary);
        });
    }

    /// <summary>The JSON text of <paramref name="summary"/>.</summary>
    public static string ToJson(ScanSummary summary)
    {
        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer, Options))
            WriteTo(w, summary);
        return System.Text.Encoding.UTF8.GetString(buffer.ToArray());
    }

    private static void WriteTo(Utf8JsonWriter w, ScanSummary s)
    {
        w.WriteStartObject();
        w.WriteString("experiment", s.Experiment);
        w.WriteString("scan", s.Scan);
        w.WriteNumber("frames", s.Frames);
        w.WriteStartObject("events");
        w.WriteNumber("in", s.Events.In);
        w.WriteNumber("kept", s.Events.Kept);
        w.WriteNumber("merged", s.Events.Merged);
        w.WriteNumber("discarded", s.Events.Discarded);
        w.WriteNumber("below_threshold", s.Events.BelowThreshold);
        w.WriteNumber("overflow", s.Events.Overflow);
        w.WriteEndObject();
        Number(w, "compton_peak_keV", s.ComptonPeakKeV);
        Number(w, "peak_shift_keV", s.PeakShiftKeV);

        w.WriteStartObject("emf");
        w.WritePropertyName("global");
        EstimateObject(w, s.Emf);
        w.WriteStartObject("components");
        foreach (var c in s.Components)
        {
            w.WriteStartObject(c.Name);
            Number(w, "value", c.Value);
            Number(w, "sigma", c.Sigma);
            w.WriteNumber("pixels", c.Pixels);
            w.WriteEndObject();
        }
        w.WriteEndObject();
        w.WriteStartArray("undefined_pixels");
        foreach (var p in s.UndefinedPixels)
        {
            w.WriteStartArray();
            w.WriteNumberValue(p.Row);
            w.WriteNumberValue(p.Col);
            w.WriteEndArray();
        }
        w.WriteEndArray();
        w.WriteEndObject();

        if (s.LiFraction is null)
        {
            w.WriteNull("li_fraction");
        }
        else
        {
            w.WriteStartObject("li_fraction");
            w.WritePropertyName("global");
            if (s.LiFraction.Global is Estimate g) EstimateObject(w, g); else w.WriteNullValue();
            w.WriteStartObject("components");
            foreach (var c in s.LiFraction.Components)
            {
                w.WriteStartObject(c.Name);
                Number(w, "value", c.Value);
                Number(w, "sigma", c.Sigma);
                w.WriteEndObject();
            }
            w.WriteEndObject();
            w.WriteEndObject();
        }
        w.WriteEndObject();
    }

    private static void EstimateObject(Utf8JsonWriter w, Estimate e)
    {
        w.WriteStartObject();
        Number(w, "value", e.Value);
        Number(w, "sigma", e.Sigma);
        w.WriteEndObject();
    }

    /// <summary>JSON has no NaN or infinity: those are written as null.</summary>
    internal static void Number(Utf8JsonWriter w, string name, double value)
    {
        if (double.IsFinite(value)) w.WriteNumber(name, value); else w.WriteNull(name);
    }

    /// <summary>Reads a <c>summary.json</c>; a missing key or wrong type is an <see cref="InputException"/> naming the file and the key.</summary>
    public static ScanSummary Read(string path)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(File.ReadAllBytes(path));
        }
        catch (JsonException e)
        {
            throw new InputException($"{path}: expected summary JSON, found invalid JSON ({e.Message})", e);
        }
        using (document)
        {
            var r = new JsonReader(path);
            var root = r.Object(document.RootElement, "");
            var events = r.Object(r.Get(root, "", "events"), "events");
            var emf = r.Object(r.Get(root, "", "emf"), "emf");
            var components = new List<ComponentEmf>();
            foreach (var c in r.Object(r.Get(emf, "emf", "components"), "emf.components").EnumerateObject())
            {
                string at = $"emf.components.{c.Name}";
                var o = r.Object(c.Value, at);
                components.Add(new ComponentEmf(c.Name, r.Double(o, at, "value"), r.Double(o, at, "sigma"), (int)r.Long(o, at, "pixels")));
            }
            var undefined = new List<PixelIndex>();
            var list = r.Get(emf, "emf", "undefined_pixels");
            if (list.ValueKind != JsonValueKind.Array)
                throw new InputException($"{path}: expected emf.undefined_pixels to be an array of [row, col], found {list.ValueKind}");
            foreach (var p in list.EnumerateArray())
            {
                if (p.ValueKind != JsonValueKind.Array || p.GetArrayLength() != 2
                    || !p[0].TryGetInt32(out int row) || !p[1].TryGetInt32(out int col))
                    throw new InputException($"{path}: expected emf.undefined_pixels entries to be [row, col] integers, found {p.GetRawText()}");
                undefined.Add(new PixelIndex(row, col));
            }

            LiFractionSummary? li = null;
            var liElement = r.Get(root, "", "li_fraction");
            if (liElement.ValueKind != JsonValueKind.Null)
            {
                var lo = r.Object(liElement, "li_fraction");
                var ge = r.Get(lo, "li_fraction", "global");
                Estimate? global = ge.ValueKind == JsonValueKind.Null ? null : r.Estimate(ge, "li_fraction.global");
                var liComponents = new List<ComponentLiFraction>();
                foreach (var c in r.Object(r.Get(lo, "li_fraction", "components"), "li_fraction.components").EnumerateObject())
                {
                    string at = $"li_fraction.components.{c.Name}";
                    var o = r.Object(c.Value, at);
                    liComponents.Add(new ComponentLiFraction(c.Name, r.Double(o, at, "value"), r.Double(o, at, "sigma")));
                }
                li = new LiFractionSummary(global, liComponents);
            }

            return new ScanSummary(
                r.String(root, "", "experiment"), r.String(root, "", "scan"), r.Long(root, "", "frames"),
                new SummaryEvents(r.Long(events, "events", "in"), r.Long(events, "events", "kept"),
                    r.Long(events, "events", "merged"), r.Long(events, "events", "discarded"),
                    r.Long(events, "events", "below_threshold"), r.Long(events, "events", "overflow")),
                r.Double(root, "", "compton_peak_keV"), r.Double(root, "", "peak_shift_keV"),
                r.Estimate(r.Get(emf, "emf", "global"), "emf.global"), components, li, undefined);
        }
    }

    /// <summary>Typed access to a JSON tree with messages naming the file and the key path.</summary>
    internal readonly struct JsonReader(string path)
    {
        public JsonElement Get(JsonElement o, string at, string key)
        {
            if (!o.TryGetProperty(key, out var value))
                throw new InputException($"{path}: expected key '{Join(at, key)}', found none");
            return value;
        }

        public JsonElement Object(JsonElement e, string at) => e.ValueKind == JsonValueKind.Object
            ? e
            : throw new InputException($"{path}: expected '{(at.Length == 0 ? "(root)" : at)}' to be an object, found {e.ValueKind}");

        public string String(JsonElement o, string at, string key)
        {
            var e = Get(o, at, key);
            return e.ValueKind == JsonValueKind.String
                ? e.GetString()!
                : throw new InputException($"{path}: expected '{Join(at, key)}' to be a string, found {e.ValueKind}");
        }

        public long Long(JsonElement o, string at, string key)
        {
            var e = Get(o, at, key);
            return e.ValueKind == JsonValueKind.Number && e.TryGetInt64(out long v)
                ? v
                : throw new InputException($"{path}: expected '{Join(at, key)}' to be an integer, found {e.GetRawText()}");
        }

        /// <summary>A number, or null read as NaN.</summary>
        public double Double(JsonElement o, string at, string key)
        {
            var e = Get(o, at, key);
            return e.ValueKind switch
            {
                JsonValueKind.Null => double.NaN,
                JsonValueKind.Number => e.GetDouble(),
                _ => throw new InputException($"{path}: expected '{Join(at, key)}' to be a number or null, found {e.GetRawText()}"),
            };
        }

        public Estimate Estimate(JsonElement e, string at)
        {
            var o = Object(e, at);
            return new Estimate(Double(o, at, "value"), Double(o, at, "sigma"));
        }

        private static string Join(string at, string key) => at.Length == 0 ? key : $"{at}.{key}";
    }
}
