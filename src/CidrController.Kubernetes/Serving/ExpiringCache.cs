using System.Collections.Concurrent;

namespace CidrController.Kubernetes.Serving;

/// <summary>
/// Answers remembered for a short time, so a scraper every few seconds costs one review per TTL, not one per
/// request. Bounded: a flood of distinct keys (random tokens) empties it rather than growing memory.
/// </summary>
internal sealed class ExpiringCache<TKey, TValue>(TimeProvider time, int capacity = 4096)
    where TKey : notnull
{
    private readonly ConcurrentDictionary<TKey, (TValue Value, DateTimeOffset Expires)> _entries = new();

    public bool TryGet(TKey key, out TValue value)
    {
        if (_entries.TryGetValue(key, out var entry) && entry.Expires > time.GetUtcNow())
        {
            value = entry.Value;
            return true;
        }

        value = default!;
        return false;
    }

    public void Set(TKey key, TValue value, TimeSpan ttl)
    {
        if (ttl <= TimeSpan.Zero)
        {
            return;
        }

        if (_entries.Count >= capacity)
        {
            var now = time.GetUtcNow();
            foreach (var expired in _entries.Where(e => e.Value.Expires <= now).Select(e => e.Key).ToList())
            {
                _entries.TryRemove(expired, out _);
            }

            if (_entries.Count >= capacity)
            {
                _entries.Clear();
            }
        }

        _entries[key] = (value, time.GetUtcNow() + ttl);
    }
}
