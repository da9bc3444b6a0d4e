using CidrController.Kubernetes.Retry;

using Microsoft.Extensions.Time.Testing;

namespace CidrController.Tests.Api;

/// <summary>The one back-off every retry loop uses, and the retry loop that waits on the injected clock.</summary>
public sealed class BackoffPolicyTests
{
    [Theory]
    [InlineData(1, 500)]
    [InlineData(2, 1000)]
    [InlineData(5, 8000)]
    [InlineData(7, 30000)]
    [InlineData(1000, 30000)]
    public void Doubles_from_the_initial_delay_up_to_the_cap(int failures, int expectedMs)
    {
        var policy = BackoffPolicy.NodeList with { Jitter = 0 };
        Assert.Equal(TimeSpan.FromMilliseconds(expectedMs), policy.DelayAfter(failures, new Random(1)));
    }

    [Fact]
    public void Jitter_spreads_delays_within_its_bounds_and_never_past_the_cap()
    {
        var random = new Random(7);
        var delays = Enumerable.Range(0, 500).Select(_ => BackoffPolicy.NodeList.DelayAfter(3, random).TotalMilliseconds).ToList();
        Assert.All(delays, d => Assert.InRange(d, 2000 * 0.8, 2000 * 1.2));
        Assert.True(delays.Distinct().Count() > 100, "no spread");
        Assert.All(Enumerable.Range(0, 100), _ => Assert.True(BackoffPolicy.NodeList.DelayAfter(50, random) <= TimeSpan.FromSeconds(30)));
    }

    [Fact]
    public async Task A_retry_loop_waits_on_the_injected_clock_and_reports_failures_and_recovery()
    {
        var clock = new FakeTimeProvider();
        var observer = new RecordingObserver();
        var loop = new RetryLoop("list-nodes", BackoffPolicy.NodeList with { Jitter = 0 }, clock, observer);

        var delay = loop.Failed("503 Service Unavailable");
        var wait = loop.WaitAsync(delay, CancellationToken.None);
        Assert.False(wait.IsCompleted);
        clock.Advance(TimeSpan.FromMilliseconds(499));
        Assert.False(wait.IsCompleted);
        clock.Advance(TimeSpan.FromMilliseconds(1));
        await wait.WaitAsync(TimeSpan.FromSeconds(10));

        loop.Failed("503 Service Unavailable");
        loop.Succeeded();
        loop.Succeeded(); // no failure since: nothing to report

        Assert.Equal(["retrying list-nodes 1 500ms 503 Service Unavailable", "retrying list-nodes 2 1000ms 503 Service Unavailable", "recovered list-nodes"], observer.Seen);
        Assert.Equal(0, loop.Failures);
    }

    private sealed class RecordingObserver : IRetryObserver
    {
        public List<string> Seen { get; } = [];

        public void Retrying(string loop, int attempt, TimeSpan delay, string reason) => Seen.Add($"retrying {loop} {attempt} {delay.TotalMilliseconds}ms {reason}");

        public void Recovered(string loop) => Seen.Add($"recovered {loop}");
    }
}
