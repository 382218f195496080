using MessagePack;
using XcsCt.Actors.Tiles;
using XcsCt.Domain;
using XcsCt.Domain.Detector;
using XcsCt.Domain.Spectra;
using XcsCt.Messages;
using XcsCt.Messages.Scans;
using XcsCt.Messages.Serialization;
using XcsCt.Messages.Tiles;

namespace XcsCt.Actors.Client;

/// <summary>Assembles a completed scan's pixel spectra from the files its tiles wrote.</summary>
public static class ScanResultReader
{
    /// <summary>Reads every tile file of <paramref name="directory"/> into one <see cref="PixelSpectra"/>; checks each tile holds every batch and the same frames.</summary>
    /// <param name="binWidthKeV">Histogram bin width, keV (the plan knows the bin count only).</param>
    public static PixelSpectra Read(string directory, ScanPlan plan, double binWidthKeV)
    {
        var spectra = new PixelSpectra(new DetectorShape(plan.Rows, plan.Cols), new HistogramAxis(binWidthKeV, plan.Bins));
        int bins = plan.Bins;
        for (int t = 0; t < plan.TileCount; t++)
        {
            var path = TileResultFiles.PathOf(directory, t);
            TileSnapshot tile;
            try { tile = MessagePackSerializer.Deserialize<TileSnapshot>(File.ReadAllBytes(path), XcsSerializer.Options); }
            catch (Exception e) when (e is IOException or MessagePackSerializationException)
            {
                throw new InputException($"scan result {path}: cannot be read ({e.Message})", e);
            }
            var rect = plan.Tile(t);
            if (!tile.Applied.CoversAll(plan.BatchCount))
                throw new InputException($"scan result {path}: holds batches {tile.Applied}, expected all {plan.BatchCount}");
            if (t == 0)
            {
                spectra.Frames = tile.Frames;
                spectra.Events = tile.Events;
            }
            else if (tile.Frames != spectra.Frames)
                throw new InputException($"scan result {path}: {tile.Frames} frames, tile 0 has {spectra.Frames}");
            tile.Counts.AddToTile(spectra.Counts, plan.Cols, bins, rect);
        }
        return spectra;
    }
}
