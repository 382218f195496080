namespace XcsCt.Messages.Tests;

public sealed class BatchSetTests
{
    [Fact]
    public void Of_collapses_runs_into_ranges()
    {
        var set = BatchSet.Of([5, 1, 2, 3, 9, 2, 6]);
        Assert.Equal(new[] { 1, 4, 5, 7, 9, 10 }, set.Bounds);
        Assert.Equal(6, set.Count);
        Assert.Equal("{1-3,5-6,9}", set.ToString());
    }

    [Fact]
    public void Contains_finds_members_only()
    {
        var set = BatchSet.Of([1, 2, 3, 9]);
        foreach (var (i, expected) in new[] { (0, false), (1, true), (3, true), (4, false), (8, false), (9, true), (10, false) })
            Assert.Equal(expected, set.Contains(i));
    }

    [Fact]
    public void Set_algebra_matches_HashSet_on_seeded_random_sets()
    {
        var random = new Random(42);
        for (int trial = 0; trial < 200; trial++)
        {
            var a = Enumerable.Range(0, 60).Where(_ => random.NextDouble() < 0.4).ToHashSet();
            var b = Enumerable.Range(0, 60).Where(_ => random.NextDouble() < 0.6).ToHashSet();
            var sa = BatchSet.Of(a);
            var sb = BatchSet.Of(b);
            Assert.Equal(a.Union(b).Order(), sa.Union(sb).Indices());
            Assert.Equal(a.Intersect(b).Order(), sa.Intersect(sb).Indices());
            Assert.Equal(a.Except(b).Order(), sa.Except(sb).Indices());
            Assert.Equal(BatchSet.Of(a.Union(b)), sa.Union(sb)); // canonical form: adjacent ranges merged
        }
    }

    [Fact]
    public void Add_extends_and_joins_neighbouring_ranges()
    {
        var set = BatchSet.Of([0, 1, 3]).Add(2);
        Assert.Equal(new[] { 0, 4 }, set.Bounds);
        Assert.Same(set, set.Add(1));
    }

    [Fact]
    public void CoversAll_is_true_only_for_the_whole_prefix()
    {
        Assert.True(BatchSet.Range(0, 5).CoversAll(5));
        Assert.True(BatchSet.Empty.CoversAll(0));
        Assert.False(BatchSet.Of([0, 1, 2, 4]).CoversAll(5));
        Assert.False(BatchSet.Range(1, 5).CoversAll(5));
    }

    [Fact]
    public void Malformed_bounds_are_rejected()
    {
        Assert.Throws<ArgumentException>(() => new BatchSet([1]));
        Assert.Throws<ArgumentException>(() => new BatchSet([3, 3]));
        Assert.Throws<ArgumentException>(() => new BatchSet([0, 2, 2, 4])); // adjacent: not canonical
        Assert.Throws<ArgumentException>(() => new BatchSet([-1, 2]));
    }
}
