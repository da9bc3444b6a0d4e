using CidrController.Allocation;
using CidrController.Kubernetes.Nodes;

namespace CidrController.Tests.Reconcile;

/// <summary>
/// A scripted stand-in for the Node API: nodes live in a dictionary, and each patch either applies (the
/// default, with the real server's immutability rule) or answers with the next scripted failure.
/// </summary>
internal sealed class FakeNodeApi : INodeApi
{
    private readonly Dictionary<string, ObservedNode> _nodes = new(StringComparer.Ordinal);
    private readonly Queue<Func<string, IReadOnlyList<IpBlock>, PatchOutcome?>> _script = new();

    public List<(string Node, string Cidrs)> Patches { get; } = [];

    public ObservedNode Add(string name, params string[] podCidrs)
    {
        var node = new ObservedNode(name, "uid-" + name, Array.ConvertAll(podCidrs, PodCidr.Parse), Deleting: false);
        _nodes[name] = node;
        return node;
    }

    public ObservedNode Put(ObservedNode node)
    {
        _nodes[node.Name] = node;
        return node;
    }

    public ObservedNode? Get(string name) => _nodes.GetValueOrDefault(name);

    public void Remove(string name) => _nodes.Remove(name);

    /// <summary>The next patch answers with this outcome; <paramref name="applyFirst"/> stores it before answering (a write that timed out after landing).</summary>
    public void ScriptNext(PatchStatus status, bool applyFirst = false, int? statusCode = null, TimeSpan? retryAfter = null) =>
        _script.Enqueue((name, cidrs) =>
        {
            if (applyFirst)
            {
                Apply(name, cidrs);
            }

            return new PatchOutcome(status, StatusCode: statusCode, RetryAfter: retryAfter, Message: $"scripted {status}");
        });

    /// <summary>The next patch throws <paramref name="error"/> (a garbled answer); <paramref name="applyFirst"/> stores it before.</summary>
    public void ScriptThrow(Exception error, bool applyFirst) =>
        _script.Enqueue((name, cidrs) =>
        {
            if (applyFirst)
            {
                Apply(name, cidrs);
            }

            throw error;
        });

    public Task<PatchOutcome> PatchPodCidrsAsync(string node, IReadOnlyList<IpBlock> cidrs, CancellationToken cancellationToken)
    {
        Patches.Add((node, string.Join(",", cidrs)));
        if (_script.TryDequeue(out var scripted) && scripted(node, cidrs) is { } outcome)
        {
            return Task.FromResult(outcome);
        }

        if (!_nodes.TryGetValue(node, out var current))
        {
            return Task.FromResult(new PatchOutcome(PatchStatus.NotFound, StatusCode: 404));
        }

        if (current.PodCidrs.Count > 0 && !current.PodCidrs.SequenceEqual(cidrs.Select(PodCidr.Of)))
        {
            return Task.FromResult(new PatchOutcome(PatchStatus.Rejected, StatusCode: 422, Message: "node updates may not change podCIDR except from \"\" to valid"));
        }

        return Task.FromResult(new PatchOutcome(PatchStatus.Applied, Apply(node, cidrs)));
    }

    private int _failingReads;

    /// <summary>The next read throws, as a read during an API outage does.</summary>
    public void FailNextRead() => _failingReads++;

    public Task<ObservedNode?> ReadAsync(string node, CancellationToken cancellationToken)
    {
        if (_failingReads > 0)
        {
            _failingReads--;
            throw new HttpRequestException("scripted read failure");
        }

        return Task.FromResult(_nodes.GetValueOrDefault(node));
    }

    private ObservedNode Apply(string name, IReadOnlyList<IpBlock> cidrs)
    {
        var updated = _nodes[name] with { PodCidrs = [.. cidrs.Select(PodCidr.Of)] };
        _nodes[name] = updated;
        return updated;
    }
}
