namespace CidrController.ApiEmulator.Faults;

/// <summary>
/// Faults a test switches on at runtime. Rules are checked in the order added; the first that matches and
/// fires decides. Watch-specific faults (drop open watches, 410 on the next watch) act on streams directly.
/// Thread-safe.
/// </summary>
public sealed class FaultInjector
{
    private readonly Lock _lock = new();
    private readonly List<FaultRegistration> _rules = [];
    private readonly Random _random;
    private CancellationTokenSource _dropWatches = new();
    private int _forcedExpiries;

    internal FaultInjector(int? seed) => _random = seed is { } s ? new Random(s) : new Random();

    public FaultRegistration Add(FaultRule rule)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(rule.Probability, 0.0);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(rule.Probability, 1.0);
        var registration = new FaultRegistration(this, rule);
        lock (_lock)
        {
            _rules.Add(registration);
        }

        return registration;
    }

    /// <summary>Answer matching non-watch requests with <paramref name="statusCode"/> (e.g. 500, 429 with Retry-After, 403).</summary>
    public FaultRegistration FailRequests(string? method, string pathPrefix, int statusCode, int? count = null, int? retryAfterSeconds = null) =>
        Add(new FaultRule { Method = method, PathPrefix = pathPrefix, Watch = WatchMatch.NonWatchOnly, Count = count, Action = FaultAction.RespondWith(statusCode, retryAfterSeconds) });

    public FaultRegistration DelayRequests(string? method, string pathPrefix, TimeSpan delay, int? count = null) =>
        Add(new FaultRule { Method = method, PathPrefix = pathPrefix, Watch = WatchMatch.NonWatchOnly, Count = count, Action = FaultAction.Delay(delay) });

    /// <summary>The next <paramref name="count"/> matching writes are applied but never answered.</summary>
    public FaultRegistration HangAfterWrite(string method, string pathPrefix, int? count = 1) =>
        Add(new FaultRule { Method = method, PathPrefix = pathPrefix, Watch = WatchMatch.NonWatchOnly, Count = count, Action = FaultAction.ApplyThenHang() });

    /// <summary>The next <paramref name="count"/> matching writes are applied, then the connection is closed without a response.</summary>
    public FaultRegistration CloseAfterWrite(string method, string pathPrefix, int? count = 1) =>
        Add(new FaultRule { Method = method, PathPrefix = pathPrefix, Watch = WatchMatch.NonWatchOnly, Count = count, Action = FaultAction.ApplyThenClose() });

    /// <summary>The next <paramref name="count"/> node watches get 200 and then nothing, not even a bookmark.</summary>
    public FaultRegistration SilenceWatches(int? count = 1) =>
        Add(new FaultRule { Method = "GET", PathPrefix = "/api/v1/nodes", Watch = WatchMatch.WatchOnly, Count = count, Action = FaultAction.SilentWatch() });

    /// <summary>The next <paramref name="count"/> node watches get 200 and an empty stream.</summary>
    public FaultRegistration EmptyWatches(int? count = 1) =>
        Add(new FaultRule { Method = "GET", PathPrefix = "/api/v1/nodes", Watch = WatchMatch.WatchOnly, Count = count, Action = FaultAction.EmptyWatch() });

    /// <summary>The next <paramref name="count"/> matching requests (watches included) get their JSON cut in half.</summary>
    public FaultRegistration TruncateResponses(string? method, string pathPrefix, int? count = 1) =>
        Add(new FaultRule { Method = method, PathPrefix = pathPrefix, Count = count, Action = FaultAction.TruncateBody() });

    /// <summary>Matching answers (watches included) do not decode: a value of the wrong type, or garbage bytes.</summary>
    public FaultRegistration MalformResponses(string? method, string pathPrefix, MalformedBody kind, int? count = null) =>
        Add(new FaultRule { Method = method, PathPrefix = pathPrefix, Count = count, Action = FaultAction.MalformBody(kind) });

    /// <summary>Matching non-watch answers carry fields no client knows.</summary>
    public FaultRegistration AddUnknownFields(string? method, string pathPrefix, int? count = null) =>
        Add(new FaultRule { Method = method, PathPrefix = pathPrefix, Watch = WatchMatch.NonWatchOnly, Count = count, Action = FaultAction.AddUnknownFields() });

    /// <summary>Abort every open watch connection now (as a load balancer or apiserver restart would).</summary>
    public void DropWatches()
    {
        CancellationTokenSource old;
        lock (_lock)
        {
            old = _dropWatches;
            _dropWatches = new CancellationTokenSource();
        }

        old.Cancel();
        old.Dispose();
    }

    /// <summary>The next <paramref name="count"/> watches get HTTP 200 and a single ERROR event with a 410 Expired Status.</summary>
    public void ExpireNextWatch(int count = 1) => Interlocked.Add(ref _forcedExpiries, count);

    public void Clear()
    {
        lock (_lock)
        {
            _rules.Clear();
        }

        Interlocked.Exchange(ref _forcedExpiries, 0);
    }

    internal void Remove(FaultRegistration registration)
    {
        lock (_lock)
        {
            _rules.Remove(registration);
        }
    }

    internal CancellationToken WatchDropToken
    {
        get
        {
            lock (_lock)
            {
                return _dropWatches.Token;
            }
        }
    }

    internal bool TryTakeForcedExpiry()
    {
        while (true)
        {
            var current = Volatile.Read(ref _forcedExpiries);
            if (current <= 0)
            {
                return false;
            }

            if (Interlocked.CompareExchange(ref _forcedExpiries, current - 1, current) == current)
            {
                return true;
            }
        }
    }

    internal FaultAction? Match(string method, string path, bool isWatch)
    {
        lock (_lock)
        {
            foreach (var registration in _rules)
            {
                var rule = registration.Rule;
                if (!rule.Matches(method, path, isWatch))
                {
                    continue;
                }

                if (rule.Probability < 1.0 && _random.NextDouble() >= rule.Probability)
                {
                    continue;
                }

                if (registration.TryFire())
                {
                    return rule.Action;
                }
            }

            return null;
        }
    }
}
