namespace XcsCt.Domain.Detector;

/// <summary>
/// The frame-correction chain of ANALYSIS section 3 written plainly, pixel by pixel, step by step,
/// on dense frames, following the spec text (and the definitions listed on <see cref="FrameKernel"/>).
/// It is the scalar twin that tests hold <see cref="FrameKernel"/> bit-identical to; slow, allocates
/// per frame, not for production runs.
/// </summary>
public sealed class FrameKernelReference
{
    private readonly int[] _rawIndexOf;

    private FrameKernelReference(FrameCorrections corrections)
    {
        Corrections = corrections;
        _rawIndexOf = new int[Pixels];
        for (int i = 0; i < Pixels; i++) _rawIndexOf[SpatialIndex(i)] = i;
    }

    /// <summary>Validates <paramref name="corrections"/> (same checks as <see cref="FrameKernel.Create"/>).</summary>
    public static FrameKernelReference Create(FrameCorrections corrections) => new(corrections.Validated());

    public FrameCorrections Corrections { get; }

    private int Rows => Corrections.Shape.Rows;
    private int Cols => Corrections.Shape.Cols;
    private int Pixels => Corrections.Shape.Pixels;

    /// <summary>Steps 1-7 over consecutive raw frames (see <see cref="FrameKernel.ProcessRaw"/>).</summary>
    public void ProcessRaw(ReadOnlySpan<ushort> frames, long firstFrameNumber, FrameAccumulator acc)
    {
        int count = Check(frames.Length, acc);
        for (int f = 0; f < count; f++)
        {
            var raw = frames.Slice(f * Pixels, Pixels);
            long number = firstFrameNumber + f;
            var t = new FrameTally();

            // 1. Reorder: raw ASIC order to spatial order.
            var spatial = new ushort[Pixels];
            for (int i = 0; i < Pixels; i++) spatial[SpatialIndex(i)] = raw[i];

            // 2-3. Offset and threshold.
            var passed = new bool[Pixels];
            var value = new float[Pixels];
            for (int p = 0; p < Pixels; p++)
            {
                float v = Corrections.OffsetsAdu is { } offsets ? spatial[p] - offsets[p] : spatial[p];
                if (!(v > 0f)) continue;
                t.In++;
                float? threshold = Corrections.ThresholdMapAdu is { } map ? map[p] : Corrections.ThresholdAdu;
                if (threshold is { } th && !(v >= th)) { t.BelowThreshold++; continue; }
                passed[p] = true;
                value[p] = v;
            }

            // 4. Next-frame: zero what the previous frame (after steps 1-3) had, for consecutive numbers.
            var isEvent = (bool[])passed.Clone();
            if (Corrections.NextFrame)
            {
                bool linked = acc.HasPrevious && acc.PreviousFrameNumber == number - 1;
                for (int p = 0; p < Pixels; p++)
                    if (linked && passed[p] && PreviousHad(acc, p)) { isEvent[p] = false; t.Discarded++; }
                Remember(acc, passed, number);
            }

            // 5. Energy calibration; dead pixels (m = 0) dropped.
            var energy = new float[Pixels];
            for (int p = 0; p < Pixels; p++)
            {
                if (!isEvent[p]) continue;
                float m = Corrections.GradientsKeVPerAdu[p];
                if (m == 0f) { isEvent[p] = false; t.Discarded++; continue; }
                energy[p] = m * value[p] + Corrections.InterceptsKeV[p];
            }

            ShareChargeAndHistogram(isEvent, energy, acc, ref t);
            acc.Add(t);
        }
        acc.AddFrames(count);
    }

    /// <summary>Steps 6-7 over odin processed frames in keV (see <see cref="FrameKernel.ProcessEnergies"/>).</summary>
    public void ProcessEnergies(ReadOnlySpan<float> framesKeV, long firstFrameNumber, FrameAccumulator acc)
    {
        int count = Check(framesKeV.Length, acc);
        for (int f = 0; f < count; f++)
        {
            var frame = framesKeV.Slice(f * Pixels, Pixels);
            var t = new FrameTally();
            var isEvent = new bool[Pixels];
            var energy = new float[Pixels];
            for (int p = 0; p < Pixels; p++)
            {
                if (!float.IsFinite(frame[p]))
                {
                    acc.ApplyQueued(); // the frames before this one stay added
                    throw new InputException($"processed frame {firstFrameNumber + f}: pixel (row {p / Cols}, col {p % Cols}) holds {frame[p]} keV, not a finite energy");
                }
                if (frame[p] == 0f) continue;
                t.In++;
                isEvent[p] = true;
                energy[p] = frame[p];
            }
            ShareChargeAndHistogram(isEvent, energy, acc, ref t);
            acc.Add(t);
        }
        acc.AddFrames(count);
    }

