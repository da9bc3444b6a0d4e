using System.Diagnostics;
using System.Text.Json;

using YamlDotNet.Serialization;

namespace CidrController.ManifestCheck;

/// <summary>
/// The chart's <c>values.yaml</c> defaults that map to a controller flag must equal the binary's own defaults, as
/// <c>cidr-controller flags --output json</c> lists them: the chart states no default of its own by accident.
/// A null value means "leave the flag out", so the binary's default applies.
/// </summary>
public static class ChartDefaults
{
    /// <summary>values.yaml key → flag. Keys the chart sets on purpose to something else are in <see cref="Deliberate"/>.</summary>
    private static readonly (string Key, string Flag)[] FlagOfValue =
    [
        ("clusterCIDRs", "--cluster-cidr"),
        ("nodeCIDRMaskSize", "--node-cidr-mask-size"),
        ("nodeCIDRMaskSizeIPv4", "--node-cidr-mask-size-ipv4"),
        ("nodeCIDRMaskSizeIPv6", "--node-cidr-mask-size-ipv6"),
        ("serviceClusterIPRanges", "--service-cluster-ip-range"),
        ("allocateNodeCIDRs", "--allocate-node-cidrs"),
        ("cidrAllocatorType", "--cidr-allocator-type"),
        ("configureCloudRoutes", "--configure-cloud-routes"),
        ("kubeconfig", "--kubeconfig"),
        ("master", "--master"),
        ("kubeAPIQPS", "--kube-api-qps"),
        ("kubeAPIBurst", "--kube-api-burst"),
        ("concurrentNodeSyncs", "--concurrent-node-syncs"),
        ("cidrReuseDelay", "--cidr-reuse-delay"),
        ("clusterCIDRPools.enabled", "--cluster-cidr-pools"),
        ("leaderElection.enabled", "--leader-elect"),
        ("leaderElection.leaseDuration", "--leader-elect-lease-duration"),
        ("leaderElection.renewDeadline", "--leader-elect-renew-deadline"),
        ("leaderElection.retryPeriod", "--leader-elect-retry-period"),
        ("leaderElection.resourceName", "--leader-elect-resource-name"),
        ("leaderElection.resourceNamespace", "--leader-elect-resource-namespace"),
        ("serving.bindAddress", "--bind-address"),
        ("serving.securePort", "--secure-port"),
        ("serving.tlsMinVersion", "--tls-min-version"),
        ("serving.alwaysAllowPaths", "--authorization-always-allow-paths"),
        ("serving.tokenCacheTTL", "--authentication-token-webhook-cache-ttl"),
        ("serving.authorizedCacheTTL", "--authorization-webhook-cache-authorized-ttl"),
        ("serving.unauthorizedCacheTTL", "--authorization-webhook-cache-unauthorized-ttl"),
        ("metrics.bindAddress", "--metrics-bind-address"),
        ("logging.format", "--log-format"),
        ("logging.level", "--v"),
    ];

    /// <summary>Where the chart differs on purpose, and why.</summary>
    private static readonly Dictionary<string, string> Deliberate = new(StringComparer.Ordinal)
    {
        ["configureCloudRoutes"] = "off so that the startup log carries no notice about cloud routes",
        ["leaderElection.resourceName"] = "empty: the release's full name",
        ["leaderElection.resourceNamespace"] = "empty: the release namespace, where the chart's Lease Role lives",
    };

    public static async Task<IReadOnlyList<string>> CheckAsync(string controller, string valuesFile)
    {
        var values = new DeserializerBuilder().Build().Deserialize<Dictionary<object, object?>>(await File.ReadAllTextAsync(valuesFile).ConfigureAwait(false));
        var defaults = await BinaryDefaultsAsync(controller).ConfigureAwait(false);
        var problems = new List<string>();
        foreach (var (key, flag) in FlagOfValue)
        {
            if (!defaults.TryGetValue(flag, out var binaryDefault))
            {
                problems.Add($"{key}: the binary has no flag {flag}");
                continue;
            }

            var chartDefault = Text(Lookup(values, key));
            if (chartDefault is not null && chartDefault != binaryDefault && !Deliberate.ContainsKey(key))
            {
                problems.Add($"{key}: the chart's default {chartDefault} is not the binary's {flag} default {binaryDefault}");
            }
        }

        return problems;
    }

    private static object? Lookup(Dictionary<object, object?> values, string key)
    {
        object? node = values;
        foreach (var part in key.Split('.'))
        {
            node = node is Dictionary<object, object?> map && map.TryGetValue(part, out var child) ? child : throw new InvalidDataException($"values.yaml has no {key}");
        }

        return node;
    }

    /// <summary>A YAML value as the flag would be written: a list comma-joined, null for "not passed".</summary>
    private static string? Text(object? value) => value switch
    {
        null => null,
        List<object> list => string.Join(",", list),
        _ => value.ToString(),
    };

    private static async Task<Dictionary<string, string>> BinaryDefaultsAsync(string controller)
    {
        var info = controller.EndsWith(".dll", StringComparison.OrdinalIgnoreCase)
            ? new ProcessStartInfo("dotnet", [controller, "flags", "--output", "json"])
            : new ProcessStartInfo(controller, ["flags", "--output", "json"]);
        info.RedirectStandardOutput = true;
        using var process = Process.Start(info) ?? throw new InvalidOperationException($"cannot start {controller}");
        var output = await process.StandardOutput.ReadToEndAsync().ConfigureAwait(false);
        await process.WaitForExitAsync().ConfigureAwait(false);
        using var table = JsonDocument.Parse(output);
        return table.RootElement.EnumerateArray().ToDictionary(f => f.GetProperty("name").GetString()!, f => f.GetProperty("default").GetString()!, StringComparer.Ordinal);
    }
}
