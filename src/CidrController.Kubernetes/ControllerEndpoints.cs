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
        endpoints.MapGet("/healthz", () => Results.Text("ok"));
        endpoints.MapGet("/livez", () => Results.Text("ok"));
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
}
