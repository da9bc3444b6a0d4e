using System.Net;
using System.Text;

using CidrController.Allocation;
using CidrController.Kubernetes.Api;

using k8s;
using k8s.Autorest;
using k8s.Models;

namespace CidrController.Kubernetes.Nodes;

/// <summary>
/// Node reads and podCIDR patches over KubernetesClient's HTTP pipeline and credentials; the answer (the whole
/// Node) is decoded only as far as <see cref="ObservedNode"/> needs (<see cref="LeanNodeClient"/>).
/// </summary>
internal sealed class KubernetesNodeApi(LeanNodeClient nodes) : INodeApi
{
    private readonly LeanNodeClient _nodes = nodes;

    public async Task<PatchOutcome> PatchPodCidrsAsync(string node, IReadOnlyList<IpBlock> cidrs, CancellationToken cancellationToken)
    {
        var body = PodCidrPatch(cidrs);
        try
        {
            var patched = await _nodes.PatchAsync(node, body, cancellationToken).ConfigureAwait(false);
            return new PatchOutcome(PatchStatus.Applied, patched);
        }
        catch (HttpOperationException e)
        {
            var code = (int)e.Response.StatusCode;
            var message = ApiErrorMessage.From(e);
            return e.Response.StatusCode switch
            {
                HttpStatusCode.NotFound => new PatchOutcome(PatchStatus.NotFound, StatusCode: code, Message: message),
                HttpStatusCode.Conflict or HttpStatusCode.UnprocessableEntity => new PatchOutcome(PatchStatus.Rejected, StatusCode: code, Message: message),
                HttpStatusCode.GatewayTimeout => new PatchOutcome(PatchStatus.Unknown, StatusCode: code, Message: message),
                _ => new PatchOutcome(PatchStatus.Failed, StatusCode: code, RetryAfter: RetryAfter(e.Response), Message: message),
            };
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException or IOException && !cancellationToken.IsCancellationRequested)
        {
            // The request may have reached the server: only a re-read can tell.
            return new PatchOutcome(PatchStatus.Unknown, Message: e.Message);
        }
    }

    public async Task<ObservedNode?> ReadAsync(string node, CancellationToken cancellationToken)
    {
        try
        {
            return await _nodes.ReadAsync(node, cancellationToken).ConfigureAwait(false);
        }
        catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }
    }

    /// <summary>Upstream's patch: {"spec":{"podCIDR":first,"podCIDRs":[all]}}.</summary>
    public static string PodCidrPatch(IReadOnlyList<IpBlock> cidrs)
    {
        var builder = new StringBuilder(96);
        builder.Append("{\"spec\":{\"podCIDR\":\"").Append(cidrs[0]).Append("\",\"podCIDRs\":[");
        for (var i = 0; i < cidrs.Count; i++)
        {
            builder.Append(i == 0 ? "\"" : ",\"").Append(cidrs[i]).Append('"');
        }

        return builder.Append("]}}").ToString();
    }

    private static TimeSpan? RetryAfter(HttpResponseMessageWrapper response)
    {
        if (response.Headers is null || !response.Headers.TryGetValue("Retry-After", out var values))
        {
            return null;
        }

        foreach (var value in values)
        {
            if (int.TryParse(value, out var seconds) && seconds >= 0)
            {
                return TimeSpan.FromSeconds(seconds);
            }
        }

        return null;
    }
}
