using System.Text.RegularExpressions;

using k8s.Models;

namespace CidrController.ManifestCheck;

/// <summary>
/// What a rendered chart must hold whatever the values: RBAC exactly as wide as the controller's API calls, a pod
/// that starts before any CNI (host network, tolerations) and runs locked down, probes over HTTPS on the secure port (health paths without a token), and
/// monitoring objects that select what the chart renders. Each check returns a sentence naming what is wrong.
/// </summary>
public static partial class ChartInvariants
{
    private static readonly string[] NodeVerbs = ["get", "list", "patch", "watch"];
    private static readonly string[] EventVerbs = ["create", "patch"];
    private static readonly string[] ClusterCidrVerbs = ["get", "list", "patch", "watch"];
    private static readonly string[] NamedVerbs = ["get", "update"];
    private static readonly string[] RequiredTolerations =
        ["node.kubernetes.io/not-ready", "node.kubernetes.io/unreachable", "node.kubernetes.io/network-unavailable", "node-role.kubernetes.io/control-plane"];

    public static IEnumerable<string> Check(RenderedManifests rendered)
    {
        var deployments = rendered.Deployments.ToList();
        if (deployments.Count != 1)
        {
            yield return $"expected one Deployment, found {deployments.Count}";
            yield break;
        }

        var deployment = deployments[0];
        var pod = deployment.Spec.Template.Spec;
        var container = pod.Containers.Single();
        var args = ControllerArgs.Parse(container.Args);
        foreach (var problem in CheckRbac(rendered, pod.ServiceAccountName, deployment.Namespace(), args)
            .Concat(CheckPod(deployment, container, args))
            .Concat(CheckMonitoring(rendered, deployment))
            .Concat(CheckTestHook(rendered, pod.ServiceAccountName))
            .Concat(CheckAdmissionPolicy(rendered, pod.ServiceAccountName, deployment.Namespace())))
        {
            yield return problem;
        }
    }

