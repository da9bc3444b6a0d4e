using System.Diagnostics;
using System.Net;
using System.Text;

using CidrController.ApiEmulator;

namespace CidrController.LoadBenchmark;

/// <summary>
/// The emulator's own limit for podCIDR patches: many connections, each sending the controller's exact
/// strategic merge patch and reading the whole response (the patched Node), with nothing else to do.
/// </summary>
public static class DirectPatchClient
{
    /// <summary>Creates <paramref name="count"/> fresh nodes, patches them all, deletes them; returns patches per second.</summary>
    public static async Task<double> MeasureAsync(KubeApiEmulator emulator, int count, int connections)
    {
        for (var i = 0; i < count; i++)
        {
            emulator.CreateNode(BenchmarkNodes.Create(BenchmarkNodes.Name("direct", i)));
        }

        using var handler = new SocketsHttpHandler { MaxConnectionsPerServer = connections, PooledConnectionLifetime = Timeout.InfiniteTimeSpan };
        using var http = new HttpClient(handler) { BaseAddress = emulator.BaseAddress, Timeout = TimeSpan.FromSeconds(30) };
        http.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", emulator.BearerToken);

        // Warm-up (JIT in both client and server, connections opened): the first tenth, not timed.
        var warmUp = Math.Max(connections, count / 10);
        await PatchRangeAsync(http, 0, warmUp, connections);
        var started = Stopwatch.GetTimestamp();
        await PatchRangeAsync(http, warmUp, count, connections);
        var elapsed = Stopwatch.GetElapsedTime(started);

        for (var i = 0; i < count; i++)
        {
            emulator.DeleteNode(BenchmarkNodes.Name("direct", i));
        }

        return (count - warmUp) / elapsed.TotalSeconds;
    }

    private static async Task PatchRangeAsync(HttpClient http, int from, int to, int connections)
    {
        var next = from - 1;
        var workers = new Task[connections];
        for (var w = 0; w < workers.Length; w++)
        {
            workers[w] = Task.Run(async () =>
            {
                int i;
                while ((i = Interlocked.Increment(ref next)) < to)
                {
                    await PatchAsync(http, i);
                }
            });
        }

        await Task.WhenAll(workers);
    }

    private static async Task PatchAsync(HttpClient http, int i)
    {
        var cidr = BenchmarkNodes.Slash24(i);
        var body = $"{{\"spec\":{{\"podCIDR\":\"{cidr}\",\"podCIDRs\":[\"{cidr}\"]}}}}";
        using var content = new StringContent(body, Encoding.UTF8, "application/strategic-merge-patch+json");
        content.Headers.ContentType!.CharSet = null;
        using var response = await http.PatchAsync(new Uri($"api/v1/nodes/{BenchmarkNodes.Name("direct", i)}", UriKind.Relative), content);
        _ = await response.Content.ReadAsByteArrayAsync();
        if (response.StatusCode != HttpStatusCode.OK)
        {
            throw new BenchmarkFailedException($"direct patch of node {i} answered {(int)response.StatusCode}");
        }
    }
}