    /// <summary>Remembers the frame before a batch (see <see cref="FrameKernel.Prime"/>).</summary>
    public void Prime(ReadOnlySpan<ushort> previousFrame, long previousFrameNumber, FrameAccumulator acc)
    {
        if (previousFrame.Length != Pixels)
            throw new InputException($"previous frame: expected {Corrections.Shape} = {Pixels} values, found {previousFrame.Length}");
        var passed = new bool[Pixels];
        for (int i = 0; i < Pixels; i++)
        {
            int p = SpatialIndex(i);
            float v = Corrections.OffsetsAdu is { } offsets ? previousFrame[i] - offsets[p] : previousFrame[i];
            float? threshold = Corrections.ThresholdMapAdu is { } map ? map[p] : Corrections.ThresholdAdu;
            passed[p] = v > 0f && (threshold is not { } th || v >= th);
        }
        Remember(acc, passed, previousFrameNumber);
    }

    private int Check(int values, FrameAccumulator acc)
    {
        if (acc.Shape != Corrections.Shape || acc.Axis != Corrections.Axis)
            throw new ArgumentException("accumulator does not match the corrections' shape and axis", nameof(acc));
        if (values % Pixels != 0)
            throw new InputException($"frames: {values} values are not a whole number of {Corrections.Shape} frames");
        return values / Pixels;
    }

    /// <summary>Step 1 as written: raw index row*80 + c*4 + b (per 80-column module) is spatial column b*20 + c.</summary>
    private int SpatialIndex(int rawIndex)
    {
        if (!Corrections.Reorder) return rawIndex;
        int row = rawIndex / Cols, rawCol = rawIndex % Cols;
        int module = rawCol / 80, inModule = rawCol % 80;
        int c = inModule / 4, b = inModule % 4;
        return row * Cols + module * 80 + b * 20 + c;
    }

    // The accumulator stores the previous frame as bits by raw index, shared with the fast kernel.
    private bool PreviousHad(FrameAccumulator acc, int p)
    {
        int i = _rawIndexOf[p];
        return (acc.Previous[i / 64] >> (i % 64) & 1) != 0;
    }

    private void Remember(FrameAccumulator acc, bool[] passed, long number)
    {
        Array.Clear(acc.Previous);
        for (int i = 0; i < Pixels; i++)
            if (passed[SpatialIndex(i)]) acc.Previous[i / 64] |= 1UL << (i % 64);
        acc.PreviousFrameNumber = number;
        acc.HasPrevious = true;
    }

    private void ShareChargeAndHistogram(bool[] isEvent, float[] energy, FrameAccumulator acc, ref FrameTally t)
    {
        switch (Corrections.ChargeSharing)
        {
            case ChargeSharingMode.Cluster: Cluster(isEvent, energy, ref t); break;
            case ChargeSharingMode.Addition: Addition(isEvent, energy, ref t); break;
            case ChargeSharingMode.Discrimination: Discrimination(isEvent, energy, ref t); break;
        }

        // 7. Histogram: bin = floor(E / w); outside [0, max) to under/overflow, still kept.
        double w = Corrections.Axis.BinWidthKeV;
        int bins = Corrections.Axis.Bins;
        for (int p = 0; p < Pixels; p++)
        {
            if (!isEvent[p]) continue;
            t.Kept++;
            double bin = Math.Floor(energy[p] / w);
            if (bin < 0) t.Underflow++;
            else if (bin >= bins) t.Overflow++;
            else acc.Increment(p * bins + (int)bin);
        }
    }

