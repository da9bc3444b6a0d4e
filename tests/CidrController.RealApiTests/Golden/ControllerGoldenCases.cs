using System.Text.Json.Nodes;

namespace CidrController.RealApiTests.Golden;

/// <summary>
/// The requests recorded into controller-cases.json, in order, on a fresh server: where the emulator was seen to
/// answer differently from a real kube-apiserver, and calls the controller relies on that the first recording
/// does not hold. Names are unique so the replay can follow them.
/// </summary>
public static class ControllerGoldenCases
{
    private const string Json = "application/json";
    private const string NoSuchUid = "00000000-0000-0000-0000-000000000000";

    public static IReadOnlyList<GoldenCase> All { get; } =
    [
        new("create-node-a", "create a node with no spec", "POST", "/api/v1/nodes", Json, Node("c-node-a")),
        new("delete-precondition-uid-mismatch", "DELETE with preconditions.uid that does not match: 409 Conflict, nothing deleted",
            "DELETE", "/api/v1/nodes/c-node-a", Json, JsonNode.Parse($$$"""{"kind":"DeleteOptions","apiVersion":"v1","preconditions":{"uid":"{{{NoSuchUid}}}"}}""")),
        new("delete-precondition-rv-mismatch", "DELETE with preconditions.resourceVersion that does not match: 409 Conflict",
            "DELETE", "/api/v1/nodes/c-node-a", Json, JsonNode.Parse("""{"kind":"DeleteOptions","apiVersion":"v1","preconditions":{"resourceVersion":"1"}}""")),
        new("get-node-a-still-there", "the node survived both refused deletes", "GET", "/api/v1/nodes/c-node-a"),
        new("jsonpatch-replace-unset-podcidr", "JSON patch replace on /spec/podCIDR while it is unset: 200, the value is set",
            "PATCH", "/api/v1/nodes/c-node-a", "application/json-patch+json", JsonNode.Parse("""[{"op":"replace","path":"/spec/podCIDR","value":"10.9.0.0/24"}]""")),
        new("create-lease-missing-namespace", "Lease in a namespace that does not exist: 404 NotFound",
            "POST", "/apis/coordination.k8s.io/v1/namespaces/c-missing/leases", Json, Lease("c-missing")),
        new("create-event-v1-missing-namespace", "events.k8s.io/v1 Event in a namespace that does not exist: 404 NotFound",
            "POST", "/apis/events.k8s.io/v1/namespaces/c-missing/events", Json, EventV1("c-missing")),
        new("create-event-core-missing-namespace", "core/v1 Event in a namespace that does not exist: 404 NotFound",
            "POST", "/api/v1/namespaces/c-missing/events", Json, JsonNode.Parse("""
                {"apiVersion":"v1","kind":"Event","metadata":{"generateName":"c-node-a-","namespace":"c-missing"},
                 "involvedObject":{"kind":"Node","name":"c-node-a","apiVersion":"v1"},"reason":"CIDRNotAvailable","message":"m","type":"Warning",
                 "source":{"component":"cidr-controller"}}
                """)),
        new("get-lease-missing", "GET of a Lease that does not exist: 404 (leader election creates it then)",
            "GET", "/apis/coordination.k8s.io/v1/namespaces/kube-system/leases/c-no-such-lease"),
        new("create-node-fin", "a node with a finalizer", "POST", "/api/v1/nodes", Json,
            JsonNode.Parse("""{"apiVersion":"v1","kind":"Node","metadata":{"name":"c-node-fin","finalizers":["example.com/hold"]}}""")),
        new("delete-node-fin", "DELETE of a node with a finalizer: 200, the node is terminating", "DELETE", "/api/v1/nodes/c-node-fin"),
        new("patch-add-finalizer-terminating", "adding a finalizer to a terminating node: 422",
            "PATCH", "/api/v1/nodes/c-node-fin", "application/merge-patch+json",
            JsonNode.Parse("""{"metadata":{"finalizers":["example.com/hold","example.com/another"]}}""")),
        new("watch-invalid-rv", "watch with a resourceVersion that is not a number: 500", "GET", "/api/v1/nodes?watch=1&resourceVersion=abc"),
        new("delete-precondition-uid-match-missing", "DELETE with preconditions of a node that does not exist: 404",
            "DELETE", "/api/v1/nodes/c-node-gone", Json, JsonNode.Parse($$$"""{"kind":"DeleteOptions","apiVersion":"v1","preconditions":{"uid":"{{{NoSuchUid}}}"}}""")),

        // ConfigMaps: where the reuse quarantine is kept, written with optimistic concurrency.
        new("create-configmap", "a ConfigMap with one data key: 201", "POST", ConfigMaps, Json, ConfigMap("c-quarantine", """{"pending.json":"[]"}""")),
        new("get-configmap", "GET of it: 200, as created", "GET", ConfigMaps + "/c-quarantine"),
        new("update-configmap-current", "PUT with the resourceVersion of the create: 200, a new resourceVersion", "PUT", ConfigMaps + "/c-quarantine", Json,
            ConfigMap("c-quarantine", """{"pending.json":"[\n{\"node\":\"a\",\"cidrs\":[\"10.9.0.0/24\"],\"reusableAfter\":\"2999-01-01T00:00:00.000Z\"}\n]"}"""))
        { ResourceVersionOf = "create-configmap" },
        new("update-configmap-stale", "PUT again with the create's resourceVersion, now stale: 409 Conflict, nothing written", "PUT", ConfigMaps + "/c-quarantine", Json,
            ConfigMap("c-quarantine", """{"pending.json":"[]"}"""))
        { ResourceVersionOf = "create-configmap" },
        new("get-configmap-after-conflict", "the refused PUT changed nothing", "GET", ConfigMaps + "/c-quarantine"),
        new("update-configmap-unconditional", "PUT without a resourceVersion: 200 (ConfigMaps allow unconditional updates)", "PUT", ConfigMaps + "/c-quarantine", Json,
            ConfigMap("c-quarantine", """{"pending.json":"[]","note":"x"}""")),
        new("create-configmap-exists", "POST of a name that exists: 409 AlreadyExists", "POST", ConfigMaps, Json, ConfigMap("c-quarantine", """{"pending.json":"[]"}""")),
        new("create-configmap-missing-namespace", "ConfigMap in a namespace that does not exist: 404 NotFound (the namespace)",
            "POST", "/api/v1/namespaces/c-missing/configmaps", Json, ConfigMap("c-quarantine", """{"pending.json":"[]"}""", "c-missing")),
        new("get-configmap-missing-namespace", "GET in a namespace that does not exist: 404 NotFound (the ConfigMap)", "GET", "/api/v1/namespaces/c-missing/configmaps/c-quarantine"),
        new("get-configmap-missing", "GET of a ConfigMap that does not exist: 404", "GET", ConfigMaps + "/c-no-such-configmap"),
        new("update-configmap-missing", "PUT of a ConfigMap that does not exist: 404 (an update never creates one)", "PUT", ConfigMaps + "/c-no-such-configmap", Json,
            ConfigMap("c-no-such-configmap", """{"pending.json":"[]"}""")),
        new("create-configmap-bad-key", "a data key with a space: 422 Invalid, the key named (one bad key per case: Go ranges over maps in random order)",
            "POST", ConfigMaps, Json, ConfigMap("c-bad-key", """{"bad key":"v"}""")),
        new("create-configmap-dotdot-key", "a data key starting with '..': 422 Invalid", "POST", ConfigMaps, Json, ConfigMap("c-dotdot-key", """{"..x":"v"}""")),
        new("create-configmap-bad-name", "an upper-case name: 422 Invalid", "POST", ConfigMaps, Json, ConfigMap("C-Quarantine", """{"k":"v"}""")),
        new("create-configmap-number-value", "a data value that is not a string: 400 (the body does not decode)", "POST", ConfigMaps, Json,
            ConfigMap("c-number", """{"k":1}""")),
        new("create-configmap-empty-data", "an empty data map: 201, and data is not written back", "POST", ConfigMaps, Json, ConfigMap("c-empty", "{}")),
    ];

