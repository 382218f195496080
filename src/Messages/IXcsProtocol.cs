namespace XcsCt.Messages;

/// <summary>Marker for every type that crosses the wire or the journal; bound to the one XcsCt serializer.</summary>
public interface IXcsProtocol;
