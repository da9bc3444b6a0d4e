using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using System.Text;

using k8s;
using k8s.Models;

using Xunit;

namespace CidrController.TestHarness;

/// <summary>
/// A real etcd and kube-apiserver on loopback, as envtest runs them: a fresh data directory, TLS from a CA made for
/// this run, a static admin token (group system:masters), service-account signing keys (so the TokenRequest API
/// works) and RBAC authorization. Use it as a collection fixture (one per collection, not per test) or through
/// <see cref="StartAsync"/>. Both processes are tethered to this one (<see cref="TetheredProcess"/>) and stopped by
/// pid on dispose. Tests that use it carry <see cref="RealControlPlaneFactAttribute"/>, so a machine without the
/// binaries skips them; there <see cref="InitializeAsync"/> starts nothing.
/// </summary>
public sealed class RealControlPlane : IAsyncLifetime, IDisposable
{
    /// <summary>The API server's Service range (<c>--service-cluster-ip-range</c>).</summary>
    public const string ServiceClusterIpRange = "10.96.0.0/16";

    /// <summary>Issuer and audience of service-account tokens.</summary>
    public const string ServiceAccountIssuer = "https://kubernetes.default.svc.cluster.local";

    private static readonly TimeSpan EtcdStartTimeout = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan ApiServerStartTimeout = TimeSpan.FromSeconds(120);
    private const int StartAttempts = 3; // a free port picked here can be taken before the binary binds it

    private TetheredProcess? _etcd;
    private TetheredProcess? _apiServer;
    private ControlPlaneCredentials? _credentials;
    private Uri? _serverUrl;
    private string? _workDirectory;

    public KubeBinaries Binaries => KubeBinaries.Find() ?? throw new InvalidOperationException(KubeBinaries.MissingReason);

    /// <summary>https://127.0.0.1:PORT/</summary>
    public Uri ServerUrl => _serverUrl ?? throw NotStarted();

    public string CaPem => Credentials.CaPem;

    public string AdminToken => Credentials.AdminToken;

    public ControlPlaneCredentials Credentials => _credentials ?? throw NotStarted();

    /// <summary>The run's temporary directory (etcd data, certificates, logs); removed on dispose.</summary>
    public string WorkDirectory => _workDirectory ?? throw NotStarted();

    /// <summary>An admin kubeconfig written at start.</summary>
    public string AdminKubeconfigPath => Path.Combine(WorkDirectory, "admin.kubeconfig");

    public int EtcdPid => _etcd?.Id ?? throw NotStarted();

    public int ApiServerPid => _apiServer?.Id ?? throw NotStarted();

    public string ApiServerLogPath => _apiServer?.LogPath ?? throw NotStarted();

    /// <summary>Starts a control plane outside xUnit (a benchmark, a recorder); dispose it to stop both processes.</summary>
    public static async Task<RealControlPlane> StartAsync(CancellationToken cancellationToken = default)
    {
        var controlPlane = new RealControlPlane();
        try
        {
            await controlPlane.StartCoreAsync(cancellationToken).ConfigureAwait(false);
            return controlPlane;
        }
        catch
        {
            controlPlane.Dispose();
            throw;
        }
    }

    public async Task InitializeAsync()
    {
        if (KubeBinaries.Find() is null)
        {
            return; // every test using it is skipped
        }

        await StartCoreAsync(CancellationToken.None).ConfigureAwait(false);
    }

    public Task DisposeAsync()
    {
        Dispose();
        return Task.CompletedTask;
    }

    public void Dispose()
    {
        // The API server first: it would otherwise log etcd connection errors while going down.
        _apiServer?.Dispose();
        _etcd?.Dispose();
        _apiServer = null;
        _etcd = null;
        if (_workDirectory is not null && Directory.Exists(_workDirectory))
        {
            try
            {
                Directory.Delete(_workDirectory, recursive: true);
            }
            catch (IOException)
            {
                // Left in the temp directory; nothing depends on it.
            }
        }
    }

