using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json.Nodes;

using CidrController.ApiEmulator.Faults;
using CidrController.ApiEmulator.Http;
using CidrController.ApiEmulator.Security;
using CidrController.ApiEmulator.Store;
using CidrController.ApiEmulator.Validation;

using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace CidrController.ApiEmulator;

/// <summary>
/// A strict in-memory Kubernetes API server (Nodes, Events, Leases, ConfigMaps, ClusterCIDRs) on Kestrel at
/// 127.0.0.1, for tests, the sandbox, benchmarks and chaos tests. Direct state access bypasses HTTP but not the
/// rules: the same validation, resourceVersion bumps and watch events apply.
/// </summary>
public sealed class KubeApiEmulator : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ObjectStore _store;
    private readonly ConcurrentQueue<RequestRecord> _requests;
    private readonly CancellationTokenSource _stopping;
    private readonly CertificateAuthority? _authority;

    private KubeApiEmulator(WebApplication app, ObjectStore store, ConcurrentQueue<RequestRecord> requests, CancellationTokenSource stopping,
        CertificateAuthority? authority, FaultInjector faults, EmulatorOptions options, string? token)
    {
        _app = app;
        _store = store;
        _requests = requests;
        _stopping = stopping;
        _authority = authority;
        Faults = faults;
        Options = options;
        BearerToken = token;
        BaseAddress = new Uri("http://127.0.0.1/");
    }

    public EmulatorOptions Options { get; }

    /// <summary>http://127.0.0.1:PORT or https://127.0.0.1:PORT (no trailing path).</summary>
    public Uri BaseAddress { get; private set; }

    /// <summary>The token requests must carry, or null when none is required.</summary>
    public string? BearerToken { get; }

    /// <summary>PEM of the generated CA in HTTPS mode; null over HTTP.</summary>
    public string? CaCertificatePem => _authority?.CertificatePem;

    public FaultInjector Faults { get; }

    public long CurrentResourceVersion => _store.CurrentResourceVersion;

    /// <summary>Every request so far, in arrival order of responses (watches when their stream starts).</summary>
    public IReadOnlyList<RequestRecord> Requests => _requests.ToArray();

    /// <summary>Every core/v1 and events.k8s.io/v1 Event stored, in creation order.</summary>
    public IReadOnlyList<JsonObject> Events => _store.AllNamespacedInCreationOrder(ResourceKind.CoreEvent);

    public static async Task<KubeApiEmulator> StartAsync(EmulatorOptions? options = null, CancellationToken ct = default)
    {
        options ??= new EmulatorOptions();
        var token = options.BearerToken;
        if (options.Https && token is null)
        {
            token = Convert.ToHexString(RandomNumberGenerator.GetBytes(16)).ToLowerInvariant();
        }

        var authority = options.Https ? CertificateAuthority.Create() : null;
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        if (authority is not null)
        {
            builder.WebHost.UseKestrelHttpsConfiguration();
        }

        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            kestrel.Listen(IPAddress.Loopback, options.Port, listen =>
            {
                if (authority is not null)
                {
                    listen.UseHttps(authority.ServerCertificate);
                }
            });
        });

        var app = builder.Build();
        var store = new ObjectStore(options);
        var faults = new FaultInjector(options.FaultSeed);
        var requests = new ConcurrentQueue<RequestRecord>();
        var stopping = new CancellationTokenSource();
        var handler = new ApiRequestHandler(store, faults, options, token, requests, stopping.Token);
        app.Run(handler.HandleAsync);
        var emulator = new KubeApiEmulator(app, store, requests, stopping, authority, faults, options, token);
        await app.StartAsync(ct);
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        var port = new Uri(address).Port;
        emulator.BaseAddress = new Uri($"{(options.Https ? "https" : "http")}://127.0.0.1:{port.ToString(CultureInfo.InvariantCulture)}");
        return emulator;
    }

    /// <summary>
    /// Writes a kubeconfig that reaches this server: for HTTPS the CA as certificate-authority-data and the user
    /// token, as a real cluster's kubeconfig looks; for HTTP just the server (and the token if one is set).
    /// </summary>
    public string WriteKubeconfig(string path)
    {
        var server = BaseAddress.ToString().TrimEnd('/');
        var sb = new StringBuilder();
        sb.AppendLine("apiVersion: v1");
        sb.AppendLine("kind: Config");
        sb.AppendLine("clusters:");
        sb.AppendLine("- name: emulator");
        sb.AppendLine("  cluster:");
        sb.AppendLine($"    server: {server}");
        if (CaCertificatePem is { } pem)
        {
            sb.AppendLine($"    certificate-authority-data: {Convert.ToBase64String(Encoding.ASCII.GetBytes(pem))}");
        }

        sb.AppendLine("contexts:");
        sb.AppendLine("- name: emulator");
        sb.AppendLine("  context:");
        sb.AppendLine("    cluster: emulator");
        sb.AppendLine("    user: emulator");
        sb.AppendLine("current-context: emulator");
        sb.AppendLine("users:");
        sb.AppendLine("- name: emulator");
        sb.AppendLine(BearerToken is null ? "  user: {}" : $"  user:\n    token: {BearerToken}");
        var directory = Path.GetDirectoryName(Path.GetFullPath(path));
        if (!string.IsNullOrEmpty(directory))
        {
            Directory.CreateDirectory(directory);
        }

        File.WriteAllText(path, sb.ToString());
        return path;
    }

    /// <summary>An HttpClient that trusts the generated CA and sends the token: what a test needs to talk to this server.</summary>
    public HttpClient CreateHttpClient()
    {
        var handler = new SocketsHttpHandler();
        if (_authority is not null)
        {
            handler.SslOptions.RemoteCertificateValidationCallback = (_, certificate, _, errors) =>
                errors == SslPolicyErrors.None || (errors == SslPolicyErrors.RemoteCertificateChainErrors
                    && certificate is X509Certificate2 c2 && _authority.Validate(c2));
        }

        var client = new HttpClient(handler) { BaseAddress = BaseAddress };
        if (BearerToken is not null)
        {
            client.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", BearerToken);
        }

        return client;
    }

    // ---------------------------------------------------------------- direct state access

    public JsonObject CreateNode(JsonObject node) => _store.CreateNode(node);

    public JsonObject CreateNode(string name, IEnumerable<string>? podCidrs = null, IDictionary<string, string>? labels = null, IEnumerable<string>? finalizers = null)
    {
        var metadata = new JsonObject { ["name"] = name };
        if (labels is not null)
        {
            var labelObject = new JsonObject();
            foreach (var (key, value) in labels)
            {
                labelObject[key] = value;
            }

            metadata["labels"] = labelObject;
        }

        if (finalizers is not null)
        {
            metadata["finalizers"] = new JsonArray(finalizers.Select(f => (JsonNode?)JsonValue.Create(f)).ToArray());
        }

        var spec = new JsonObject();
        if (podCidrs is not null)
        {
            spec["podCIDRs"] = new JsonArray(podCidrs.Select(c => (JsonNode?)JsonValue.Create(c)).ToArray());
        }

        return _store.CreateNode(new JsonObject { ["apiVersion"] = "v1", ["kind"] = "Node", ["metadata"] = metadata, ["spec"] = spec });
    }

    public JsonObject? GetNode(string name) => _store.GetNode(name);

    public IReadOnlyList<JsonObject> ListNodes() => _store.AllNodes();

    /// <summary>Replace a node through the same path as PUT (resourceVersion in the object is a precondition when set).</summary>
    public JsonObject UpdateNode(string name, Func<JsonObject, JsonObject> mutate) => _store.UpdateNode(name, mutate);

    /// <summary>Same semantics as HTTP DELETE: with finalizers the node only gets a deletionTimestamp.</summary>
    public void DeleteNode(string name) => _store.DeleteNode(name, null, null);

    /// <summary>Removes every finalizer; a node with a deletionTimestamp is then deleted (a DELETED event), as on the real server.</summary>
    public void RemoveFinalizers(string name) => _store.UpdateNode(name, node =>
    {
        if (node["metadata"] is JsonObject metadata)
        {
            metadata.Remove("finalizers");
        }

        return node;
    });

    public JsonObject? GetLease(string ns, string name) => _store.GetNamespaced(ResourceKind.Lease, ns, name);

    public JsonObject? GetConfigMap(string ns, string name) => _store.GetNamespaced(ResourceKind.ConfigMap, ns, name);

    /// <summary>Creates a ConfigMap with the API server's validation (the namespace must be one of <see cref="EmulatorOptions.Namespaces"/>).</summary>
    public JsonObject CreateConfigMap(string ns, string name, IDictionary<string, string> data)
    {
        if (!Options.Namespaces.Contains(ns))
        {
            throw ApiStatus.NamespaceNotFound(ns);
        }

        var dataObject = new JsonObject();
        foreach (var (key, value) in data)
        {
            dataObject[key] = value;
        }

        var obj = new JsonObject { ["apiVersion"] = "v1", ["kind"] = "ConfigMap", ["metadata"] = new JsonObject { ["name"] = name }, ["data"] = dataObject };
        return _store.CreateNamespaced(ResourceKind.ConfigMap, ns, obj, ConfigMapRules.Normalize, ConfigMapRules.Validate);
    }

    /// <summary>Replaces a ConfigMap through the same path as PUT (a resourceVersion in the result is a precondition).</summary>
    public JsonObject UpdateConfigMap(string ns, string name, Func<JsonObject, JsonObject> mutate) =>
        _store.UpdateNamespaced(ResourceKind.ConfigMap, ns, name, mutate, ConfigMapRules.Normalize, ConfigMapRules.Validate);

    /// <summary>Creates a ClusterCIDR (networking.x-k8s.io/v1) with the API server's validation.</summary>
    public JsonObject CreateClusterCidr(string name, int perNodeHostBits, string? ipv4 = null, string? ipv6 = null, JsonObject? nodeSelector = null)
    {
        var spec = new JsonObject { ["perNodeHostBits"] = perNodeHostBits };
        if (ipv4 is not null)
        {
            spec["ipv4"] = ipv4;
        }

        if (ipv6 is not null)
        {
            spec["ipv6"] = ipv6;
        }

        if (nodeSelector is not null)
        {
            spec["nodeSelector"] = nodeSelector;
        }

        var obj = new JsonObject
        {
            ["apiVersion"] = "networking.x-k8s.io/v1",
            ["kind"] = "ClusterCIDR",
            ["metadata"] = new JsonObject { ["name"] = name },
            ["spec"] = spec,
        };
        return _store.CreateNamespaced(ResourceKind.ClusterCidr, "", obj, ClusterCidrRules.Normalize, ClusterCidrRules.Validate);
    }

    public JsonObject? GetClusterCidr(string name) => _store.GetNamespaced(ResourceKind.ClusterCidr, "", name);

    /// <summary>Same semantics as HTTP DELETE: with finalizers the object only becomes terminating.</summary>
    public void DeleteClusterCidr(string name) => _store.DeleteNamespaced(ResourceKind.ClusterCidr, "", name);

    public void CompactWatchHistory() => _store.Compact();

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync();
        using (var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5)))
        {
            try
            {
                await _app.StopAsync(timeout.Token);
            }
            catch (OperationCanceledException)
            {
                // Connections that did not close in time are abandoned; the process is a test host.
            }
        }

        await _app.DisposeAsync();
        _authority?.Dispose();
        _stopping.Dispose();
    }
}
