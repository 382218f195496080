using System.Text.Json;
using System.Text.Json.Nodes;
using XcsCt.Host.Serve;

namespace XcsCt.Integration.Serve;

/// <summary><c>xcsct serve</c> as a real process, driven by the real CLI client.</summary>
[Collection(ServeCollection.Name)]
public sealed class ServeProcessTests
{
    /// <summary>summary.json without the keys that name where or when it was written.</summary>
    private static JsonNode Comparable(string path)
    {
        var node = JsonNode.Parse(File.ReadAllText(path))!.AsObject();
        foreach (var key in new[] { "provenance", "created", "written_at", "output" }) node.Remove(key);
        return node;
    }

    [Fact]
    public async Task Submit_wait_and_results_through_the_cluster_match_the_direct_run()
    {
        using var temp = new TempRoot("serve-cli");
        string root = temp.Path;
        var sim = Xcsct.Simulate(root);
        await using var node = await NodeProcess.StartAsync(root, Path.Combine(root, "data"));

        var submit = await Xcsct.RunAsync(root, "submit", sim.Manifest, "--wait", "--node", node.Url);
        Assert.True(submit.ExitCode == 0, $"submit failed:\n{submit.Stdout}\n{submit.Stderr}\nnode:\n{node.Log}");
        Assert.Contains($"submitted {sim.Experiment}", submit.Stdout);

        string downloaded = Path.Combine(root, "downloaded");
        var results = await Xcsct.RunAsync(root, "results", sim.Experiment, "--out", downloaded, "--node", node.Url);
        Assert.True(results.ExitCode == 0, results.Stdout + results.Stderr);

        string direct = Path.Combine(root, "direct");
        var process = await Xcsct.RunAsync(root, "process", "--manifest", sim.Manifest, "--direct", "--out", direct);
        Assert.True(process.ExitCode == 0, process.Stdout + process.Stderr);

        foreach (var scan in sim.Scans.Select(s => s.Plan.Id))
        {
            string got = Path.Combine(downloaded, sim.Experiment, scan), want = Path.Combine(direct, sim.Experiment, scan);
            Assert.Equal(Comparable(Path.Combine(want, "summary.json")).ToJsonString(), Comparable(Path.Combine(got, "summary.json")).ToJsonString());
            foreach (var name in new[] { "result.nxs", "spectrum.png", "profile.png", "emf_map.png" })
                Assert.True(new FileInfo(Path.Combine(got, name)).Length > 0, $"{scan}/{name} missing or empty");
        }
        Assert.Equal(File.ReadAllText(Path.Combine(direct, sim.Experiment, "series.csv")), File.ReadAllText(Path.Combine(downloaded, sim.Experiment, "series.csv")));

        var status = await Xcsct.RunAsync(root, "status", sim.Experiment, "--json", "--node", node.Url);
        Assert.Equal(0, status.ExitCode);
        var view = JsonSerializer.Deserialize<ExperimentView>(status.Stdout, ApiJson.Options)!;
        Assert.Equal(ExperimentState.Completed, view.State);
        Assert.All(view.Scans, s => Assert.Equal(500, s.FramesDone));

        var again = await Xcsct.RunAsync(root, "submit", sim.Manifest, "--node", node.Url);
        Assert.Equal(1, again.ExitCode);
        Assert.Contains("already exists", again.Stderr);
        Assert.Contains("(409)", again.Stderr);
        Assert.DoesNotContain("   at ", again.Stderr);
    }

    [Fact]
    public async Task A_node_that_does_not_answer_is_one_line_without_a_stack_trace()
    {
        using var temp = new TempRoot("serve-down");
        string root = temp.Path;
        string url = $"http://127.0.0.1:{Xcsct.FreePort()}";
        File.WriteAllText(Path.Combine(root, "m.yaml"), "experiment: x\n");
        foreach (var args in new[] { new[] { "status", "--node", url }, ["submit", Path.Combine(root, "m.yaml"), "--node", url], ["cluster", "members", "--node", url] })
        {
            var r = await Xcsct.RunAsync(root, args);
            Assert.Equal(1, r.ExitCode);
            var lines = r.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries);
            Assert.Single(lines);
            Assert.Equal($"xcsct: error: node {url}/ does not answer: connection refused", lines[0].TrimEnd());
        }
    }

    [Fact]
    public async Task Cluster_members_lists_both_nodes_of_a_two_node_cluster_and_leave_removes_one_gracefully()
    {
        using var temp = new TempRoot("serve-two");
        string root = temp.Path;
        await using var a = await NodeProcess.StartAsync(root, Path.Combine(root, "data-a"));
        await using var b = await NodeProcess.StartAsync(root, Path.Combine(root, "data-b"), "--seed", a.Address);

        async Task<MemberView[]> Members()
        {
            var r = await Xcsct.RunAsync(root, "cluster", "members", "--json", "--node", a.Url);
            Assert.True(r.ExitCode == 0, r.Stderr);
            return JsonSerializer.Deserialize<MemberView[]>(r.Stdout, ApiJson.Options)!;
        }

        async Task<MemberView[]> Until(Func<MemberView[], bool> done)
        {
            var deadline = DateTime.UtcNow.AddMinutes(2);
            while (true)
            {
                var members = await Members();
                if (done(members)) return members;
                Assert.True(DateTime.UtcNow < deadline, $"members never settled: {string.Join(", ", members.Select(m => m.Address + " " + m.Status))}\nA:\n{a.Log}\nB:\n{b.Log}");
                await Task.Delay(500);
            }
        }

        var both = await Until(m => m.Length == 2 && m.All(x => x.Status == "up"));
        Assert.Equal(new[] { a.Address, b.Address }.OrderBy(x => x, StringComparer.Ordinal), both.Select(m => m.Address));
        var table = await Xcsct.RunAsync(root, "cluster", "members", "--node", a.Url);
        Assert.Contains(a.Address, table.Stdout);
        Assert.Contains(b.Address, table.Stdout);

        var leave = await Xcsct.RunAsync(root, "cluster", "leave", b.Address, "--node", a.Url);
        Assert.True(leave.ExitCode == 0, leave.Stderr);
        Assert.Contains("leaving", leave.Stdout);
        var left = await Until(m => m.Length == 1);
        Assert.Equal(a.Address, left[0].Address);
        Assert.True(await b.ExitedWithinAsync(TimeSpan.FromMinutes(1)), $"the node that left kept running:\n{b.Log}");

        var shards = await Xcsct.RunAsync(root, "cluster", "shards", "--node", a.Url);
        Assert.True(shards.ExitCode == 0, shards.Stderr);
        Assert.Contains("xcs-scan", shards.Stdout);
    }
}
