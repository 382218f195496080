namespace XcsCt.Domain;

/// <summary>Version and identity of the analysis code, written into every result's provenance.</summary>
public static class DomainInfo
{
    public const string Program = "XcsCtCluster";
    public static string Version => typeof(DomainInfo).Assembly.GetName().Version?.ToString(3) ?? "0.0.0";
}
