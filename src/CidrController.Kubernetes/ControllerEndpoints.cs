using CidrController.Kubernetes.Health;
using CidrController.Kubernetes.Metrics;

using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace CidrController.Kubernetes;

/// <summary>/healthz, /readyz and /metrics.</summary>
internal static class ControllerEndpoints
{
    public static IEndpointRouteBuilder MapControllerEndpoints(this IEndpointRouteBuilder endpoints, ControllerHealth health, ControllerMetrics metrics)
    {
        // What each path means is documented on ControllerHealth.
        endpoints.MapGet("/healthz", () => Live(health));
        endpoints.MapGet("/livez", () => Live(health));
        endpoints.MapGet("/readyz", () => health.Ready
            ? Results.Text("ok")
            : Results.Text($"not ready: {health.NotReadyReason}", statusCode: StatusCodes.Status503ServiceUnavailable));
        endpoints.MapGet("/metrics", async (HttpContext context) =>
        {
            context.Response.ContentType = "text/plain; version=0.0.4; charset=utf-8";
            await metrics.WriteAsync(context.Response.Body, context.RequestAborted).ConfigureAwait(false);
        });
        return endpoints;
    }

    private static IResult Live(ControllerHealth health) => health.StallReason is { } stalled
        ? Results.Text($"not live: {stalled}", statusCode: StatusCodes.Status503ServiceUnavailable)
        : Results.Text("ok");
}
