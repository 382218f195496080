using XcsCt.Domain.Formats;

namespace XcsCt.Domain.Tests.Formats;

public class DataRootsTests
{
    [Fact]
    public void RealPathFollowsRelativeAndAbsoluteLinksAndDotDot()
    {
        using var dir = new TempDir();
        string real = DataRoots.RealPath(dir.Path);
        Directory.CreateDirectory(Path.Combine(dir.Path, "a", "b"));
        dir.Write("a/b/f.bin", "x");
        Directory.CreateSymbolicLink(Path.Combine(dir.Path, "rel"), Path.Combine("a", "b"));        // relative target
        Directory.CreateSymbolicLink(Path.Combine(dir.Path, "abs"), Path.Combine(dir.Path, "a"));    // absolute target
        Assert.Equal(Path.Combine(real, "a", "b", "f.bin"), DataRoots.RealPath(Path.Combine(dir.Path, "rel", "f.bin")));
        Assert.Equal(Path.Combine(real, "a", "b", "f.bin"), DataRoots.RealPath(Path.Combine(dir.Path, "abs", "b", "f.bin")));
        // ".." after a link climbs from the link's target, as the kernel does: rel/.. is a, not the root.
        Assert.Equal(Path.Combine(real, "a", "x"), DataRoots.RealPath(Path.Combine(dir.Path, "rel", "..", "x")));
        Assert.Equal(Path.Combine(real, "missing", "f"), DataRoots.RealPath(Path.Combine(dir.Path, "missing", "f")));
    }

    [Fact]
    public void LinkLoopIsAnInputError()
    {
        using var dir = new TempDir();
        File.CreateSymbolicLink(Path.Combine(dir.Path, "x"), Path.Combine(dir.Path, "y"));
        File.CreateSymbolicLink(Path.Combine(dir.Path, "y"), Path.Combine(dir.Path, "x"));
        Assert.Contains("symbolic links", Assert.Throws<InputException>(() => DataRoots.RealPath(Path.Combine(dir.Path, "x"))).Message);
    }

    [Fact]
    public void ContainsAcceptsTheRootAndBelowButNotSiblingsWithACommonPrefix()
    {
        using var dir = new TempDir();
        Directory.CreateDirectory(Path.Combine(dir.Path, "data"));
        Directory.CreateDirectory(Path.Combine(dir.Path, "data2"));
        var roots = new DataRoots([Path.Combine(dir.Path, "data") + Path.DirectorySeparatorChar]);
        Assert.True(roots.Contains(Path.Combine(dir.Path, "data"), out _));
        Assert.True(roots.Contains(Path.Combine(dir.Path, "data", "x", "y.bin"), out _));
        Assert.False(roots.Contains(Path.Combine(dir.Path, "data2", "y.bin"), out _));
        Assert.False(roots.Contains(Path.Combine(dir.Path, "data", "..", "data2", "y.bin"), out string real));
        Assert.Equal(Path.Combine(DataRoots.RealPath(dir.Path), "data2", "y.bin"), real);
    }
}
