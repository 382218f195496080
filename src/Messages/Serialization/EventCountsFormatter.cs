using MessagePack;
using MessagePack.Formatters;
using XcsCt.Domain.Detector;

namespace XcsCt.Messages.Serialization;

/// <summary>Writes <see cref="EventCounts"/> (a Domain type without wire attributes) as an array of its seven counts, in declaration order.</summary>
public sealed class EventCountsFormatter : IMessagePackFormatter<EventCounts>
{
    public static readonly EventCountsFormatter Instance = new();

    public void Serialize(ref MessagePackWriter writer, EventCounts value, MessagePackSerializerOptions options)
    {
        writer.WriteArrayHeader(7);
        writer.Write(value.In);
        writer.Write(value.Kept);
        writer.Write(value.Merged);
        writer.Write(value.Discarded);
        writer.Write(value.BelowThreshold);
        writer.Write(value.Underflow);
        writer.Write(value.Overflow);
    }

    public EventCounts Deserialize(ref MessagePackReader reader, MessagePackSerializerOptions options)
    {
        int n = reader.ReadArrayHeader();
        if (n < 7) throw new MessagePackSerializationException($"event counts: expected 7 values, found {n}");
        var counts = new EventCounts(reader.ReadInt64(), reader.ReadInt64(), reader.ReadInt64(), reader.ReadInt64(),
            reader.ReadInt64(), reader.ReadInt64(), reader.ReadInt64());
        for (int i = 7; i < n; i++) reader.Skip(); // keys are only appended: a newer writer's extras are skipped
        return counts;
    }
}
