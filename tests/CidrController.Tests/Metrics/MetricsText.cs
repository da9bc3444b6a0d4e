using CidrController.Kubernetes.Metrics;

namespace CidrController.Tests.Metrics;

/// <summary>What <c>/metrics</c> serves, as text.</summary>
internal static class MetricsText
{
    public static async Task<string> Scrape(ControllerMetrics metrics)
    {
        using var buffer = new MemoryStream();
        await metrics.WriteAsync(buffer, CancellationToken.None);
        return System.Text.Encoding.UTF8.GetString(buffer.ToArray());
    }
}
