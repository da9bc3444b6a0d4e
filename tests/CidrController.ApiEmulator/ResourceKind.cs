namespace CidrController.ApiEmulator;

/// <summary>The API resources the emulator serves, with the names the real server uses in Status bodies.</summary>
internal sealed record ResourceKind(string Group, string Version, string Plural, string Kind, bool Namespaced)
{
    /// <summary>
    /// The group named in 422 Invalid details. events.k8s.io Events are validated as the internal core Event, so the
    /// real server names no group there (golden <c>create-event-v1-invalid</c>).
    /// </summary>
    public string ValidationGroup => Plural == "events" ? "" : Group;

    public static readonly ResourceKind Node = new("", "v1", "nodes", "Node", Namespaced: false);
    public static readonly ResourceKind CoreEvent = new("", "v1", "events", "Event", Namespaced: true);
    public static readonly ResourceKind EventsV1Event = new("events.k8s.io", "v1", "events", "Event", Namespaced: true);
    public static readonly ResourceKind Lease = new("coordination.k8s.io", "v1", "leases", "Lease", Namespaced: true);
    public static readonly ResourceKind ConfigMap = new("", "v1", "configmaps", "ConfigMap", Namespaced: true);

    /// <summary>kubernetes-sigs/node-ipam-controller's custom resource (its CRD installed, as the chart does).</summary>
    public static readonly ResourceKind ClusterCidr = new("networking.x-k8s.io", "v1", "clustercidrs", "ClusterCIDR", Namespaced: false);

    public string ApiVersion => Group.Length == 0 ? Version : $"{Group}/{Version}";

    public string ListKind => Kind + "List";

    /// <summary>"nodes" or "leases.coordination.k8s.io", as in the real server's messages.</summary>
    public string QualifiedResource => Group.Length == 0 ? Plural : $"{Plural}.{Group}";
}
