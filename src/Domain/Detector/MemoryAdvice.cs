using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace XcsCt.Domain.Detector;

/// <summary>
/// Asks Linux to back a large pinned array with 2 MB pages (transparent huge pages, <c>madvise</c>
/// mode): per-pixel histograms of tens of MB are hit at scattered addresses, and with 4 kB pages
/// nearly every event would also miss the address-translation cache. Best effort: elsewhere, or if
/// the kernel declines, nothing changes but speed.
/// </summary>
internal static partial class MemoryAdvice
{
    private const int MadviseHugePage = 14; // MADV_HUGEPAGE
    private const long HugePage = 2 << 20;

    /// <summary>Advises huge pages for the 2 MB-aligned interior of <paramref name="array"/> (pinned, not yet touched).</summary>
    public static unsafe void HugePages(uint[] array)
    {
        if (!OperatingSystem.IsLinux() || (long)array.Length * sizeof(uint) < 2 * HugePage) return;
        long start = (long)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(array));
        long end = start + (long)array.Length * sizeof(uint);
        long from = (start + HugePage - 1) & ~(HugePage - 1), to = end & ~(HugePage - 1);
        if (to <= from) return;
        try
        {
            madvise((nint)from, (nuint)(to - from), MadviseHugePage);
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            // no libc madvise here: 4 kB pages it is
        }
    }

    [LibraryImport("libc", EntryPoint = "madvise")]
    private static partial int madvise(nint address, nuint length, int advice);
}
