using System.Security.Cryptography;
using MessagePack;
using XcsCt.Domain;
using XcsCt.Domain.Detector;
using XcsCt.Domain.Pipeline;
using XcsCt.Domain.Spectra;
using XcsCt.Messages.Serialization;

namespace XcsCt.Messages.Scans;

/// <summary>
/// A <see cref="ScanJob"/> on shared storage: written once under a name derived from its content
/// hash, so that messages and events carry a short <see cref="JobRef"/> instead of per-pixel
/// maps, every node reads the same job, and the same job submitted twice has the same reference.
/// </summary>
public static class JobFile
{
    /// <summary>Writes <paramref name="job"/> to <c>directory/{hash}.job</c> (temporary name, then rename) unless present; returns its reference.</summary>
    /// <param name="job">The scan job (paths are stored as given: make them absolute for a cluster).</param>
    /// <param name="directory">Job directory on shared storage; created when missing.</param>
    public static JobRef Write(ScanJob job, string directory)
    {
        var bytes = MessagePackSerializer.Serialize(JobContract.From(job), XcsSerializer.Options);
        var hash = Convert.ToHexStringLower(SHA256.HashData(bytes));
        Directory.CreateDirectory(directory);
        var path = Path.GetFullPath(Path.Combine(directory, hash + ".job"));
        if (!File.Exists(path))
        {
            var temp = path + "." + Guid.NewGuid().ToString("N") + ".tmp";
            File.WriteAllBytes(temp, bytes);
            File.Move(temp, path, overwrite: true);
        }
        return new JobRef(path, hash);
    }

    /// <summary>Reads and checks a job file; throws <see cref="InputException"/> when it is missing, altered or unreadable.</summary>
    public static ScanJob Read(JobRef job)
    {
        byte[] bytes;
        try { bytes = File.ReadAllBytes(job.Path); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new InputException($"job file {job.Path}: cannot be read ({e.Message})", e);
        }
        var hash = Convert.ToHexStringLower(SHA256.HashData(bytes));
        if (hash != job.Hash)
            throw new InputException($"job file {job.Path}: expected content hash {job.Hash}, found {hash} (the file was changed after submission)");
        try
        {
            return MessagePackSerializer.Deserialize<JobContract>(bytes, XcsSerializer.Options).ToJob();
        }
        catch (MessagePackSerializationException e)
        {
            throw new InputException($"job file {job.Path}: not a readable job ({e.Message})", e);
        }
    }

    /// <summary>Wire form of <see cref="ScanJob"/> and its <see cref="FrameCorrections"/>. Keys only appended.</summary>
    [MessagePackObject]
    public sealed record JobContract(
        [property: Key(0)] string Experiment,
        [property: Key(1)] string Scan,
        [property: Key(2)] string[] FrameFiles,
        [property: Key(3)] int BatchFrames,
        [property: Key(4)] int Rows,
        [property: Key(5)] int Cols,
        [property: Key(6)] double BinWidthKeV,
        [property: Key(7)] int Bins,
        [property: Key(8)] float[] GradientsKeVPerAdu,
        [property: Key(9)] float[] InterceptsKeV,
        [property: Key(10)] bool Reorder,
        [property: Key(11)] float[]? OffsetsAdu,
        [property: Key(12)] float? ThresholdAdu,
        [property: Key(13)] float[]? ThresholdMapAdu,
        [property: Key(14)] bool NextFrame,
        [property: Key(15)] int ChargeSharing,
        [property: Key(16)] int Window)
    {
        public static JobContract From(ScanJob job)
        {
            var c = job.Corrections;
            return new JobContract(job.Experiment, job.Scan, job.FrameFiles.ToArray(), job.BatchFrames,
                c.Shape.Rows, c.Shape.Cols, c.Axis.BinWidthKeV, c.Axis.Bins, c.GradientsKeVPerAdu, c.InterceptsKeV,
                c.Reorder, c.OffsetsAdu, c.ThresholdAdu, c.ThresholdMapAdu, c.NextFrame, (int)c.ChargeSharing, c.Window);
        }

        public ScanJob ToJob() => new(Experiment, Scan, FrameFiles,
            new FrameCorrections(new DetectorShape(Rows, Cols), new HistogramAxis(BinWidthKeV, Bins), GradientsKeVPerAdu, InterceptsKeV)
            {
                Reorder = Reorder,
                OffsetsAdu = OffsetsAdu,
                ThresholdAdu = ThresholdAdu,
                ThresholdMapAdu = ThresholdMapAdu,
                NextFrame = NextFrame,
                ChargeSharing = (ChargeSharingMode)ChargeSharing,
                Window = Window,
            }, BatchFrames);
    }
}
