namespace XcsCt.Actors;

internal static class ActorsInfo
{
    public const string SystemName = "xcsct";
}
