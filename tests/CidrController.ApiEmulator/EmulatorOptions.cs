namespace CidrController.ApiEmulator;

/// <summary>How a <see cref="KubeApiEmulator"/> listens and behaves. Defaults mirror a real API server where it matters.</summary>
public sealed record EmulatorOptions
{
    /// <summary>Serve HTTPS with a CA generated at start; requests then need the bearer token.</summary>
    public bool Https { get; init; }

    /// <summary>The token clients must send. With <see cref="Https"/> and no token, one is generated. Over HTTP it is only required when set.</summary>
    public string? BearerToken { get; init; }

    /// <summary>0 picks a free port.</summary>
    public int Port { get; init; }

    /// <summary>How often a watch that asked for bookmarks gets one. The real server sends them about once a minute.</summary>
    public TimeSpan BookmarkInterval { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>The first resourceVersion handed out is this plus one. A non-trivial start catches clients that assume small numbers.</summary>
    public long InitialResourceVersion { get; init; } = 1000;

    /// <summary>Watch history kept for resuming watches; older entries are compacted away (watches from there get 410).</summary>
    public int WatchHistoryLimit { get; init; } = 200_000;

    /// <summary>Seed for probabilistic fault rules, so a failing chaos run can be reproduced.</summary>
    public int? FaultSeed { get; init; }

    /// <summary>
    /// Namespaces that exist. As on a real server, creating a Lease or an Event anywhere else is 404 NotFound
    /// (the namespace lifecycle check runs before validation). These four exist on a fresh real cluster.
    /// </summary>
    public IReadOnlySet<string> Namespaces { get; init; } = new HashSet<string>(StringComparer.Ordinal) { "default", "kube-system", "kube-public", "kube-node-lease" };

    /// <summary>Keep request bodies in <see cref="KubeApiEmulator.Requests"/>. Benchmarks may turn this off to save memory.</summary>
    public bool RecordRequestBodies { get; init; } = true;
}
