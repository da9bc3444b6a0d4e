using System.Text;
using System.Text.Json;

using CidrController.Kubernetes.Nodes;

using k8s;

namespace CidrController.Tests.Nodes;

/// <summary>The lean Node decoder keeps exactly what ObservedNode.From keeps from a whole V1Node.</summary>
public sealed class NodeJsonTests
{
    public static TheoryData<string, string, string, string[], bool> Nodes => new()
    {
        { "podCIDRs win over podCIDR", """{"metadata":{"name":"a","uid":"u1"},"spec":{"podCIDR":"10.0.0.0/24","podCIDRs":["10.0.0.0/24","fd00::/64"]}}""", "a", ["10.0.0.0/24", "fd00::/64"], false },
        { "podCIDR alone", """{"spec":{"podCIDR":"10.0.1.0/24"},"metadata":{"uid":"u1","name":"a"}}""", "a", ["10.0.1.0/24"], false },
        { "no spec", """{"kind":"Node","metadata":{"name":"a","uid":"u1"}}""", "a", [], false },
        { "empty podCIDR", """{"metadata":{"name":"a","uid":"u1"},"spec":{"podCIDR":"","podCIDRs":null}}""", "a", [], false },
        { "being deleted", """{"metadata":{"name":"a","uid":"u1","deletionTimestamp":"2026-11-26T06:00:00Z"},"spec":{}}""", "a", [], true },
        { "null deletionTimestamp", """{"metadata":{"name":"a","uid":"u1","deletionTimestamp":null}}""", "a", [], false },
        {
            "status, labels and unknown fields skipped",
            """{"apiVersion":"v1","metadata":{"name":"a","uid":"u1","labels":{"x":"y"},"managedFields":[{"a":{"b":[1,2,{}]}}]},"spec":{"taints":[{"key":"k"}],"podCIDRs":["10.0.2.0/24"],"future":{"podCIDRs":["1.1.1.1/32"]}},"status":{"spec":{"podCIDR":"9.9.9.0/24"},"images":[]}}""",
            "a", ["10.0.2.0/24"], false
        },
    };

    [Theory]
    [MemberData(nameof(Nodes))]
    public void ParsesANode(string why, string json, string name, string[] cidrs, bool deleting)
    {
        var node = NodeJson.ParseNode(Encoding.UTF8.GetBytes(json));
        Assert.True(node.Name == name && node.Uid == "u1" && node.PodCidrs.Select(c => c.ToString()).SequenceEqual(cidrs) && node.Deleting == deleting, why);
    }

    [Theory]
    [InlineData("""{"metadata":{"name":"a","uid":"u1"},"spec":{"podCIDRs":["10.0.0.0/24"]""")]
    [InlineData("""{"metadata":{"uid":"u1"}}""")]
    [InlineData("""[]""")]
    public void RefusesTruncatedOrNamelessNodes(string json) =>
        Assert.ThrowsAny<JsonException>(() => NodeJson.ParseNode(Encoding.UTF8.GetBytes(json)));

    [Fact]
    public void ParsesAListPage()
    {
        var page = NodeJson.ParseList("""{"kind":"NodeList","metadata":{"resourceVersion":"42","continue":"abc"},"items":[{"metadata":{"name":"a","uid":"1"}},{"metadata":{"name":"b","uid":"2"},"spec":{"podCIDRs":["10.0.0.0/24"]}}]}"""u8);
        Assert.Equal("42", page.ResourceVersion);
        Assert.Equal("abc", page.Continue);
        Assert.Equal(["a", "b"], page.Items.Select(n => n.Name));
        Assert.Equal(["10.0.0.0/24"], page.Items[1].PodCidrs.Select(c => c.ToString()));
    }

    [Fact]
    public void ParsesWatchEventsWhateverTheFieldOrder()
    {
        var modified = NodeJson.ParseWatchEvent("""{"object":{"metadata":{"name":"a","uid":"1","resourceVersion":"7"}},"type":"MODIFIED"}"""u8);
        Assert.Equal(WatchEventType.Modified, modified.Type);
        Assert.Equal("a", modified.Node!.Name);
        Assert.Equal("7", modified.ResourceVersion);

        var bookmark = NodeJson.ParseWatchEvent("""{"type":"BOOKMARK","object":{"kind":"Node","metadata":{"resourceVersion":"9"}}}"""u8);
        Assert.Equal(WatchEventType.Bookmark, bookmark.Type);
        Assert.Null(bookmark.Node);
        Assert.Equal("9", bookmark.ResourceVersion);

        var error = NodeJson.ParseWatchEvent("""{"type":"ERROR","object":{"kind":"Status","status":"Failure","message":"too old resource version: 1 (5)","reason":"Expired","code":410}}"""u8);
        Assert.Equal(WatchEventType.Error, error.Type);
        Assert.Equal(410, error.Error!.Code);
        Assert.Equal("Expired", error.Error.Reason);
    }

    [Theory]
    [InlineData("""{"type":"ADDED","object":{"metadata":{"name":"a""")]
    [InlineData("""{"type":"SOMETHING","object":{}}""")]
    [InlineData("""{"type":"ADDED"}""")]
    public void RefusesBrokenWatchLines(string line) =>
        Assert.ThrowsAny<JsonException>(() => NodeJson.ParseWatchEvent(Encoding.UTF8.GetBytes(line)));
}