    private static IEnumerable<string> CheckRbac(RenderedManifests rendered, string serviceAccount, string ns, ControllerArgs args)
    {
        if (!rendered.OfKind<V1ServiceAccount>().Any(sa => sa.Name() == serviceAccount && sa.Namespace() == ns))
        {
            yield return $"no ServiceAccount {ns}/{serviceAccount} for the pod";
        }

        // The scraper's role: get on /metrics and nothing else, bound to whoever the values name (not the controller).
        var allClusterRoles = rendered.OfKind<V1ClusterRole>().ToList();
        var readerRoles = allClusterRoles.Where(r => r.Name().EndsWith("-metrics-reader", StringComparison.Ordinal)).ToList();
        foreach (var reader in readerRoles.Where(r => r.Rules is not [{ NonResourceURLs: ["/metrics"], Verbs: ["get"] } rule]
            || rule.Resources is { Count: > 0 } || rule.ApiGroups is { Count: > 0 }))
        {
            yield return $"ClusterRole {reader.Name()} must grant exactly get on the non-resource URL /metrics";
        }

        var clusterRoles = allClusterRoles.Except(readerRoles).ToList();
        var pools = args.Get("--cluster-cidr-pools") != "false";
        if (clusterRoles.Count != 1 || !IsClusterRole(clusterRoles[0].Rules, pools))
        {
            yield return pools
                ? "expected one ClusterRole granting exactly nodes get/list/watch/patch, clustercidrs get/list/patch/watch, tokenreviews and subjectaccessreviews create"
                : "expected one ClusterRole granting exactly nodes get/list/watch/patch, tokenreviews and subjectaccessreviews create (pools are off)";
        }

        var roles = rendered.OfKind<V1Role>().ToList();
        var eventRoles = roles.Where(r => IsOnly(r.Rules, "", "events", EventVerbs)).ToList();
        if (eventRoles.Count != 1 || eventRoles[0].Namespace() != "default")
        {
            yield return $"expected one Role in namespace default granting exactly events {string.Join("/", EventVerbs)} (core/v1 Events about Nodes live there; nothing reads them back)";
        }

        // The Lease and the reuse quarantine's ConfigMap (named after the Lease) live in the namespace the flags name.
        var ownRoles = roles.Except(eventRoles).ToList();
        var leaderElect = args.Get("--leader-elect") != "false";
        var quarantine = args.Get("--cidr-reuse-delay") is { } delay && !ZeroDuration().IsMatch(delay);
        var name = args.Get("--leader-elect-resource-name") ?? "cidr-controller";
        var ownNs = args.Get("--leader-elect-resource-namespace") ?? "kube-system";
        if (leaderElect || quarantine)
        {
            if (ownRoles.Count != 1 || !IsOwnRole(ownRoles[0], ownNs, leaderElect ? name : null, quarantine ? name + "-quarantine" : null))
            {
                yield return $"expected one Role in {ownNs} granting exactly"
                    + (leaderElect ? $" leases get/update on {name} only, and create;" : "")
                    + (quarantine ? $" configmaps get/update on {name}-quarantine only, and create (the reuse quarantine)" : "");
            }
        }
        else if (ownRoles.Count != 0)
        {
            yield return "leader election and the reuse quarantine are off, but a Role other than the events Role is rendered";
        }

        var readerBindings = rendered.OfKind<V1ClusterRoleBinding>().Where(b => readerRoles.Any(r => r.Name() == b.RoleRef.Name)).ToList();
        foreach (var binding in rendered.OfKind<V1ClusterRoleBinding>().Except(readerBindings))
        {
            if (!clusterRoles.Any(r => r.Name() == binding.RoleRef.Name) || !BindsOnly(binding.Subjects, serviceAccount, ns))
            {
                yield return $"ClusterRoleBinding {binding.Name()} does not bind the chart's ClusterRole to {ns}/{serviceAccount} alone";
            }
        }

        foreach (var binding in rendered.OfKind<V1RoleBinding>())
        {
            if (!roles.Any(r => r.Name() == binding.RoleRef.Name && r.Namespace() == binding.Namespace()) || !BindsOnly(binding.Subjects, serviceAccount, ns))
            {
                yield return $"RoleBinding {binding.Namespace()}/{binding.Name()} does not bind a Role of its namespace to {ns}/{serviceAccount} alone";
            }
        }

        if (rendered.OfKind<V1RoleBinding>().Count() != roles.Count || rendered.OfKind<V1ClusterRoleBinding>().Count() - readerBindings.Count != clusterRoles.Count)
        {
            yield return "every Role and ClusterRole needs exactly one binding";
        }
    }