    /// <summary>A kubeconfig for this server with <paramref name="token"/> (default: the admin token).</summary>
    public void WriteKubeconfig(string path, string? token = null)
    {
        var ca = Convert.ToBase64String(Encoding.ASCII.GetBytes(CaPem));
        File.WriteAllText(path, $"""
            apiVersion: v1
            kind: Config
            clusters:
            - name: real
              cluster:
                server: {ServerUrl.ToString().TrimEnd('/')}
                certificate-authority-data: {ca}
            users:
            - name: user
              user:
                token: {token ?? AdminToken}
            contexts:
            - name: real
              context:
                cluster: real
                user: user
            current-context: real

            """);
    }

    /// <summary>A KubernetesClient for this server that trusts its CA and sends <paramref name="token"/> (default: admin).</summary>
    public k8s.Kubernetes CreateClient(string? token = null) =>
        new(new KubernetesClientConfiguration
        {
            Host = ServerUrl.ToString(),
            AccessToken = token ?? AdminToken,
            SslCaCerts = [Credentials.LoadCa()],
        });

    /// <summary>A raw HTTP client for this server (base address set, CA trusted, bearer token sent).</summary>
    public HttpClient CreateHttpClient(string? token = null)
    {
        var ca = Credentials.LoadCa();
        var handler = new HttpClientHandler
        {
            ServerCertificateCustomValidationCallback = (_, certificate, _, errors) => IssuedBy(ca, certificate, errors),
        };
        var http = new HttpClient(handler, disposeHandler: true) { BaseAddress = ServerUrl, Timeout = TimeSpan.FromSeconds(30) };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token ?? AdminToken);
        return http;
    }

    /// <summary>A token for a ServiceAccount from the TokenRequest API (the account must exist).</summary>
    public async Task<string> CreateServiceAccountTokenAsync(
        string namespaceName, string serviceAccountName, TimeSpan? lifetime = null, CancellationToken cancellationToken = default)
    {
        using var client = CreateClient();
        var request = new Authenticationv1TokenRequest
        {
            Spec = new V1TokenRequestSpec
            {
                Audiences = [ServiceAccountIssuer],
                ExpirationSeconds = (long)(lifetime ?? TimeSpan.FromHours(1)).TotalSeconds,
            },
        };
        var response = await client.CreateNamespacedServiceAccountTokenAsync(
            request, serviceAccountName, namespaceName, cancellationToken: cancellationToken).ConfigureAwait(false);
        return response.Status.Token;
    }

    private async Task StartCoreAsync(CancellationToken cancellationToken)
    {
        var binaries = Binaries;
        _workDirectory = Directory.CreateTempSubdirectory("cidr-controller-kube-").FullName;
        _credentials = ControlPlaneCredentials.Create(_workDirectory);

        var etcdUrl = await StartWithRetriesAsync(
            "etcd", () => StartEtcd(binaries), url => EtcdHealthyAsync(url, cancellationToken), EtcdStartTimeout,
            started => _etcd = started, cancellationToken).ConfigureAwait(false);
        _serverUrl = await StartWithRetriesAsync(
            "kube-apiserver", () => StartApiServer(binaries, etcdUrl), url => ApiServerReadyAsync(url, cancellationToken),
            ApiServerStartTimeout, started => _apiServer = started, cancellationToken).ConfigureAwait(false);
        WriteKubeconfig(AdminKubeconfigPath);
    }

    private async Task<Uri> StartWithRetriesAsync(
        string name,
        Func<(TetheredProcess Process, Uri Url)> start,
        Func<Uri, Task<bool>> ready,
        TimeSpan timeout,
        Action<TetheredProcess> keep,
        CancellationToken cancellationToken)
    {
        var failures = new StringBuilder();
        for (var attempt = 1; attempt <= StartAttempts; attempt++)
        {
            var (process, url) = start();
            keep(process);
            var deadline = Stopwatch.GetTimestamp() + (long)(timeout.TotalSeconds * Stopwatch.Frequency);
            while (!process.HasExited && Stopwatch.GetTimestamp() < deadline)
            {
                if (await ready(url).ConfigureAwait(false))
                {
                    return url;
                }

                await Task.Delay(200, cancellationToken).ConfigureAwait(false);
            }

            var why = process.HasExited ? "exited" : $"not ready after {timeout.TotalSeconds:0} s";
            failures.AppendLine(CultureInfo.InvariantCulture, $"attempt {attempt}: {name} {why}; log tail:\n{process.LogTail()}");
            process.Dispose();
        }

        throw new InvalidOperationException($"{name} did not start.\n{failures}");
    }

    private (TetheredProcess, Uri) StartEtcd(KubeBinaries binaries)
    {
        var clientPort = LoopbackPort.Free();
        var peerPort = LoopbackPort.Free();
        var client = $"http://127.0.0.1:{clientPort}";
        var peer = $"http://127.0.0.1:{peerPort}";
        var data = Path.Combine(WorkDirectory, $"etcd-{clientPort}");
        var process = TetheredProcess.Start(
            binaries.Etcd,
            [
                "--name=test", $"--data-dir={data}",
                $"--listen-client-urls={client}", $"--advertise-client-urls={client}",
                $"--listen-peer-urls={peer}", $"--initial-advertise-peer-urls={peer}",
                $"--initial-cluster=test={peer}", "--initial-cluster-state=new",
                // Tests write little and need no durability beyond the run.
                "--unsafe-no-fsync=true", "--quota-backend-bytes=2147483648",
            ],
            Path.Combine(WorkDirectory, "etcd.log"));
        return (process, new Uri(client));
    }

    private (TetheredProcess, Uri) StartApiServer(KubeBinaries binaries, Uri etcdUrl)
    {
        var port = LoopbackPort.Free();
        var credentials = Credentials;
        var process = TetheredProcess.Start(
            binaries.ApiServer,
            [
                $"--etcd-servers={etcdUrl.ToString().TrimEnd('/')}",
                "--bind-address=127.0.0.1", $"--secure-port={port}", "--advertise-address=127.0.0.1",
                // The server refuses a loopback address in the kubernetes Endpoints it would otherwise maintain.
                "--endpoint-reconciler-type=none",
                $"--tls-cert-file={credentials.ServerCertificateFile}", $"--tls-private-key-file={credentials.ServerKeyFile}",
                $"--client-ca-file={credentials.CaFile}",
                $"--token-auth-file={credentials.TokenFile}",
                $"--service-account-key-file={credentials.ServiceAccountPublicKeyFile}",
                $"--service-account-signing-key-file={credentials.ServiceAccountSigningKeyFile}",
                $"--service-account-issuer={ServiceAccountIssuer}", $"--api-audiences={ServiceAccountIssuer}",
                $"--service-cluster-ip-range={ServiceClusterIpRange}",
                "--authorization-mode=RBAC", "--allow-privileged=true", "--v=1",
                $"--cert-dir={Path.Combine(WorkDirectory, "apiserver-certs")}",
            ],
            Path.Combine(WorkDirectory, "kube-apiserver.log"));
        return (process, new Uri($"https://127.0.0.1:{port}/"));
    }

    private static async Task<bool> EtcdHealthyAsync(Uri url, CancellationToken cancellationToken)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        try
        {
            var body = await http.GetStringAsync(new Uri(url, "health"), cancellationToken).ConfigureAwait(false);
            return body.Contains("\"health\":\"true\"", StringComparison.Ordinal);
        }
        catch (HttpRequestException)
        {
            return false;
        }
        catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return false;
        }
    }

    private async Task<bool> ApiServerReadyAsync(Uri url, CancellationToken cancellationToken)
    {
        _serverUrl = url;
        using var http = CreateHttpClient();
        http.Timeout = TimeSpan.FromSeconds(5);
        try
        {
            using var response = await http.GetAsync(new Uri("readyz", UriKind.Relative), cancellationToken).ConfigureAwait(false);
            return response.StatusCode == HttpStatusCode.OK;
        }
        catch (HttpRequestException)
        {
            return false;
        }
        catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return false;
        }
    }

    private static bool IssuedBy(X509Certificate2 ca, X509Certificate2? certificate, SslPolicyErrors errors)
    {
        if (certificate is null || (errors & ~SslPolicyErrors.RemoteCertificateChainErrors) != SslPolicyErrors.None)
        {
            return false;
        }

        return CertificateChain.ChainsTo(certificate, ca);
    }

    private static InvalidOperationException NotStarted() =>
        new("the real control plane is not running (binaries absent, or InitializeAsync not called)");
}
