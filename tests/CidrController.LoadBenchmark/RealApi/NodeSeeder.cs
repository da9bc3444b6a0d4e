using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

using CidrController.TestHarness;

namespace CidrController.LoadBenchmark.RealApi;

/// <summary>
/// Creates the benchmark's nodes on the real API server (kind/kubeadm-shaped, see <see cref="BenchmarkNodes"/>;
/// the server adds managedFields as it does for a kubelet) through parallel requests, so that seeding 50,000
/// nodes takes a minute rather than an hour.
/// </summary>
public sealed class NodeSeeder(RealControlPlane controlPlane) : IDisposable
{
    private const int Parallel = 32;

    private readonly HttpClient _http = CreateHttpClient(controlPlane);

    /// <summary>Nodes <paramref name="prefix"/>-000000 … without podCIDRs, or each with its own /24 when <paramref name="allocated"/>.</summary>
    public async Task CreateAsync(string prefix, int count, bool allocated)
    {
        var next = -1;
        var workers = Enumerable.Range(0, Math.Min(Parallel, count)).Select(async _ =>
        {
            int i;
            while ((i = Interlocked.Increment(ref next)) < count)
            {
                var name = BenchmarkNodes.Name(prefix, i);
                await CreateOneAsync(name, allocated ? BenchmarkNodes.Slash24(i) : null);
            }
        });
        await Task.WhenAll(workers);
    }

    /// <summary>POSTs one node; returns once the server has stored it.</summary>
    public async Task CreateOneAsync(string name, string? podCidr)
    {
        using var content = new StringContent(BenchmarkNodes.Create(name, podCidr).ToJsonString(), Encoding.UTF8, "application/json");
        using var response = await _http.PostAsync(new Uri("api/v1/nodes?fieldManager=kubelet", UriKind.Relative), content);
        if (response.StatusCode != HttpStatusCode.Created)
        {
            throw new BenchmarkFailedException($"creating node {name}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        }
    }

    /// <summary>The server's current resourceVersion (from a one-item list): a watch from here sees everything after.</summary>
    public async Task<string> CurrentResourceVersionAsync()
    {
        using var response = await _http.GetAsync(new Uri("api/v1/nodes?limit=1", UriKind.Relative));
        response.EnsureSuccessStatusCode();
        using var document = JsonDocument.Parse(await response.Content.ReadAsStreamAsync());
        return document.RootElement.GetProperty("metadata").GetProperty("resourceVersion").GetString()!;
    }

    public void Dispose() => _http.Dispose();

    /// <summary>A client over HTTP/1.1 with one connection per parallel request (the server's CA trusted, admin token).</summary>
    public static HttpClient CreateHttpClient(RealControlPlane controlPlane)
    {
        var http = controlPlane.CreateHttpClient();
        http.Timeout = TimeSpan.FromSeconds(60);
        http.DefaultRequestHeaders.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        return http;
    }
}