    /// <summary>8-connected clusters by breadth-first labelling: 1 kept, 2 summed onto the larger (tie: first in raster order), 3+ discarded.</summary>
    private void Cluster(bool[] isEvent, float[] energy, ref FrameTally t)
    {
        var label = new int[Pixels];
        Array.Fill(label, -1);
        var clusters = new List<List<int>>();
        for (int seed = 0; seed < Pixels; seed++)
        {
            if (!isEvent[seed] || label[seed] >= 0) continue;
            var members = new List<int> { seed };
            label[seed] = clusters.Count;
            for (int k = 0; k < members.Count; k++)
            {
                int r = members[k] / Cols, c = members[k] % Cols;
                for (int dr = -1; dr <= 1; dr++)
                    for (int dc = -1; dc <= 1; dc++)
                    {
                        int rr = r + dr, cc = c + dc;
                        if (rr < 0 || rr >= Rows || cc < 0 || cc >= Cols) continue;
                        int n = rr * Cols + cc;
                        if (isEvent[n] && label[n] < 0) { label[n] = clusters.Count; members.Add(n); }
                    }
            }
            clusters.Add(members);
        }
        foreach (var members in clusters)
        {
            if (members.Count == 1) continue;
            if (members.Count == 2)
            {
                int first = Math.Min(members[0], members[1]), second = Math.Max(members[0], members[1]);
                float sum = energy[first] + energy[second];
                int larger = energy[second] > energy[first] ? second : first;
                int smaller = larger == first ? second : first;
                energy[larger] = sum;
                isEvent[smaller] = false;
                t.Merged++;
                continue;
            }
            foreach (int p in members) isEvent[p] = false;
            t.Discarded += members.Count;
        }
    }

    /// <summary>Raster scan of the zero-padded frame; each event's k x k window summed onto its maximum.</summary>
    private void Addition(bool[] isEvent, float[] energy, ref FrameTally t)
    {
        int h = Corrections.Window / 2;
        var (padEvent, padEnergy, pc) = Pad(isEvent, energy, h);
        for (int r = h; r < Rows + h; r++)
            for (int c = h; c < Cols + h; c++)
            {
                if (!padEvent[r * pc + c]) continue;
                float sum = 0f, max = 0f;
                int maxAt = -1, events = 0;
                for (int rr = r - h; rr <= r + h; rr++)
                    for (int cc = c - h; cc <= c + h; cc++)
                    {
                        int n = rr * pc + cc;
                        if (!padEvent[n]) continue;
                        sum += padEnergy[n];
                        if (events == 0 || padEnergy[n] > max) { max = padEnergy[n]; maxAt = n; }
                        events++;
                    }
                for (int rr = r - h; rr <= r + h; rr++)
                    for (int cc = c - h; cc <= c + h; cc++)
                    {
                        padEvent[rr * pc + cc] = false;
                        padEnergy[rr * pc + cc] = 0f;
                    }
                padEvent[maxAt] = true;
                padEnergy[maxAt] = sum;
                t.Merged += events - 1;
            }
        Unpad(padEvent, padEnergy, pc, h, isEvent, energy);
    }

    /// <summary>Raster scan of the zero-padded frame; an event with a neighbour in its window is zeroed with the window.</summary>
    private void Discrimination(bool[] isEvent, float[] energy, ref FrameTally t)
    {
        int h = Corrections.Window / 2;
        var (padEvent, padEnergy, pc) = Pad(isEvent, energy, h);
        for (int r = h; r < Rows + h; r++)
            for (int c = h; c < Cols + h; c++)
            {
                if (!padEvent[r * pc + c]) continue;
                int events = 0;
                for (int rr = r - h; rr <= r + h; rr++)
                    for (int cc = c - h; cc <= c + h; cc++)
                        if (padEvent[rr * pc + cc]) events++;
                if (events == 1) continue;
                for (int rr = r - h; rr <= r + h; rr++)
                    for (int cc = c - h; cc <= c + h; cc++)
                        padEvent[rr * pc + cc] = false;
                t.Discarded += events;
            }
        Unpad(padEvent, padEnergy, pc, h, isEvent, energy);
    }

    private (bool[] Event, float[] Energy, int Cols) Pad(bool[] isEvent, float[] energy, int h)
    {
        int pc = Cols + 2 * h;
        var padEvent = new bool[(Rows + 2 * h) * pc];
        var padEnergy = new float[padEvent.Length];
        for (int r = 0; r < Rows; r++)
            for (int c = 0; c < Cols; c++)
            {
                padEvent[(r + h) * pc + c + h] = isEvent[r * Cols + c];
                padEnergy[(r + h) * pc + c + h] = energy[r * Cols + c];
            }
        return (padEvent, padEnergy, pc);
    }

    private void Unpad(bool[] padEvent, float[] padEnergy, int pc, int h, bool[] isEvent, float[] energy)
    {
        for (int r = 0; r < Rows; r++)
            for (int c = 0; c < Cols; c++)
            {
                isEvent[r * Cols + c] = padEvent[(r + h) * pc + c + h];
                energy[r * Cols + c] = padEnergy[(r + h) * pc + c + h];
            }
    }
}
