using System.Diagnostics;
using XcsCt.Domain.Detector;

namespace XcsCt.Domain.Tests.Detector;

/// <summary>
/// The kernel equals the reference when the JIT may not use AVX-512 or AVX2 at all (other
/// instruction selections for the same vector code): the check runs again in child test processes
/// started with AVX-512 switched off (<c>DOTNET_EnableAVX512=0</c>, .NET 10's name; older runtimes
/// read <c>DOTNET_EnableAVX512F</c>, also set) and with <c>DOTNET_EnableAVX2=0</c>.
/// </summary>
public class InstructionSetTests
{
    private const string ChildVariable = "XCSCT_KERNEL_ISA_CHILD";

    /// <summary>The check itself (runs in this process too, with every instruction set).</summary>
    [Fact]
    public void KernelMatchesReferenceOnThisInstructionSet()
    {
        foreach (var k in new[]
        {
            new KernelCase(80, 80, ChargeSharingMode.Cluster, 3, true, ThresholdKind.Global, true, false, true, 150, 71),
            new KernelCase(7, 13, ChargeSharingMode.Addition, 5, true, ThresholdKind.PerPixel, true, false, true, 600, 72),
            new KernelCase(3, 160, ChargeSharingMode.Discrimination, 3, false, ThresholdKind.PerPixel, false, true, true, 400, 73),
            new KernelCase(9, 64, ChargeSharingMode.None, 3, true, ThresholdKind.None, true, false, true, 400, 74),
        })
        {
            var corrections = KernelTestData.Corrections(k);
            var frames = KernelTestData.Frames(k, corrections);
            var reference = FrameKernelReference.Create(corrections);
            var expected = new FrameAccumulator(reference);
            reference.ProcessRaw(frames, 0, expected);
            var kernel = FrameKernel.Create(corrections);
            var actual = new FrameAccumulator(kernel);
            kernel.ProcessRaw(frames, 0, actual); // the widest path this process accelerates
            KernelTestData.AssertSame(expected, actual, $"{k} at {FrameKernel.VectorBits} bits");
        }
        if (Environment.GetEnvironmentVariable(ChildVariable) is { } widest)
            Assert.True(FrameKernel.VectorBits <= int.Parse(widest), $"the switch did not take effect: {FrameKernel.VectorBits}-bit SIMD in use");
    }

    [Theory]
    [InlineData("DOTNET_EnableAVX512", 256)]
    [InlineData("DOTNET_EnableAVX2", 128)]
    public async Task KernelMatchesReferenceWithWideInstructionsSwitchedOff(string variable, int widestBits)
    {
        if (Environment.GetEnvironmentVariable(ChildVariable) is not null) return; // already the child

        string dotnet = Path.GetFileNameWithoutExtension(Environment.ProcessPath) == "dotnet" ? Environment.ProcessPath! : "dotnet";
        var start = new ProcessStartInfo(dotnet)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (string arg in new[] { "test", typeof(InstructionSetTests).Assembly.Location, "--filter",
                     $"FullyQualifiedName~{nameof(InstructionSetTests)}.{nameof(KernelMatchesReferenceOnThisInstructionSet)}" })
            start.ArgumentList.Add(arg);
        start.Environment[variable] = "0";
        if (variable == "DOTNET_EnableAVX512") start.Environment["DOTNET_EnableAVX512F"] = "0";
        start.Environment[ChildVariable] = widestBits.ToString();
        using var child = Process.Start(start)!;
        var output = child.StandardOutput.ReadToEndAsync();
        var errors = child.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(10));
        await child.WaitForExitAsync(timeout.Token);
        string log = await output + await errors;
        Assert.True(child.ExitCode == 0, $"child run with {variable}=0 failed:\n{log}");
        Assert.Contains("Passed!", log);
    }
}