    private const string ConfigMaps = "/api/v1/namespaces/default/configmaps";

    private static JsonNode ConfigMap(string name, string data, string ns = "default") => JsonNode.Parse($$$"""
        {"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"{{{name}}}","namespace":"{{{ns}}}"},"data":{{{data}}}}
        """)!;

    private static JsonNode Node(string name) => JsonNode.Parse($$$"""{"apiVersion":"v1","kind":"Node","metadata":{"name":"{{{name}}}"}}""")!;

    private static JsonNode Lease(string ns) => JsonNode.Parse($$$"""
        {"apiVersion":"coordination.k8s.io/v1","kind":"Lease","metadata":{"name":"cidr-controller","namespace":"{{{ns}}}"},
         "spec":{"holderIdentity":"a","leaseDurationSeconds":15,"acquireTime":"2026-11-26T00:00:00.000000Z","renewTime":"2026-11-26T00:00:00.000000Z","leaseTransitions":0}}
        """)!;

    private static JsonNode EventV1(string ns) => JsonNode.Parse($$$"""
        {"apiVersion":"events.k8s.io/v1","kind":"Event","metadata":{"generateName":"c-node-a-","namespace":"{{{ns}}}"},
         "eventTime":"2026-11-26T00:00:00.000000Z","reportingController":"cidr-controller","reportingInstance":"cidr-controller-1",
         "action":"Allocate","reason":"CIDRNotAvailable","type":"Warning","note":"Node c-node-a status is now: CIDRNotAvailable",
         "regarding":{"kind":"Node","name":"c-node-a","apiVersion":"v1"}}
        """)!;
}