    private static IEnumerable<string> CheckPod(V1Deployment deployment, V1Container container, ControllerArgs args)
    {
        var pod = deployment.Spec.Template.Spec;
        if (pod.HostNetwork != true || pod.DnsPolicy != "Default")
        {
            yield return "the pod must use the host network (nodes have no pod network before they have a CIDR) with dnsPolicy Default "
                + "(cluster DNS cannot run before the controller has assigned CIDRs)";
        }

        var tolerated = (pod.Tolerations ?? []).Where(t => t.OperatorProperty == "Exists").Select(t => t.Key).ToHashSet();
        foreach (var key in RequiredTolerations.Where(k => !tolerated.Contains(k)))
        {
            yield return $"the pod does not tolerate {key}";
        }

        if (string.IsNullOrEmpty(pod.PriorityClassName))
        {
            yield return "the pod has no priorityClassName";
        }

        var sc = container.SecurityContext;
        var seccomp = sc?.SeccompProfile?.Type ?? pod.SecurityContext?.SeccompProfile?.Type;
        if (sc is null || (sc.RunAsNonRoot ?? pod.SecurityContext?.RunAsNonRoot) != true || sc.ReadOnlyRootFilesystem != true
            || sc.AllowPrivilegeEscalation != false || sc.Capabilities?.Drop is not ["ALL"] || seccomp != "RuntimeDefault"
            || sc.Privileged == true || sc.Capabilities?.Add is { Count: > 0 })
        {
            yield return "container securityContext must be runAsNonRoot, readOnlyRootFilesystem, no privilege escalation, drop ALL, seccomp RuntimeDefault";
        }

        var port = int.Parse(args.Get("--secure-port") ?? "10290", System.Globalization.CultureInfo.InvariantCulture);
        var httpsPort = container.Ports?.SingleOrDefault(p => p.Name == "https");
        if (port == 0 || httpsPort?.ContainerPort != port)
        {
            yield return $"container port \"https\" must be {port}, the --secure-port (HTTPS must be on)";
        }

        if (container.LivenessProbe?.HttpGet is not { Path: "/healthz", Scheme: "HTTPS" } live || live.Port.Value != "https"
            || container.ReadinessProbe?.HttpGet is not { Path: "/readyz", Scheme: "HTTPS" } ready || ready.Port.Value != "https")
        {
            yield return "liveness must be GET /healthz and readiness GET /readyz over HTTPS on the secure port";
        }

        var allowed = (args.Get("--authorization-always-allow-paths") ?? "/healthz,/readyz,/livez").Split(',');
        if (!allowed.Contains("/healthz") || !allowed.Contains("/readyz"))
        {
            yield return "the probes' paths /healthz and /readyz must be on --authorization-always-allow-paths (probes carry no token)";
        }

        if (args.Get("--bind-address") is { } bindAddress && System.Net.IPAddress.TryParse(bindAddress, out var address) && System.Net.IPAddress.IsLoopback(address))
        {
            yield return "--bind-address is a loopback address: kubelet probes reach the pod on the node's IP";
        }

        if (args.Get("--metrics-bind-address") is { Length: > 0 } plain && !plain.StartsWith("127.", StringComparison.Ordinal) && !plain.StartsWith("[::1]", StringComparison.Ordinal))
        {
            yield return $"--metrics-bind-address {plain} serves /metrics without authentication beyond the host: keep it off or on loopback";
        }

        foreach (var (name, field) in new[] { ("POD_NAME", "metadata.name"), ("POD_NAMESPACE", "metadata.namespace") })
        {
            if (container.Env?.SingleOrDefault(e => e.Name == name)?.ValueFrom?.FieldRef?.FieldPath != field)
            {
                yield return $"env {name} must come from the downward API ({field})";
            }
        }

        if (deployment.Spec.Replicas > 1 && (args.Get("--leader-elect") == "false" || pod.Affinity?.PodAntiAffinity is null))
        {
            yield return "several replicas need leader election and pod anti-affinity (they share the host port)";
        }
    }

    /// <summary>
    /// The opt-in ValidatingAdmissionPolicy: it must apply to the controller's own user only, on Node updates
    /// (status too), guard podCIDR/podCIDRs, taints and labels, and be bound with Deny. What its CEL accepts is
    /// not evaluated here (that needs a 1.30+ API server).
    /// </summary>
    private static IEnumerable<string> CheckAdmissionPolicy(RenderedManifests rendered, string serviceAccount, string ns)
    {
        var policies = rendered.OfKind<V1ValidatingAdmissionPolicy>().ToList();
        var bindings = rendered.OfKind<V1ValidatingAdmissionPolicyBinding>().ToList();
        foreach (var policy in policies)
        {
            var user = $"request.userInfo.username == \"system:serviceaccount:{ns}:{serviceAccount}\"";
            if (policy.Spec.MatchConditions is not [{ } condition] || condition.Expression != user)
            {
                yield return $"ValidatingAdmissionPolicy {policy.Name()} must match the controller's ServiceAccount alone ({user})";
            }

            if (policy.Spec.FailurePolicy != "Fail" || policy.Spec.MatchConstraints?.ResourceRules is not [{ } rule]
                || rule.Operations is not ["UPDATE"] || rule.Resources is not ["nodes", "nodes/status"])
            {
                yield return $"ValidatingAdmissionPolicy {policy.Name()} must fail closed on UPDATE of nodes and nodes/status";
            }

            var expressions = string.Join("\n", (policy.Spec.Validations ?? []).Select(v => v.Expression));
            foreach (var guarded in new[] { "oldObject.spec.podCIDRs", "oldObject.spec.podCIDR", "spec.taints", "spec.unschedulable", "metadata.labels", "request.subResource" })
            {
                if (!expressions.Contains(guarded, StringComparison.Ordinal))
                {
                    yield return $"ValidatingAdmissionPolicy {policy.Name()} does not guard {guarded}";
                }
            }

            if (bindings.Count(b => b.Spec.PolicyName == policy.Name() && b.Spec.ValidationActions is ["Deny"]) != 1)
            {
                yield return $"ValidatingAdmissionPolicy {policy.Name()} needs exactly one binding with validationActions [Deny]";
            }
        }

        if (bindings.Count != policies.Count)
        {
            yield return "every ValidatingAdmissionPolicyBinding needs the chart's policy";
        }
    }

