using System.Text.Json;

using CidrController.Allocation;

namespace CidrController.Kubernetes.Pools;

/// <summary>
/// A ClusterCIDR object (networking.x-k8s.io/v1, wire-compatible with kubernetes-sigs/node-ipam-controller):
/// a pool of node blocks with its own block size, for the nodes its selector picks.
/// </summary>
internal sealed record ClusterCidrPool(
    string Name,
    string Uid,
    PoolNodeSelector Selector,
    int PerNodeHostBits,
    IpBlock? Ipv4,
    IpBlock? Ipv6,
    bool Deleting,
    IReadOnlyList<string> Finalizers)
{
    public const string Group = "networking.x-k8s.io";
    public const string Version = "v1";
    public const string Plural = "clustercidrs";

    /// <summary>Held while nodes use the pool, so deleting it waits for them (node-ipam-controller's finalizer).</summary>
    public const string Finalizer = "networking.x-k8s.io/cluster-cidr-finalizer";

    /// <summary>node-ipam-controller refuses smaller per-node blocks (16 addresses).</summary>
    public const int MinPerNodeHostBits = 4;

    /// <summary>The pool's ranges: IPv4 then IPv6, each carved at (address bits − perNodeHostBits).</summary>
    public IReadOnlyList<RangeSpec> Ranges
    {
        get
        {
            var ranges = new List<RangeSpec>(2);
            if (Ipv4 is { } v4)
            {
                ranges.Add(new RangeSpec(v4, 32 - PerNodeHostBits));
            }

            if (Ipv6 is { } v6)
            {
                ranges.Add(new RangeSpec(v6, 128 - PerNodeHostBits));
            }

            return ranges;
        }
    }

    /// <summary>node-ipam-controller's second precedence rule compares the smaller family's block count.</summary>
    public UInt128 MaxBlocks => Ranges.Select(r => BlockCount(r)).Min();

    /// <summary>The block size used by the third precedence rule (IPv4's when the pool has one).</summary>
    public int NodeMaskSize => Ranges[0].NodeMaskSize;

    /// <summary>The CIDR used by the last tie-break (IPv4's when the pool has one).</summary>
    public string CidrLabel => Ranges[0].Cluster.ToString();

    /// <summary>Reads a ClusterCIDR object; false with a one-line reason when it is not a usable pool.</summary>
    public static bool TryParse(JsonElement clusterCidr, out ClusterCidrPool pool, out string problem)
    {
        var read = ClusterCidrObject.Read(clusterCidr);
        pool = read.Pool!;
        problem = read.Problem;
        return read.Pool is not null;
    }

    /// <summary>Reads the spec of an object whose metadata is already read.</summary>
    internal static bool TryParse(ClusterCidrObject metadata, JsonElement spec, out ClusterCidrPool pool, out string problem)
    {
        pool = null!;
        if (spec.ValueKind != JsonValueKind.Object)
        {
            problem = "spec is missing";
            return false;
        }

        if (!spec.TryGetProperty("perNodeHostBits", out var bitsElement) || !bitsElement.TryGetInt32(out var bits) || bits < MinPerNodeHostBits)
        {
            problem = $"spec.perNodeHostBits must be an integer of at least {MinPerNodeHostBits}";
            return false;
        }

        if (!TryFamily(spec, "ipv4", IpFamily.IPv4, bits, out var ipv4, out problem) || !TryFamily(spec, "ipv6", IpFamily.IPv6, bits, out var ipv6, out problem))
        {
            return false;
        }

        if (ipv4 is null && ipv6 is null)
        {
            problem = "a CIDR must be specified for ipv4 or ipv6";
            return false;
        }

        if (!TrySelector(spec, out var selector, out problem))
        {
            return false;
        }

        pool = new ClusterCidrPool(metadata.Name, metadata.Uid, selector, bits, ipv4, ipv6, metadata.Deleting, metadata.Finalizers);
        problem = "";
        return true;
    }

    private static bool TryFamily(JsonElement spec, string field, IpFamily family, int bits, out IpBlock? block, out string problem)
    {
        block = null;
        problem = "";
        var text = String(spec, field);
        if (string.IsNullOrEmpty(text))
        {
            return true;
        }

        if (!IpBlock.TryParse(text, out var parsed, out var error))
        {
            problem = $"spec.{field} must be a valid {family} CIDR: {error}";
            return false;
        }

        if (parsed.Family != family)
        {
            problem = $"spec.{field} must be a valid {family} CIDR: {text} is {parsed.Family}";
            return false;
        }

        if (parsed.PrefixLength > parsed.MaxPrefixLength - bits)
        {
            problem = $"spec.{field} {parsed} is smaller than one node block (perNodeHostBits {bits} needs a prefix of at most /{parsed.MaxPrefixLength - bits})";
            return false;
        }

        block = parsed;
        return true;
    }

    private static bool TrySelector(JsonElement spec, out PoolNodeSelector selector, out string problem)
    {
        selector = PoolNodeSelector.Everything;
        problem = "";
        if (!spec.TryGetProperty("nodeSelector", out var nodeSelector) || nodeSelector.ValueKind == JsonValueKind.Null)
        {
            return true;
        }

        if (!nodeSelector.TryGetProperty("nodeSelectorTerms", out var terms) || terms.ValueKind != JsonValueKind.Array || terms.GetArrayLength() == 0)
        {
            problem = "spec.nodeSelector.nodeSelectorTerms is required and must not be empty";
            return false;
        }

        var parsed = new List<NodeSelectorTerm>();
        foreach (var term in terms.EnumerateArray())
        {
            var expressions = Requirements(term, "matchExpressions");
            var fields = Requirements(term, "matchFields");
            var invalid = expressions.Concat(fields).Select(r => r.Problem).FirstOrDefault(p => p is not null)
                ?? fields.Where(r => r.Key != "metadata.name" || r.Operator is not ("In" or "NotIn")).Select(r => $"{r.Key}: matchFields supports only metadata.name with In or NotIn").FirstOrDefault();
            if (invalid is not null)
            {
                problem = $"spec.nodeSelector: {invalid}";
                return false;
            }

            parsed.Add(new NodeSelectorTerm(expressions, fields));
        }

        selector = new PoolNodeSelector(parsed);
        return true;
    }

    private static List<NodeSelectorRequirement> Requirements(JsonElement term, string field)
    {
        var requirements = new List<NodeSelectorRequirement>();
        if (term.ValueKind != JsonValueKind.Object || !term.TryGetProperty(field, out var list) || list.ValueKind != JsonValueKind.Array)
        {
            return requirements;
        }

        foreach (var r in list.EnumerateArray())
        {
            var values = r.TryGetProperty("values", out var v) && v.ValueKind == JsonValueKind.Array ? v.EnumerateArray().Select(e => e.GetString() ?? "").ToArray() : [];
            requirements.Add(new NodeSelectorRequirement(String(r, "key") ?? "", String(r, "operator") ?? "", values));
        }

        return requirements;
    }

    /// <summary>A string property of a JSON object, or null (absent, null, another type, or not an object).</summary>
    internal static string? String(JsonElement element, string property) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(property, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private static UInt128 BlockCount(RangeSpec range)
    {
        var bits = range.NodeMaskSize - range.Cluster.PrefixLength;
        return bits >= 128 ? UInt128.MaxValue : UInt128.One << bits;
    }
}
