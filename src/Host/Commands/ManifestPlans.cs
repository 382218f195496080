using XcsCt.Domain;
using XcsCt.Domain.Pipeline;

namespace XcsCt.Host.Commands;

/// <summary>The manifest form of <c>xcsct process</c>: flags that describe the experiment may not be mixed in.</summary>
internal static class ManifestPlans
{
    public static ExperimentPlan Load(string manifest, ProcessCommand.Settings s)
    {
        if (s.Frames.Length > 0 || s.Gradients is not null || s.Intercepts is not null || s.Masks.Length > 0 || s.Offsets is not null || s.Thresholds is not null)
            throw new InputException("--manifest describes the whole experiment: do not combine it with --frames, --gradients, --intercepts, --offsets, --thresholds or --mask");
        var plan = ManifestPlan.Load(manifest);
        return s.BatchFrames > 0 ? plan with { BatchFrames = s.BatchFrames } : plan;
    }
}
