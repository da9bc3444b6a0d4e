using CidrController.Kubernetes.Health;

using Microsoft.Extensions.Time.Testing;

namespace CidrController.Tests.Health;

public sealed class ControllerHealthTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromMinutes(4);

    [Fact]
    public void A_running_term_whose_loops_make_no_progress_beyond_the_bound_is_not_live()
    {
        var clock = new FakeTimeProvider();
        var health = new ControllerHealth(clock, Bound);
        health.LoopsStarted();
        clock.Advance(Bound - TimeSpan.FromSeconds(1));
        Assert.Null(health.StallReason);

        clock.Advance(TimeSpan.FromSeconds(2));
        Assert.Contains("no progress", health.StallReason, StringComparison.Ordinal);

        health.Progressed();
        Assert.Null(health.StallReason);
    }

    [Fact]
    public void A_standby_or_stopped_term_is_live_however_long_it_waits()
    {
        var clock = new FakeTimeProvider();
        var health = new ControllerHealth(clock, Bound);
        clock.Advance(Bound * 10);
        Assert.Null(health.StallReason);

        health.LoopsStarted();
        health.LoopsStopped();
        clock.Advance(Bound * 10);
        Assert.Null(health.StallReason);
    }

    [Fact]
    public void A_refused_request_makes_it_not_ready_with_the_reason_until_the_same_request_succeeds()
    {
        var health = new ControllerHealth(new FakeTimeProvider(), Bound);
        health.MarkReady();
        health.MarkFailing("get leases", "forbidden: the service account may not get leases (RBAC)");
        Assert.False(health.Ready);
        Assert.Contains("may not get leases", health.NotReadyReason, StringComparison.Ordinal);

        health.ClearFailing("get leases");
        Assert.True(health.Ready);
    }

    [Fact]
    public void A_failure_nothing_repeats_is_forgotten_after_its_memory_and_one_that_repeats_is_not()
    {
        var clock = new FakeTimeProvider();
        var health = new ControllerHealth(clock, Bound);
        health.MarkReady();
        var memory = TimeSpan.FromMinutes(2);
        health.MarkFailing("create events", "forbidden: the service account may not create events (RBAC)", memory);
        health.MarkFailing("malformed nodes", "malformed answers to list nodes: garbage", memory);

        clock.Advance(memory - TimeSpan.FromSeconds(30));
        health.MarkFailing("malformed nodes", "malformed answers to watch nodes: garbage", memory);
        clock.Advance(TimeSpan.FromSeconds(31));

        Assert.False(health.Ready);
        Assert.DoesNotContain("create events", health.NotReadyReason, StringComparison.Ordinal);
        Assert.Contains("malformed answers to watch nodes", health.NotReadyReason, StringComparison.Ordinal);

        clock.Advance(memory);
        Assert.True(health.Ready);
    }
}
