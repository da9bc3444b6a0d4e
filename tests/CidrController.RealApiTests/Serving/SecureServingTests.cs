using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using System.Text;

using CidrController.TestHarness;

using k8s;
using k8s.Autorest;
using k8s.Models;

namespace CidrController.RealApiTests.Serving;

/// <summary>
/// The HTTPS port as a scraper, a probe and an attacker see it, with the real API server answering the
/// TokenReviews and SubjectAccessReviews: who gets 401, 403 and 200, and which certificate is served.
/// </summary>
[Collection(RealControlPlaneCollection.Name)]
public sealed class SecureServingTests(RealControlPlane controlPlane) : IDisposable
{
    private const string Namespace = "secure-serving";
    private const string MetricsReaderRole = "secure-serving-metrics-reader";

    private readonly RealCluster _cluster = new(controlPlane);

    [RealControlPlaneFact]
    public async Task Metrics_need_a_token_whose_user_RBAC_allows_get_on_the_metrics_path()
    {
        var reader = await ServiceAccountTokenAsync("metrics-reader", mayReadMetrics: true);
        var stranger = await ServiceAccountTokenAsync("no-metrics-rule", mayReadMetrics: false);
        var deleted = await ServiceAccountTokenAsync("deleted-account", mayReadMetrics: true);
        await _cluster.Admin.DeleteNamespacedServiceAccountAsync("deleted-account", Namespace);
        var (controller, secure) = await StartAsync();
        await using (controller)
        {
            Assert.Equal(HttpStatusCode.Unauthorized, (await GetAsync(secure, "metrics", token: null)).Status);
            Assert.Equal(HttpStatusCode.Unauthorized, (await GetAsync(secure, "metrics", token: "not-a-token")).Status);
            Assert.Equal(HttpStatusCode.Unauthorized, (await GetAsync(secure, "metrics", token: deleted)).Status);
            var forbidden = await GetAsync(secure, "metrics", stranger);
            Assert.Equal(HttpStatusCode.Forbidden, forbidden.Status);
            Assert.Contains($"system:serviceaccount:{Namespace}:no-metrics-rule", forbidden.Body, StringComparison.Ordinal);

            var allowed = await GetAsync(secure, "metrics", reader);
            Assert.Equal(HttpStatusCode.OK, allowed.Status);
            Assert.Contains("# TYPE node_ipam_controller_cidrset_max_cidrs gauge", allowed.Body, StringComparison.Ordinal);

            // The rule is for /metrics only: the same user is refused elsewhere, and no path leaks whether it exists.
            Assert.Equal(HttpStatusCode.Forbidden, (await GetAsync(secure, "metrics/extra", reader)).Status);
            Assert.Equal(HttpStatusCode.Forbidden, (await GetAsync(secure, "debug/pprof", reader)).Status);
        }
    }

    [RealControlPlaneFact]
    public async Task Health_paths_answer_200_without_a_token_and_ignore_a_bad_one()
    {
        var (controller, secure) = await StartAsync();
        await using (controller)
        {
            foreach (var path in new[] { "healthz", "readyz", "livez" })
            {
                Assert.Equal(HttpStatusCode.OK, (await GetAsync(secure, path, token: null)).Status);
                Assert.Equal(HttpStatusCode.OK, (await GetAsync(secure, path, token: "not-a-token")).Status);
            }
        }
    }

