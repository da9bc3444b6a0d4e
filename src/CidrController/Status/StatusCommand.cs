using CidrController.CommandLine;
using CidrController.Kubernetes.Api;
using CidrController.Kubernetes.Nodes;
using CidrController.Kubernetes.Pools;
using CidrController.Kubernetes.Status;

using Microsoft.Extensions.Logging.Abstractions;

namespace CidrController.Status;

/// <summary>
/// <c>cidr-controller status</c>: reads the live cluster and prints, per range, how full it is, which nodes
/// wait for a block and which carry bad podCIDRs. It takes the controller's own flags (paste the
/// Deployment's args) plus <c>--output text|json</c>, and changes nothing in the cluster.
/// </summary>
internal static class StatusCommand
{
    public const string Name = "status";

    public static async Task<int> RunAsync(IReadOnlyList<string> args, TextWriter stdout, TextWriter stderr, Func<string, string?> getEnvironmentVariable, CancellationToken cancellationToken)
    {
        var set = new FlagSet("cidr-controller " + Name);
        var output = CommandLineFrontEnd.AddOutputFlag(set);
        var flags = new ControllerFlags(set);
        if (CommandLineFrontEnd.Read(set, flags, args, Usage, stdout, stderr, getEnvironmentVariable, out var exitCode) is not { } settings)
        {
            return exitCode;
        }

        var format = output.Value == "json" ? StatusFormat.Json : StatusFormat.Text;
        var options = settings.Controller;
        ClusterStatusReport report;
        try
        {
            var client = KubernetesClientFactory.Create(options.Api);
            var store = new ObservedNodeStore();
            await new NodeWatcher(new LeanNodeClient(client), store, options.Api.WatchIdleTimeout, TimeProvider.System, NullLogger<NodeWatcher>.Instance).ListAsync(cancellationToken).ConfigureAwait(false);
            var pools = new List<ClusterCidrPool>();
            if (options.ClusterCidrPools)
            {
                // Read only: the status view parses the pools but, unlike the controller, never touches their finalizers.
                foreach (var obj in await new ClusterCidrApi(client).ListAsync(cancellationToken).ConfigureAwait(false) ?? [])
                {
                    if (obj.Pool is { } pool)
                    {
                        pools.Add(pool);
                    }
                }
            }

            report = ClusterStatusReport.Compute(options.ClusterRanges, options.ServiceRanges, store.Names.Select(name => store.Get(name)!), pools);
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            // Whatever stops us reading the cluster (kubeconfig, TLS, RBAC, network) is the operator's to fix: one line.
            var detail = e is k8s.Autorest.HttpOperationException http ? ApiErrorMessage.From(http) : e.Message;
            await stderr.WriteLineAsync($"cidr-controller status: cannot read nodes: {detail.ReplaceLineEndings(" ")}").ConfigureAwait(false);
            return 1;
        }

        if (format == StatusFormat.Json)
        {
            StatusJson.Write(report, stdout);
        }
        else
        {
            StatusText.Write(report, stdout);
        }

        return CommandLineFrontEnd.ExitOk;
    }

    private const string Usage = """
        Usage:
          cidr-controller status [--output text|json] [controller flags]

        Reads the cluster's nodes and prints per cluster CIDR: block size, blocks total / excluded by the
        service range / used / free, a usage bar, nodes without a podCIDR, and nodes with invalid,
        out-of-range or overlapping podCIDRs. Takes the controller's own flags (--kubeconfig, --master,
        --cluster-cidr, --node-cidr-mask-size*, --service-cluster-ip-range; the others are accepted and
        ignored), so the Deployment's args can be pasted as they are. Changes nothing in the cluster.

        Flags:
        """;
}