    /// <summary>The `helm test` Pod: a test hook only, with no RBAC of its own and the same lock-down as the controller.</summary>
    private static IEnumerable<string> CheckTestHook(RenderedManifests rendered, string serviceAccount)
    {
        foreach (var pod in rendered.OfKind<V1Pod>())
        {
            if (pod.Metadata.Annotations is null || !pod.Metadata.Annotations.TryGetValue("helm.sh/hook", out var hook) || hook != "test")
            {
                yield return $"Pod {pod.Name()} is not a helm test hook (only the Deployment runs the controller)";
            }

            if (pod.Spec.ServiceAccountName != serviceAccount || pod.Spec.HostNetwork == true)
            {
                yield return $"test Pod {pod.Name()} must run with the controller's ServiceAccount, off the host network";
            }

            if (pod.Spec.Containers.Any(c => c.SecurityContext is not { ReadOnlyRootFilesystem: true, AllowPrivilegeEscalation: false, RunAsNonRoot: true }))
            {
                yield return $"test Pod {pod.Name()} must run non-root, read-only, without privilege escalation";
            }
        }
    }

    private static IEnumerable<string> CheckMonitoring(RenderedManifests rendered, V1Deployment deployment)
    {
        var podLabels = deployment.Spec.Template.Metadata.Labels;
        foreach (var service in rendered.OfKind<V1Service>())
        {
            if (!Selects(service.Spec.Selector, podLabels) || service.Spec.Ports.Any(p => p.TargetPort?.Value != "https"))
            {
                yield return $"Service {service.Name()} does not select the pod's HTTPS port";
            }
        }

        foreach (var pdb in rendered.OfKind<V1PodDisruptionBudget>())
        {
            if (!Selects(pdb.Spec.Selector.MatchLabels, podLabels))
            {
                yield return $"PodDisruptionBudget {pdb.Name()} does not select the pod";
            }
        }

        foreach (var tree in rendered.Custom)
        {
            var kind = tree["kind"] as string;
            var text = new YamlDotNet.Serialization.SerializerBuilder().Build().Serialize(tree);
            var problem = kind switch
            {
                "ServiceMonitor" when !rendered.OfKind<V1Service>().Any(s => s.Spec.Ports.Any(p => text.Contains($"port: {p.Name}", StringComparison.Ordinal))) =>
                    "ServiceMonitor scrapes no port of the metrics Service",
                "ServiceMonitor" when !text.Contains("scheme: https", StringComparison.Ordinal) || !text.Contains("bearerTokenFile:", StringComparison.Ordinal) =>
                    "ServiceMonitor must scrape over HTTPS with a bearer token (/metrics needs one)",
                "PrometheusRule" when !text.Contains("node_ipam_controller_cidrset_usage_cidrs", StringComparison.Ordinal)
                    || !text.Contains("cidr_controller_nodes_waiting_for_cidr", StringComparison.Ordinal) =>
                    "PrometheusRule lacks the pool usage or the nodes-waiting alert",
                "PrometheusRule" when AlertExpressions(tree).FirstOrDefault(e => !e.Contains("and on(instance) cidr_controller_leader == 1", StringComparison.Ordinal)) is { } expr =>
                    $"PrometheusRule expression does not keep the leader's series only (a standby's gauges are stale): {expr}",
                "ServiceMonitor" or "PrometheusRule" => null,
                _ => $"unexpected monitoring.coreos.com kind {kind}",
            };
            if (problem is not null)
            {
                yield return $"{problem} ({RenderedManifests.Name(tree)})";
            }
        }
    }

