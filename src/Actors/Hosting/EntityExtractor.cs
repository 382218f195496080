using Akka.Cluster.Sharding;

namespace XcsCt.Actors.Hosting;

/// <summary>Entity id from the message's <c>IWith...Id</c> interface; shard from the id's hash (fixed shard count).</summary>
public sealed class EntityExtractor(int shards, Func<object, string?> entityId) : HashCodeMessageExtractor(shards)
{
    public override string? EntityId(object message) => entityId(message);
}
