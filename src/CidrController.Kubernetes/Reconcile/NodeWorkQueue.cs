using System.Threading.Channels;

using CidrController.Kubernetes.Retry;

namespace CidrController.Kubernetes.Reconcile;

/// <summary>
/// A work queue keyed by node name with client-go's guarantees: a key queued many times is processed
/// once (events coalesce), a key is never processed by two workers at once (a key added while it is
/// being processed is queued again when the worker is done), and failures back off per key.
/// </summary>
internal sealed class NodeWorkQueue
{
    private readonly Lock _lock = new();
    private readonly Channel<string> _ready = Channel.CreateUnbounded<string>(new UnboundedChannelOptions { SingleWriter = false, SingleReader = false });
    private readonly HashSet<string> _dirty = new(StringComparer.Ordinal);
    private readonly HashSet<string> _processing = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int> _failures = new(StringComparer.Ordinal);
    private readonly TimeProvider _time;
    private readonly BackoffPolicy _backoff;
    private readonly Random _random;
    private int _depth;

    public NodeWorkQueue(TimeProvider time, BackoffPolicy backoff, Random? random = null)
    {
        _time = time;
        _backoff = backoff;
        _random = random ?? Random.Shared;
    }

    /// <summary>Keys waiting to be processed (not counting those in a worker's hands or in back-off).</summary>
    public int Depth => Volatile.Read(ref _depth);

    public void Add(string key)
    {
        lock (_lock)
        {
            if (!_dirty.Add(key) || _processing.Contains(key))
            {
                return;
            }

            Interlocked.Increment(ref _depth);
            _ready.Writer.TryWrite(key);
        }
    }

    /// <summary>Queues the key again after its own exponential back-off (or <paramref name="atLeast"/>, whichever is longer).</summary>
    public TimeSpan AddRateLimited(string key, TimeSpan atLeast = default)
    {
        TimeSpan delay;
        lock (_lock)
        {
            var failures = _failures.GetValueOrDefault(key) + 1;
            _failures[key] = failures;
            delay = _backoff.DelayAfter(failures, _random);
        }

        if (atLeast > delay)
        {
            delay = atLeast;
        }

        AddAfter(key, delay);
        return delay;
    }

    public void AddAfter(string key, TimeSpan delay)
    {
        if (delay <= TimeSpan.Zero)
        {
            Add(key);
            return;
        }

        // One timer per delayed key; a key re-added meanwhile simply coalesces when the timer fires.
        ITimer? timer = null;
        timer = _time.CreateTimer(_ => { Add(key); timer?.Dispose(); }, null, delay, Timeout.InfiniteTimeSpan);
    }

    /// <summary>The key succeeded (or was given up on): its next failure starts the back-off afresh.</summary>
    public void Forget(string key)
    {
        lock (_lock)
        {
            _failures.Remove(key);
        }
    }

    public int Failures(string key)
    {
        lock (_lock)
        {
            return _failures.GetValueOrDefault(key);
        }
    }

    /// <summary>Waits for the next key; the caller must call <see cref="Done"/> when finished with it.</summary>
    public async ValueTask<string> TakeAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            var key = await _ready.Reader.ReadAsync(cancellationToken).ConfigureAwait(false);
            lock (_lock)
            {
                Interlocked.Decrement(ref _depth);
                if (!_dirty.Remove(key))
                {
                    continue;
                }

                _processing.Add(key);
                return key;
            }
        }
    }

    public void Done(string key)
    {
        lock (_lock)
        {
            _processing.Remove(key);
            if (_dirty.Contains(key))
            {
                Interlocked.Increment(ref _depth);
                _ready.Writer.TryWrite(key);
            }
        }
    }
}