    [RealControlPlaneFact]
    public async Task Without_a_given_certificate_a_self_signed_one_for_loopback_is_made_and_kept_in_the_cert_dir()
    {
        var directory = Directory.CreateTempSubdirectory("cidr-controller-cert-dir-").FullName;
        var (controller, secure) = await StartAsync($"--cert-dir={directory}");
        await using (controller)
        {
            var served = (await GetAsync(secure, "healthz", token: null)).Certificate!;
            Assert.Equal(served.Subject, served.Issuer);
            Assert.True(served.MatchesHostname("127.0.0.1"), served.Subject);
            Assert.True(served.MatchesHostname("localhost"), served.Subject);
            using var kept = X509Certificate2.CreateFromPem(File.ReadAllText(Path.Combine(directory, "cidr-controller.crt")));
            Assert.Equal(kept.Thumbprint, served.Thumbprint);
            if (!OperatingSystem.IsWindows())
            {
                Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Path.Combine(directory, "cidr-controller.key")));
            }
        }

        // The next start reuses the pair, as kube-controller-manager does with its --cert-dir.
        var (again, secureAgain) = await StartAsync($"--cert-dir={directory}");
        await using (again)
        {
            using var kept = X509Certificate2.CreateFromPem(File.ReadAllText(Path.Combine(directory, "cidr-controller.crt")));
            Assert.Equal(kept.Thumbprint, (await GetAsync(secureAgain, "healthz", token: null)).Certificate!.Thumbprint);
        }
    }

    [RealControlPlaneFact]
    public async Task A_given_certificate_is_served_and_reloaded_when_its_files_change()
    {
        using var certificates = new TestCertificates();
        var directory = Directory.CreateTempSubdirectory("cidr-controller-tls-").FullName;
        var (certificatePath, keyPath) = (Path.Combine(directory, "tls.crt"), Path.Combine(directory, "tls.key"));
        certificates.WriteServing("first", certificatePath, keyPath);
        var (controller, secure) = await StartAsync($"--tls-cert-file={certificatePath}", $"--tls-private-key-file={keyPath}");
        await using (controller)
        {
            var first = await GetAsync(secure, "healthz", token: null, trust: certificates.Trusts);
            Assert.Equal(HttpStatusCode.OK, first.Status);
            Assert.Equal("CN=first", first.Certificate!.Subject);

            certificates.WriteServing("second", certificatePath, keyPath);
            await RealCluster.EventuallyAsync(
                async () => (await GetAsync(secure, "healthz", token: null, trust: certificates.Trusts)).Certificate!.Subject == "CN=second",
                "the renewed certificate was never served", controller);
            Assert.False(controller.HasExited);
            // Logged before the handshake that served it, but read from the child's output pipe, which can lag.
            await RealCluster.EventuallyAsync(
                () => Task.FromResult(controller.Output.Contains("Reloaded the serving certificate", StringComparison.Ordinal)),
                "the reload of the serving certificate is not logged", controller);
        }
    }

    [RealControlPlaneFact]
    public async Task A_certificate_file_that_cannot_be_read_at_start_is_one_clear_line_and_exit_1()
    {
        var missing = Path.Combine(controlPlane.WorkDirectory, "missing.crt");
        await using var controller = _cluster.StartController(
            "--allocate-node-cidrs=false", "--bind-address=127.0.0.1", $"--secure-port={LoopbackPort.Free()}",
            $"--tls-cert-file={missing}", $"--tls-private-key-file={missing}.key");
        Assert.Equal(1, await controller.WaitForExitAsync(TimeSpan.FromSeconds(60)));
        Assert.Contains($"cidr-controller: cannot load --tls-cert-file {missing}", controller.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", controller.Output, StringComparison.Ordinal);
    }

    [RealControlPlaneFact]
    public async Task A_fuzz_of_paths_methods_and_headers_never_gets_a_500_or_a_stack_trace()
    {
        var reader = await ServiceAccountTokenAsync("fuzz-reader", mayReadMetrics: true);
        var (controller, secure) = await StartAsync();
        await using (controller)
        {
            var random = new Random(1313);
            string[] paths = ["metrics", "healthz", "readyz/", "livez?verbose", "%2e%2e/%2e%2e/etc/passwd", "metrics%00", "//metrics", "./metrics", "metrics#x",
                "%ff%fe", "healthz/../metrics", "a%2Fb", new string('a', 6000), "metrics?" + new string('x', 3000), "\u00e9t\u00e9", "%"];
            string[] methods = ["GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS", "TRACE", "PROPFIND"];
            string?[] authorizations = [null, "Bearer", "Bearer ", "Bearer  " + reader, "bearer " + reader, "Basic YWRtaW46YWRtaW4=", "Bearer " + new string('t', 9000),
                "Bearer a.b.c", "Bearer " + reader + "x", "Negotiate x", "Bearer \"quoted\"", "Bearer \t" + reader];
            for (var i = 0; i < 200; i++)
            {
                var response = await GetAsync(secure, paths[random.Next(paths.Length)], token: null,
                    method: new HttpMethod(methods[random.Next(methods.Length)]), authorization: authorizations[random.Next(authorizations.Length)],
                    extraHeader: random.Next(3) == 0 ? ("X-Remote-User", "system:admin") : random.Next(2) == 0 ? ("Impersonate-User", "admin") : null);
                AssertSane(response.Status, response.Body);
            }

            // What HttpClient would never send: malformed request lines and headers, straight over TLS.
            string[] raw =
            [
                "GET /metrics HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer \u0001\r\n\r\n",
                "GET /metrics HTTP/1.1\r\nAuthorization: Bearer a\r\nAuthorization: Bearer b\r\nHost: x\r\n\r\n",
                "GET metrics HTTP/1.1\r\nHost: x\r\n\r\n",
                "GET /metrics HTTP/9.9\r\nHost: x\r\n\r\n",
                "GET /metrics\r\n\r\n",
                "\r\n\r\n",
                "GET /metrics HTTP/1.1\r\nHost: x\r\nContent-Length: -1\r\n\r\n",
                "GET /metrics HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
                "GET /\u0000 HTTP/1.1\r\nHost: x\r\n\r\n",
                "GET /metrics HTTP/1.0\r\n\r\n",
                "GET /metrics HTTP/1.1\r\nHost: x\r\nX: " + new string('y', 40000) + "\r\n\r\n",
                "CONNECT 127.0.0.1:1 HTTP/1.1\r\nHost: 127.0.0.1:1\r\n\r\n",
            ];
            foreach (var request in raw)
            {
                var answer = await RawAsync(secure, request);
                Assert.DoesNotMatch(@"^HTTP/1\.[01] 500", answer); // 505 for HTTP/9.9 is an answer, not a failure
                Assert.DoesNotContain("   at ", answer, StringComparison.Ordinal);
            }

            Assert.False(controller.HasExited, controller.Output);
            Assert.Equal(HttpStatusCode.OK, (await GetAsync(secure, "metrics", reader)).Status);
        }
    }

    public void Dispose() => _cluster.Dispose();

    private static void AssertSane(HttpStatusCode status, string body)
    {
        Assert.True(status != HttpStatusCode.InternalServerError, $"{(int)status}: {body}");
        Assert.DoesNotContain("   at ", body, StringComparison.Ordinal);
        Assert.DoesNotContain("Exception", body, StringComparison.Ordinal);
    }

    /// <summary>The controller with HTTPS on a free loopback port (allocation off: these scenarios are about serving).</summary>
    private async Task<(ControllerProcess Controller, Uri Secure)> StartAsync(params string[] flags)
    {
        var port = LoopbackPort.Free();
        var controller = _cluster.StartController(["--allocate-node-cidrs=false", "--bind-address=127.0.0.1", $"--secure-port={port}", .. flags]);
        Assert.True(await controller.WaitReadyAsync(TimeSpan.FromSeconds(60)), controller.Output);
        return (controller, new Uri($"https://127.0.0.1:{port}/"));
    }

    /// <summary>A TokenRequest token of a ServiceAccount, bound to the /metrics reader role when asked; waits until RBAC says so.</summary>
    private async Task<string> ServiceAccountTokenAsync(string account, bool mayReadMetrics)
    {
        await IgnoreConflictAsync(() => _cluster.Admin.CreateNamespaceAsync(new V1Namespace { Metadata = new V1ObjectMeta { Name = Namespace } }));
        await IgnoreConflictAsync(() => _cluster.Admin.CreateNamespacedServiceAccountAsync(new V1ServiceAccount { Metadata = new V1ObjectMeta { Name = account } }, Namespace));
        if (mayReadMetrics)
        {
            await IgnoreConflictAsync(() => _cluster.Admin.CreateClusterRoleAsync(new V1ClusterRole
            {
                Metadata = new V1ObjectMeta { Name = MetricsReaderRole },
                Rules = [new V1PolicyRule { NonResourceURLs = ["/metrics"], Verbs = ["get"] }],
            }));
            await IgnoreConflictAsync(() => _cluster.Admin.CreateClusterRoleBindingAsync(new V1ClusterRoleBinding
            {
                Metadata = new V1ObjectMeta { Name = $"{MetricsReaderRole}-{account}" },
                RoleRef = new V1RoleRef { ApiGroup = "rbac.authorization.k8s.io", Kind = "ClusterRole", Name = MetricsReaderRole },
                Subjects = [new Rbacv1Subject { Kind = "ServiceAccount", Name = account, NamespaceProperty = Namespace }],
            }));
            // The API server's RBAC cache follows writes shortly after: wait, so the controller's first review is already "allowed".
            await RealCluster.EventuallyAsync(async () => (await _cluster.Admin.CreateSubjectAccessReviewAsync(new V1SubjectAccessReview
            {
                Spec = new V1SubjectAccessReviewSpec
                {
                    User = $"system:serviceaccount:{Namespace}:{account}",
                    NonResourceAttributes = new V1NonResourceAttributes { Path = "/metrics", Verb = "get" },
                },
            })).Status.Allowed, $"RBAC never allowed {account} to get /metrics");
        }

        return await controlPlane.CreateServiceAccountTokenAsync(Namespace, account);
    }

    private static async Task IgnoreConflictAsync(Func<Task> create)
    {
        try
        {
            await create();
        }
        catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.Conflict)
        {
        }
    }

    /// <summary>One request on a new connection (so a reloaded certificate is seen); the served certificate is returned.</summary>
    internal static async Task<(HttpStatusCode Status, string Body, X509Certificate2? Certificate)> GetAsync(
        Uri secure, string path, string? token, Func<X509Certificate2, bool>? trust = null, HttpMethod? method = null,
        string? authorization = null, (string Name, string Value)? extraHeader = null)
    {
        X509Certificate2? served = null;
        using var handler = new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.Zero };
        handler.SslOptions.RemoteCertificateValidationCallback = (_, certificate, _, _) =>
        {
            served = X509CertificateLoader.LoadCertificate(certificate!.GetRawCertData());
            return trust?.Invoke(served) ?? true; // the self-signed certificate is checked by the test itself
        };
        using var http = new HttpClient(handler) { Timeout = TimeSpan.FromSeconds(20) };
        using var request = new HttpRequestMessage(method ?? HttpMethod.Get, secure + path);
        authorization ??= token is null ? null : "Bearer " + token;
        if (authorization is not null)
        {
            request.Headers.TryAddWithoutValidation("Authorization", authorization);
        }

        if (extraHeader is { } header)
        {
            request.Headers.TryAddWithoutValidation(header.Name, header.Value);
        }

        using var response = await http.SendAsync(request);
        return (response.StatusCode, await response.Content.ReadAsStringAsync(), served);
    }

    private static async Task<string> RawAsync(Uri secure, string request)
    {
        using var tcp = new TcpClient();
        await tcp.ConnectAsync(secure.Host, secure.Port);
        // The raw requests go to the controller's own self-signed certificate; what is under test is the answer.
#pragma warning disable CA5359
        await using var tls = new SslStream(tcp.GetStream(), false, (_, _, _, _) => true);
#pragma warning restore CA5359
        await tls.AuthenticateAsClientAsync("127.0.0.1");
        await tls.WriteAsync(Encoding.Latin1.GetBytes(request));
        await tls.FlushAsync();
        var buffer = new byte[8192];
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        var answer = new StringBuilder();
        try
        {
            int read;
            while ((read = await tls.ReadAsync(buffer, timeout.Token)) > 0)
            {
                answer.Append(Encoding.Latin1.GetString(buffer, 0, read));
                if (answer.ToString().Contains("\r\n\r\n", StringComparison.Ordinal))
                {
                    break;
                }
            }
        }
        catch (Exception e) when (e is IOException or OperationCanceledException)
        {
            // Kestrel may close the connection instead of answering a request it cannot parse: that is fine.
        }

        return answer.ToString();
    }
}
