using System.Net;
using System.Text;

using CidrController.Kubernetes.Api;
using CidrController.Kubernetes.Nodes;

using k8s;

namespace CidrController.Tests.Api;

/// <summary>An answer that is valid JSON of the wrong shape is an API failure (retried), never a crash of the term.</summary>
public sealed class MalformedAnswerTests
{
    [Theory]
    [InlineData("a number where a name belongs", """{"kind":"NodeList","metadata":{"resourceVersion":"1"},"items":[{"metadata":{"name":7}}]}""")]
    [InlineData("an object where podCIDRs belong", """{"kind":"NodeList","metadata":{"resourceVersion":"1"},"items":[{"metadata":{"name":"n"},"spec":{"podCIDRs":{"a":1}}}]}""")]
    [InlineData("a number where the resourceVersion belongs", """{"kind":"NodeList","metadata":{"resourceVersion":5},"items":[]}""")]
    [InlineData("a podCIDR that is not a string", """{"kind":"NodeList","metadata":{"resourceVersion":"1"},"items":[{"metadata":{"name":"n"},"spec":{"podCIDRs":[true]}}]}""")]
    public async Task A_node_list_of_the_wrong_shape_fails_as_an_API_failure(string what, string body)
    {
        using var client = new ControllerKubernetesClient(new KubernetesClientConfiguration { Host = "http://127.0.0.1:9" }, TimeSpan.FromSeconds(5), new CannedAnswer(body));
        var nodes = new LeanNodeClient(client);

        var e = await Record.ExceptionAsync(() => nodes.ListAsync(500, null, CancellationToken.None));

        Assert.True(e is not null && ApiFailure.Is(e), $"{what}: {e?.GetType().Name}: {e?.Message}");
    }

    private sealed class CannedAnswer(string body) : DelegatingHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken) =>
            Task.FromResult(new HttpResponseMessage(HttpStatusCode.OK) { Content = new StringContent(body, Encoding.UTF8, "application/json") });
    }
}
