using Akka.Actor;
using Akka.Cluster;
using Akka.Cluster.Sharding;

namespace XcsCt.Host.Serve;

/// <summary>One cluster member as <c>GET /api/cluster/members</c> shows it.</summary>
public sealed record MemberView(string Address, string Status, IReadOnlyList<string> Roles, bool Reachable, bool Leader, bool Self, string? AppVersion = null);

/// <summary>Shards of one region hosted by one node, with their entity counts.</summary>
public sealed record NodeShardsView(string Address, int Shards, int Entities, IReadOnlyDictionary<string, int> EntitiesPerShard);

/// <summary>One sharded entity type across the cluster, and what this node's region holds.</summary>
public sealed record RegionView(string TypeName, IReadOnlyList<NodeShardsView> Nodes, IReadOnlyList<string> Unreachable, NodeShardsView Local);

/// <summary>
/// The operations Petabridge.Cmd's cluster and sharding commands give, over Akka.Cluster and
/// Akka.Cluster.Sharding APIs: members, graceful leave, down, and shard distribution per node.
/// </summary>
public sealed class ClusterAdmin(ActorSystem system)
{
    /// <summary>The sharded entity types of the XcsCt cluster.</summary>
    public static readonly IReadOnlyList<string> RegionTypes = ["xcs-experiment", "xcs-scan", "xcs-tile"];

    private static readonly TimeSpan StatsTimeout = TimeSpan.FromSeconds(5);

    private Cluster Cluster => Cluster.Get(system);

    public IReadOnlyList<MemberView> Members()
    {
        var state = Cluster.State;
        var unreachable = state.Unreachable.Select(m => m.Address).ToHashSet();
        return state.Members
            .OrderBy(m => m.Address.ToString(), StringComparer.Ordinal)
            .Select(m => new MemberView(m.Address.ToString(), m.Status.ToString().ToLowerInvariant(), m.Roles.OrderBy(r => r).ToArray(),
                !unreachable.Contains(m.Address), m.Address == state.Leader, m.Address == Cluster.SelfAddress, m.AppVersion.ToString()))
            .ToArray();
    }

    /// <summary>Asks <paramref name="address"/> to leave gracefully (its shards are handed off first); 404 when it is not a member.</summary>
    public MemberView Leave(string address)
    {
        var member = Member(address);
        Cluster.Leave(member.Address);
        return View(member, "leaving");
    }

    /// <summary>Marks <paramref name="address"/> down (for a node that is gone and will not come back); 404 when it is not a member.</summary>
    public MemberView Down(string address)
    {
        var member = Member(address);
        Cluster.Down(member.Address);
        return View(member, "down");
    }

    /// <summary>Per region type: shards and entities on every node (GetClusterShardingStats) and in this node's region (GetShardRegionState).</summary>
    public async Task<IReadOnlyList<RegionView>> ShardsAsync(CancellationToken cancellationToken)
    {
        var sharding = ClusterSharding.Get(system);
        var views = new List<RegionView>();
        foreach (var type in RegionTypes)
        {
            if (!sharding.ShardTypeNames.Contains(type)) continue;
            var region = sharding.ShardRegion(type);
            var stats = await region.Ask<ClusterShardingStats>(new GetClusterShardingStats(StatsTimeout), StatsTimeout + TimeSpan.FromSeconds(2), cancellationToken);
            var local = await region.Ask<CurrentShardRegionState>(GetShardRegionState.Instance, StatsTimeout, cancellationToken);
            var nodes = stats.Regions
                .OrderBy(r => r.Key.ToString(), StringComparer.Ordinal)
                .Select(r => Node(r.Key.ToString(), r.Value.Stats.ToDictionary(s => s.Key, s => s.Value)))
                .ToArray();
            var failed = stats.Regions.SelectMany(r => r.Value.Failed ?? []).Distinct().OrderBy(s => s, StringComparer.Ordinal).ToArray();
            var mine = Node(Cluster.SelfAddress.ToString(), local.Shards.ToDictionary(s => s.ShardId, s => s.EntityIds.Count));
            views.Add(new RegionView(type, nodes, failed, mine));
        }
        return views;
    }

    private static NodeShardsView Node(string address, Dictionary<string, int> perShard) =>
        new(address, perShard.Count, perShard.Values.Sum(), new SortedDictionary<string, int>(perShard, StringComparer.Ordinal));

    private Member Member(string address)
    {
        Address parsed;
        try
        {
            parsed = Address.Parse(address);
        }
        catch (Exception e) when (e is UriFormatException or ArgumentException or FormatException)
        {
            throw new ApiException(400, $"'{address}' is not a node address: expected akka.tcp://xcsct@host:port");
        }
        return Cluster.State.Members.FirstOrDefault(m => m.Address == parsed)
            ?? throw ApiException.NotFound($"{address} is not a member of this cluster");
    }

    private MemberView View(Member m, string status) =>
        new(m.Address.ToString(), status, m.Roles.OrderBy(r => r).ToArray(), true, m.Address == Cluster.State.Leader, m.Address == Cluster.SelfAddress, m.AppVersion.ToString());
}
