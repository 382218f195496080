using XcsCt.Actors.Scans;
using XcsCt.Messages;
using XcsCt.Messages.Scans;

namespace XcsCt.Actors.Tests.State;

public sealed class DispatchBookTests
{
    private static readonly ScanPlan Plan = new(32, 16, 10, 16, 10, [60]); // 6 batches, 2 tiles

    [Fact]
    public void Batches_are_handed_out_lowest_first_and_skip_completed_ones()
    {
        var book = new DispatchBook(Plan, BatchSet.Of([0, 2]));
        Assert.Equal(1, book.Assign("p1"));
        Assert.Equal(3, book.Assign("p2"));
        Assert.Equal(2, book.Pending);
        Assert.Equal(2, book.Assigned);
    }

    [Fact]
    public void No_batch_is_handed_out_while_too_many_are_not_yet_durable()
    {
        var book = new DispatchBook(Plan, BatchSet.Empty, maxUndurable: 3);
        Assert.Equal(0, book.Assign("p"));
        Assert.Equal(1, book.Assign("p"));
        book.Computed(0);
        Assert.Equal(2, book.Assign("p"));
        Assert.True(book.Throttled);
        Assert.Null(book.Assign("p")); // 0 delivered, 1 and 2 assigned: none durable yet
        book.Computed(1);
        Assert.Null(book.Assign("p")); // delivered counts until durable everywhere
        var (durable, _) = book.Report(0, BatchSet.Range(0, 2), BatchSet.Range(0, 2), false, false);
        book.MarkCompleted(book.Report(1, BatchSet.Range(0, 2), BatchSet.Range(0, 2), false, false).NewlyComplete.Union(durable));
        Assert.False(book.Throttled);
        Assert.Equal(3, book.Assign("p"));
        Assert.Equal(4, book.Assign("p"));
        Assert.Null(book.Assign("p"));
    }

    [Fact]
    public void A_batch_completes_when_durable_on_every_tile()
    {
        var book = new DispatchBook(Plan, BatchSet.Empty);
        for (int i = 0; i < 6; i++) book.Computed(book.Assign("p")!.Value);
        Assert.True(book.AllDelivered);
        var (none, _) = book.Report(0, BatchSet.Range(0, 6), BatchSet.Range(0, 4), false, false);
        Assert.True(none.IsEmpty);
        var (some, _) = book.Report(1, BatchSet.Range(0, 6), BatchSet.Range(0, 3), false, false);
        Assert.Equal(BatchSet.Range(0, 3), some);
        book.MarkCompleted(some);
        Assert.Equal([0, 1], book.TilesMissingDurability()); // 4 and 5 are durable nowhere yet
        var (rest, _) = book.Report(1, BatchSet.Range(0, 6), BatchSet.Range(0, 6), false, false);
        Assert.Equal(BatchSet.Range(3, 4), rest); // tile 0 holds 0-3 only
        book.MarkCompleted(rest);
        book.MarkCompleted(book.Report(0, BatchSet.Range(0, 6), BatchSet.Range(0, 6), false, false).NewlyComplete);
        Assert.True(book.AllComplete);
        Assert.Empty(book.TilesMissingDurability());
    }

    [Fact]
    public void A_tile_restarted_from_its_snapshot_gets_what_it_lost_again()
    {
        var book = new DispatchBook(Plan, BatchSet.Empty);
        for (int i = 0; i < 5; i++) book.Computed(book.Assign("p")!.Value);
        // the tile snapshotted 0-1, then crashed: 2-4 were only in memory
        var (_, requeued) = book.Report(0, BatchSet.Range(0, 2), BatchSet.Range(0, 2), recovered: true, settled: false);
        Assert.Equal(3, requeued);
        Assert.Equal(2, book.Assign("p"));
        Assert.Equal(3, book.Assign("p"));
        Assert.Equal(4, book.Assign("p"));
        Assert.Equal(5, book.Assign("p"));
        Assert.Null(book.Assign("p"));
    }

    [Fact]
    public void An_ordinary_report_does_not_resend_batches_still_in_transit()
    {
        var book = new DispatchBook(Plan, BatchSet.Empty);
        book.Computed(book.Assign("p")!.Value);
        Assert.Equal(0, book.Report(0, BatchSet.Empty, BatchSet.Empty, recovered: false, settled: false).Requeued);
        Assert.Equal(1, book.Report(0, BatchSet.Empty, BatchSet.Empty, recovered: false, settled: true).Requeued);
    }

    [Fact]
    public void A_lost_pool_returns_its_batches_and_failures_are_counted()
    {
        var book = new DispatchBook(Plan, BatchSet.Empty);
        book.Assign("p1");
        book.Assign("p2");
        book.Assign("p1");
        Assert.Equal(2, book.PoolLost("p1"));
        Assert.Equal(0, book.PoolLost("p1"));
        Assert.Equal(0, book.Assign("p3"));
        Assert.Equal(1, book.Failed(1));
        Assert.Equal(1, book.Assign("p3"));
        Assert.Equal(2, book.Failed(1));
    }

    [Fact]
    public void A_result_for_a_batch_that_waits_again_keeps_it_waiting()
    {
        var book = new DispatchBook(Plan, BatchSet.Empty);
        int b = book.Assign("p1")!.Value;
        book.PoolLost("p1");
        book.Computed(b); // the old worker finished after all
        Assert.Equal(6, book.Pending);
        Assert.Equal(0, book.Delivered);
    }
}
