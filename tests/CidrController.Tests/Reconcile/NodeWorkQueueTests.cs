using CidrController.Kubernetes.Reconcile;
using CidrController.Kubernetes.Retry;

using Microsoft.Extensions.Time.Testing;

namespace CidrController.Tests.Reconcile;

/// <summary>The work queue's guarantees: coalescing, one worker per key, per-key back-off on the injected clock.</summary>
public sealed class NodeWorkQueueTests
{
    private static readonly BackoffPolicy NoJitter = new(TimeSpan.FromMilliseconds(100), TimeSpan.FromSeconds(1), Jitter: 0);
    private readonly FakeTimeProvider _clock = new();

    private NodeWorkQueue Queue() => new(_clock, NoJitter);

    private static async Task<string?> TryTakeAsync(NodeWorkQueue queue)
    {
        using var none = new CancellationTokenSource(TimeSpan.FromMilliseconds(50));
        try
        {
            return await queue.TakeAsync(none.Token);
        }
        catch (OperationCanceledException)
        {
            return null;
        }
    }

    [Fact]
    public async Task A_key_added_many_times_is_taken_once()
    {
        var queue = Queue();
        queue.Add("a");
        queue.Add("a");
        queue.Add("b");

        Assert.Equal(2, queue.Depth);
        Assert.Equal("a", await queue.TakeAsync(CancellationToken.None));
        Assert.Equal("b", await queue.TakeAsync(CancellationToken.None));
        Assert.Null(await TryTakeAsync(queue));
    }

    [Fact]
    public async Task A_key_added_while_a_worker_has_it_is_handed_out_again_only_after_done()
    {
        var queue = Queue();
        queue.Add("a");
        var taken = await queue.TakeAsync(CancellationToken.None);

        queue.Add(taken);
        Assert.Null(await TryTakeAsync(queue)); // no second worker on the same key

        queue.Done(taken);
        Assert.Equal("a", await queue.TakeAsync(CancellationToken.None));
    }

    [Fact]
    public async Task Failures_back_off_exponentially_on_the_injected_clock_and_forget_starts_afresh()
    {
        var queue = Queue();
        Assert.Equal(TimeSpan.FromMilliseconds(100), queue.AddRateLimited("a"));
        Assert.Null(await TryTakeAsync(queue));

        _clock.Advance(TimeSpan.FromMilliseconds(100));
        Assert.Equal("a", await queue.TakeAsync(CancellationToken.None));
        queue.Done("a");

        Assert.Equal(TimeSpan.FromMilliseconds(200), queue.AddRateLimited("a"));
        Assert.Equal(TimeSpan.FromMilliseconds(400), queue.AddRateLimited("a"));
        Assert.Equal(TimeSpan.FromMilliseconds(800), queue.AddRateLimited("a"));
        Assert.Equal(TimeSpan.FromSeconds(1), queue.AddRateLimited("a")); // capped
        Assert.Equal(5, queue.Failures("a"));

        queue.Forget("a");
        Assert.Equal(0, queue.Failures("a"));
        Assert.Equal(TimeSpan.FromMilliseconds(100), queue.AddRateLimited("a"));
    }

    [Fact]
    public void A_longer_wait_asked_for_wins_over_the_back_off()
    {
        var queue = Queue();
        Assert.Equal(TimeSpan.FromSeconds(30), queue.AddRateLimited("a", atLeast: TimeSpan.FromSeconds(30)));
    }
}
