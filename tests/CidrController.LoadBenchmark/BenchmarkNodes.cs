using System.Globalization;
using System.Text.Json.Nodes;

namespace CidrController.LoadBenchmark;

/// <summary>
/// The nodes the benchmark creates. Shaped like a kind/kubeadm worker (labels, addresses, capacity, conditions,
/// nodeInfo, a few images — about 2.5 KB of JSON) rather than the emulator's bare minimum, because the cost of a
/// list or a watch event is mostly the bytes of the status the controller does not need.
/// </summary>
public static class BenchmarkNodes
{
    private static readonly string[] Conditions = ["MemoryPressure", "DiskPressure", "PIDPressure", "Ready"];

    /// <summary>The i-th /24 of the 10.0.0.0/8 cluster CIDR the benchmark runs the controller with (i &lt; 65,536).</summary>
    public static string Slash24(int i) =>
        string.Create(CultureInfo.InvariantCulture, $"10.{i / 256}.{i % 256}.0/24");

    public static string Name(string prefix, int i) =>
        string.Create(CultureInfo.InvariantCulture, $"{prefix}-{i:D6}");

    public static JsonObject Create(string name, string? podCidr = null)
    {
        var spec = new JsonObject { ["providerID"] = $"kind://docker/bench/{name}" };
        if (podCidr is not null)
        {
            spec["podCIDR"] = podCidr;
            spec["podCIDRs"] = new JsonArray(podCidr);
        }

        return new JsonObject
        {
            ["apiVersion"] = "v1",
            ["kind"] = "Node",
            ["metadata"] = new JsonObject
            {
                ["name"] = name,
                ["labels"] = new JsonObject
                {
                    ["beta.kubernetes.io/arch"] = "amd64",
                    ["beta.kubernetes.io/os"] = "linux",
                    ["kubernetes.io/arch"] = "amd64",
                    ["kubernetes.io/hostname"] = name,
                    ["kubernetes.io/os"] = "linux",
                    ["node.kubernetes.io/instance-type"] = "m5.xlarge",
                    ["topology.kubernetes.io/region"] = "eu-west-1",
                    ["topology.kubernetes.io/zone"] = "eu-west-1a",
                },
                ["annotations"] = new JsonObject
                {
                    ["kubeadm.alpha.kubernetes.io/cri-socket"] = "unix:///run/containerd/containerd.sock",
                    ["node.alpha.kubernetes.io/ttl"] = "0",
                    ["volumes.kubernetes.io/controller-managed-attach-detach"] = "true",
                },
            },
            ["spec"] = spec,
            ["status"] = Status(name),
        };
    }

    private static JsonObject Status(string name)
    {
        var conditions = new JsonArray();
        foreach (var type in Conditions)
        {
            conditions.Add(new JsonObject
            {
                ["type"] = type,
                ["status"] = type == "Ready" ? "True" : "False",
                ["lastHeartbeatTime"] = "2026-11-26T06:00:00Z",
                ["lastTransitionTime"] = "2026-11-26T05:00:00Z",
                ["reason"] = type == "Ready" ? "KubeletReady" : $"KubeletHasNo{type}",
                ["message"] = type == "Ready" ? "kubelet is posting ready status" : $"kubelet has no {type}",
            });
        }

        var images = new JsonArray();
        foreach (var image in new[] { "registry.k8s.io/kube-proxy:v1.35.0", "docker.io/kindest/kindnetd:v20250512", "registry.k8s.io/pause:3.10" })
        {
            images.Add(new JsonObject { ["names"] = new JsonArray(image), ["sizeBytes"] = 31_000_000 });
        }

        var resources = new JsonObject { ["cpu"] = "4", ["memory"] = "16094604Ki", ["pods"] = "110", ["ephemeral-storage"] = "102626232Ki" };
        return new JsonObject
        {
            ["addresses"] = new JsonArray(
                new JsonObject { ["type"] = "InternalIP", ["address"] = "172.18.0.2" },
                new JsonObject { ["type"] = "Hostname", ["address"] = name }),
            ["capacity"] = resources.DeepClone(),
            ["allocatable"] = resources,
            ["conditions"] = conditions,
            ["daemonEndpoints"] = new JsonObject { ["kubeletEndpoint"] = new JsonObject { ["Port"] = 10250 } },
            ["images"] = images,
            ["nodeInfo"] = new JsonObject
            {
                ["architecture"] = "amd64",
                ["bootID"] = "6b1e0f9c-3f0a-4c55-9a52-1d2f3b4c5d6e",
                ["containerRuntimeVersion"] = "containerd://2.1.1",
                ["kernelVersion"] = "6.8.0-1019-aws",
                ["kubeProxyVersion"] = "",
                ["kubeletVersion"] = "v1.35.0",
                ["machineID"] = "0e3c1b6f8a9d4e2f8c7b6a5d4e3f2a1b",
                ["operatingSystem"] = "linux",
                ["osImage"] = "Debian GNU/Linux 12 (bookworm)",
                ["systemUUID"] = "ec2f6a1b-7c8d-9e0f-1a2b-3c4d5e6f7a8b",
            },
        };
    }
}
