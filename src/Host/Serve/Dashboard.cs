using System.Reflection;

namespace XcsCt.Host.Serve;

/// <summary>
/// Serves the dashboard (<c>/</c>) from resources embedded in this assembly: nothing is fetched
/// from the internet, and nothing beside the binary can change what the node serves.
/// </summary>
public static class Dashboard
{
    private static readonly IReadOnlyDictionary<string, string> Assets = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["index.html"] = "text/html; charset=utf-8",
        ["app.js"] = "text/javascript; charset=utf-8",
        ["app.css"] = "text/css; charset=utf-8",
    };

    public static WebApplication MapDashboard(this WebApplication app)
    {
        foreach (var (name, type) in Assets)
        {
            byte[] content = Read(name);
            string route = name == "index.html" ? "/" : "/" + name;
            app.MapGet(route, (HttpContext http) =>
            {
                http.Response.Headers.CacheControl = "no-cache";
                http.Response.Headers["Content-Security-Policy"] = "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; script-src 'self'; connect-src 'self'";
                http.Response.Headers.XContentTypeOptions = "nosniff";
                return Results.Bytes(content, type);
            }).ExcludeFromDescription();
        }
        return app;
    }

    private static byte[] Read(string name)
    {
        using var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream("wwwroot/" + name)
            ?? throw new InvalidOperationException($"dashboard asset {name} is not embedded in the build");
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    }
}
