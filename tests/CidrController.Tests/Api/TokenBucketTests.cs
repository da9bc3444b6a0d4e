using CidrController.Kubernetes.Api;

namespace CidrController.Tests.Api;

/// <summary>The client-side limiter: burst first, then exactly qps, waiters in arrival order, no timer.</summary>
public sealed class TokenBucketTests
{
    private sealed class ManualTime : TimeProvider
    {
        public long Ticks { get; set; }

        public override long TimestampFrequency => TimeSpan.TicksPerSecond;

        public override long GetTimestamp() => Ticks;
    }

    [Fact]
    public void BurstThenQps()
    {
        var time = new ManualTime();
        var bucket = new TokenBucket(qps: 10, burst: 3, time);
        Assert.Equal([TimeSpan.Zero, TimeSpan.Zero, TimeSpan.Zero], [bucket.Reserve(), bucket.Reserve(), bucket.Reserve()]);
        Assert.Equal(TimeSpan.FromMilliseconds(100), bucket.Reserve());
        Assert.Equal(TimeSpan.FromMilliseconds(200), bucket.Reserve()); // queued behind the previous reservation
        time.Ticks += TimeSpan.FromMilliseconds(200).Ticks;
        Assert.Equal(TimeSpan.FromMilliseconds(100), bucket.Reserve());
    }

    [Fact]
    public void RefillsUpToBurstOnly()
    {
        var time = new ManualTime();
        var bucket = new TokenBucket(qps: 1000, burst: 2, time);
        time.Ticks += TimeSpan.FromHours(1).Ticks;
        Assert.Equal(TimeSpan.Zero, bucket.Reserve());
        Assert.Equal(TimeSpan.Zero, bucket.Reserve());
        Assert.Equal(TimeSpan.FromMilliseconds(1), bucket.Reserve());
    }

    [Fact]
    public void AReturnedReservationShortensTheNextWait()
    {
        var time = new ManualTime();
        var bucket = new TokenBucket(qps: 10, burst: 1, time);
        bucket.Reserve();
        Assert.Equal(TimeSpan.FromMilliseconds(100), bucket.Reserve());
        bucket.Return();
        Assert.Equal(TimeSpan.FromMilliseconds(100), bucket.Reserve());
    }
}