    private static IEnumerable<string> AlertExpressions(Dictionary<object, object> rule) =>
        rule.GetValueOrDefault("spec") is Dictionary<object, object> spec && spec.GetValueOrDefault("groups") is List<object> groups
            ? groups.OfType<Dictionary<object, object>>()
                .SelectMany(g => g.GetValueOrDefault("rules") as List<object> ?? [])
                .OfType<Dictionary<object, object>>()
                .Select(r => r.GetValueOrDefault("expr") as string ?? "")
            : [];

    private static bool IsClusterRole(IList<V1PolicyRule>? rules, bool pools) => pools
        ? rules is [var nodes, var clusterCidrs, var tokenReviews, var accessReviews] && IsRule(nodes, "", "nodes", NodeVerbs) && nodes.ResourceNames is null or { Count: 0 }
            && IsRule(clusterCidrs, "networking.x-k8s.io", "clustercidrs", ClusterCidrVerbs) && clusterCidrs.ResourceNames is null or { Count: 0 }
            && IsReviewRules(tokenReviews, accessReviews)
        : rules is [var onlyNodes, var tokenReviewsOnly, var accessReviewsOnly] && IsRule(onlyNodes, "", "nodes", NodeVerbs) && onlyNodes.ResourceNames is null or { Count: 0 }
            && IsReviewRules(tokenReviewsOnly, accessReviewsOnly);

    /// <summary>Delegated authentication and authorization of /metrics: create on the two review kinds, as system:auth-delegator.</summary>
    private static bool IsReviewRules(V1PolicyRule tokenReviews, V1PolicyRule accessReviews) =>
        IsRule(tokenReviews, "authentication.k8s.io", "tokenreviews", ["create"]) && IsRule(accessReviews, "authorization.k8s.io", "subjectaccessreviews", ["create"]);

    private static bool IsOnly(IList<V1PolicyRule>? rules, string group, string resource, string[] verbs) =>
        rules is [var rule] && IsRule(rule, group, resource, verbs) && rule.ResourceNames is null or { Count: 0 };

    private static bool IsRule(V1PolicyRule rule, string group, string resource, string[] verbs) =>
        rule.ApiGroups is [var g] && g == group && rule.Resources is [var r] && r == resource
        && rule.Verbs.Order(StringComparer.Ordinal).SequenceEqual(verbs) && rule.NonResourceURLs is null or { Count: 0 };

    /// <summary>get/update on the one named object and create (which names cannot restrict) for each of the Lease and the ConfigMap asked for.</summary>
    private static bool IsOwnRole(V1Role role, string ns, string? lease, string? configMap) =>
        role.Namespace() == ns && role.Rules is { } rules
        && rules.Count == (lease is null ? 0 : 2) + (configMap is null ? 0 : 2)
        && (lease is null || GrantsNamedAndCreate(rules, "coordination.k8s.io", "leases", lease))
        && (configMap is null || GrantsNamedAndCreate(rules, "", "configmaps", configMap));

    private static bool GrantsNamedAndCreate(IList<V1PolicyRule> rules, string group, string resource, string name) =>
        rules.Count(r => IsRule(r, group, resource, NamedVerbs) && r.ResourceNames is [var n] && n == name) == 1
        && rules.Count(r => IsRule(r, group, resource, ["create"]) && r.ResourceNames is null or { Count: 0 }) == 1;

    /// <summary>A Go duration that is zero (0s, 0m, 0.0h, ...).</summary>
    [GeneratedRegex(@"^(0+(\.0+)?(ns|us|µs|ms|s|m|h))+$")]
    private static partial Regex ZeroDuration();

    private static bool BindsOnly(IList<Rbacv1Subject>? subjects, string serviceAccount, string ns) =>
        subjects is [var s] && s.Kind == "ServiceAccount" && s.Name == serviceAccount && s.NamespaceProperty == ns;

    private static bool Selects(IDictionary<string, string>? selector, IDictionary<string, string> labels) =>
        selector is { Count: > 0 } && selector.All(kv => labels.TryGetValue(kv.Key, out var v) && v == kv.Value);
}
