using Microsoft.Playwright;
using Xunit.Abstractions;

namespace XcsCt.Integration.Serve;

/// <summary>
/// The dashboard in a real browser: Debian's headless Chromium driven by Playwright (never a
/// downloaded browser). Submits the simulated coin cell through the page and checks the EMF map
/// is rendered; the screenshot is kept under <c>artifacts/</c> beside the tests.
/// </summary>
[Collection(ServeCollection.Name)]
public sealed class DashboardBrowserTests(ITestOutputHelper output)
{
    private const string Chromium = "/usr/bin/chromium";

    private static readonly string[] ChromiumArgs =
    [
        "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync",
    ];

    [Fact]
    public async Task The_dashboard_submits_the_simulated_experiment_and_renders_its_EMF_map()
    {
        Assert.True(File.Exists(Chromium), $"{Chromium} is missing: install Debian's chromium package (.ci/run does)");
        Environment.SetEnvironmentVariable("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1");
        using var temp = new TempRoot("browser");
        string root = temp.Path;
        var sim = Xcsct.Simulate(root);
        await using var node = await NodeProcess.StartAsync(root, Path.Combine(root, "data"), "--runner", "direct");

        using var playwright = await Playwright.CreateAsync();
        using var profileDir = new TempRoot("chromium-profile");
        string profile = profileDir.Path;
        await using var browser = await playwright.Chromium.LaunchPersistentContextAsync(profile, new BrowserTypeLaunchPersistentContextOptions
        {
            ExecutablePath = Chromium,
            Headless = true,
            Args = ChromiumArgs,
            ViewportSize = new ViewportSize { Width = 1400, Height = 1100 },
        });
        var page = browser.Pages.Count > 0 ? browser.Pages[0] : await browser.NewPageAsync();
        var outside = new List<string>();
        page.Request += (_, r) => { if (!r.Url.StartsWith(node.Url, StringComparison.Ordinal)) outside.Add(r.Url); };

        await page.GotoAsync(node.Url + "/");
        // 500 frames are too few for per-pixel EMFs: 8 x 8 binning and a lower count floor give a coloured map.
        string manifest = File.ReadAllText(sim.Manifest).Replace("binning: 1", "binning: 8").Replace("min_counts: 100", "min_counts: 10");
        Assert.Contains("binning: 8", manifest);
        await page.FillAsync("#manifest", manifest);
        await page.FillAsync("#base", Path.GetDirectoryName(sim.Manifest)!);
        await page.ClickAsync("#submit");
        await page.WaitForURLAsync($"**/#/e/{sim.Experiment}", new PageWaitForURLOptions { Timeout = 30_000 });
        await page.WaitForSelectorAsync("tr[data-scan='s000'] .state.done", new PageWaitForSelectorOptions { Timeout = 300_000 });

        await page.ClickAsync("tr[data-scan='s000'] a");
        await page.WaitForFunctionAsync("() => { const i = document.getElementById('emf-map'); return i && i.complete && i.naturalWidth > 0; }",
            null, new PageWaitForFunctionOptions { Timeout = 60_000 });
        await page.WaitForSelectorAsync("#components tbody tr");

        // Pixels of the rendered image: a real figure has many distinct colours, a blank one a few.
        int colours = await page.EvaluateAsync<int>(@"() => {
            const img = document.getElementById('emf-map');
            const c = document.createElement('canvas');
            c.width = img.naturalWidth; c.height = img.naturalHeight;
            const g = c.getContext('2d');
            g.drawImage(img, 0, 0);
            const d = g.getImageData(0, 0, c.width, c.height).data;
            const seen = new Set();
            for (let i = 0; i < d.length; i += 4) seen.add((d[i] << 16) | (d[i + 1] << 8) | d[i + 2]);
            return seen.size;
        }");
        output.WriteLine($"EMF map: {colours} distinct colours");
        Assert.True(colours >= 32, $"the EMF map looks blank: {colours} distinct colours");
        int rows = await page.Locator("#components tbody tr").CountAsync();
        Assert.True(rows >= 2, $"component table has {rows} rows");

        string artifacts = Path.Combine(AppContext.BaseDirectory, "artifacts");
        Directory.CreateDirectory(artifacts);
        string shot = Path.Combine(artifacts, "dashboard-scan.png");
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = shot, FullPage = true });
        output.WriteLine($"screenshot: {shot}");
        Assert.True(new FileInfo(shot).Length > 10_000);
        Assert.Empty(outside);
    }
}
