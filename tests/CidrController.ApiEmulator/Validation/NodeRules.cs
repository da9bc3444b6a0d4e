using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text.Json.Nodes;

namespace CidrController.ApiEmulator.Validation;

/// <summary>
/// What kube-apiserver does to a Node on the way in (v1→internal conversion, defaulting) and its validation of
/// podCIDR/podCIDRs: consistency between the two, CIDR syntax, families, duplicates, immutability.
/// </summary>
internal static class NodeRules
{
    private const string PodCidrsField = "spec.podCIDRs";
    private const string ImmutableMessage = "node updates may not change podCIDR except from \"\" to valid";

    private static readonly string[] NodeInfoFields =
    [
        "machineID", "systemUUID", "bootID", "kernelVersion", "osImage", "containerRuntimeVersion",
        "kubeletVersion", "kubeProxyVersion", "operatingSystem", "architecture",
    ];

    /// <summary>
    /// Applies the v1→internal→v1 round trip the real server performs: the internal type has only podCIDRs, and
    /// upstream's conversion lets a non-empty podCIDR win when it disagrees with podCIDRs[0] (golden
    /// <c>patch-smp-mismatch</c>); on the way out podCIDR is podCIDRs[0]. Also adds the status fields Go's
    /// non-omitempty structs always serialize, and fixes kind/apiVersion.
    /// </summary>
    public static void Normalize(JsonObject node)
    {
        node["kind"] = "Node";
        node["apiVersion"] = "v1";
        var spec = node["spec"] as JsonObject ?? [];
        node["spec"] = spec;
        var podCidr = WireShape.GetString(spec, "podCIDR", "NodeSpec.spec.podCIDR") ?? "";
        var podCidrs = WireShape.GetStringList(spec, "podCIDRs", "NodeSpec.spec.podCIDRs");
        var effective = EffectivePodCidrs(podCidr, podCidrs);
        spec.Remove("podCIDR");
        spec.Remove("podCIDRs");
        var rest = spec.ToList();
        spec.Clear();
        if (effective.Count > 0)
        {
            spec["podCIDR"] = effective[0];
            spec["podCIDRs"] = new JsonArray(effective.Select(c => (JsonNode?)JsonValue.Create(c)).ToArray());
        }

        foreach (var (key, value) in rest)
        {
            spec[key] = value;
        }

        var status = node["status"] as JsonObject ?? [];
        node["status"] = status;
        var daemonEndpoints = status["daemonEndpoints"] as JsonObject ?? [];
        status["daemonEndpoints"] = daemonEndpoints;
        var kubeletEndpoint = daemonEndpoints["kubeletEndpoint"] as JsonObject ?? [];
        daemonEndpoints["kubeletEndpoint"] = kubeletEndpoint;
        kubeletEndpoint["Port"] ??= 0;
        var nodeInfo = status["nodeInfo"] as JsonObject ?? [];
        status["nodeInfo"] = nodeInfo;
        foreach (var field in NodeInfoFields)
        {
            nodeInfo[field] ??= "";
        }

        WireShape.Canonicalize(node);
    }

    public static List<string> EffectivePodCidrs(string podCidr, List<string> podCidrs)
    {
        if (podCidr.Length == 0 || (podCidrs.Count > 0 && podCidrs[0] == podCidr))
        {
            return podCidrs;
        }

        return [podCidr];
    }

    public static List<string> PodCidrs(JsonObject node) =>
        node["spec"] is JsonObject spec ? WireShape.GetStringList(spec, "podCIDRs", "NodeSpec.spec.podCIDRs") : [];

    /// <summary>ValidateNode (the parts that matter here), in upstream's order.</summary>
    public static List<FieldError> Validate(JsonObject node)
    {
        var metadata = WireShape.Metadata(node);
        var errors = NameRules.ValidateMetadataName(
            WireShape.GetString(metadata, "name", "ObjectMeta.metadata.name") ?? "",
            WireShape.GetString(metadata, "generateName", "ObjectMeta.metadata.generateName")).ToList();
        WireShape.GetLabels(metadata);
        WireShape.GetStringList(metadata, "finalizers", "ObjectMeta.metadata.finalizers");

        var cidrs = PodCidrs(node);
        if (cidrs.Count == 0)
        {
            return errors;
        }

        var goValue = FieldError.GoStringSlice(cidrs);
        var families = new List<AddressFamily?>();
        for (var i = 0; i < cidrs.Count; i++)
        {
            var family = ParseCidrFamily(cidrs[i]);
            families.Add(family);
            if (family is null)
            {
                errors.Add(FieldError.Invalid($"{PodCidrsField}[{i}]", goValue, "must be valid CIDR"));
            }
        }

        if (cidrs.Count > 1)
        {
            var unparsable = families.Any(f => f is null);
            if (unparsable)
            {
                errors.Add(FieldError.Internal(PodCidrsField, "invalid PodCIDRs. failed to check with dual stack with error:invalid CIDR address"));
            }

            var dualStack = !unparsable && cidrs.Count == 2 && families[0] != families[1];
            if (!dualStack)
            {
                errors.Add(FieldError.Invalid(PodCidrsField, goValue, "may specify no more than one CIDR for each IP family"));
            }
        }

        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < cidrs.Count; i++)
        {
            if (!seen.Add(cidrs[i]))
            {
                errors.Add(FieldError.Duplicate($"{PodCidrsField}[{i}]", FieldError.GoString(cidrs[i])));
            }
        }

        return errors;
    }

    /// <summary>ValidateNode then ValidateNodeUpdate, as the node strategy does: the order of causes matches the real server.</summary>
    public static List<FieldError> ValidateUpdate(JsonObject node, JsonObject old)
    {
        var errors = Validate(node);
        var name = WireShape.Name(node);
        var oldName = WireShape.Name(old);
        if (name != oldName)
        {
            errors.Insert(0, FieldError.Invalid("metadata.name", FieldError.GoString(name), "field is immutable"));
        }

        var oldCidrs = PodCidrs(old);
        if (oldCidrs.Count > 0)
        {
            var newCidrs = PodCidrs(node);
            if (oldCidrs.Count != newCidrs.Count)
            {
                errors.Add(FieldError.Forbidden(PodCidrsField, ImmutableMessage));
            }
            else
            {
                // Upstream reports one error per differing index, so a dual-stack change yields two causes.
                for (var i = 0; i < oldCidrs.Count; i++)
                {
                    if (oldCidrs[i] != newCidrs[i])
                    {
                        errors.Add(FieldError.Forbidden(PodCidrsField, ImmutableMessage));
                    }
                }
            }
        }

        var oldProvider = old["spec"]?["providerID"]?.GetValue<string>() ?? "";
        var newProvider = node["spec"]?["providerID"]?.GetValue<string>() ?? "";
        if (oldProvider.Length > 0 && oldProvider != newProvider)
        {
            errors.Add(FieldError.Forbidden("spec.providerID", "node updates may not change providerID except from \"\" to valid"));
        }

        if (old["metadata"]?["deletionTimestamp"] is not null)
        {
            var oldFinalizers = WireShape.GetStringList(WireShape.Metadata(old), "finalizers", "ObjectMeta.metadata.finalizers");
            var added = WireShape.GetStringList(WireShape.Metadata(node), "finalizers", "ObjectMeta.metadata.finalizers")
                .Where(f => !oldFinalizers.Contains(f)).ToList();
            if (added.Count > 0)
            {
                // Twice, as the real server reports it: the generic object-meta update check and the registry's
                // own deletion check both find it.
                var error = FieldError.Forbidden("metadata.finalizers",
                    $"no new finalizers can be added if the object is being deleted, found new finalizers {FieldError.GoStringSlice(added)}");
                errors.Add(error);
                errors.Add(error);
            }
        }

        return errors;
    }

    /// <summary>Go's net.ParseCIDR (as netutils.ParseCIDRSloppy): the family, or null when not a CIDR. Host bits are allowed.</summary>
    public static AddressFamily? ParseCidrFamily(string value)
    {
        var slash = value.IndexOf('/', StringComparison.Ordinal);
        if (slash <= 0 || slash == value.Length - 1)
        {
            return null;
        }

        var addressText = value[..slash];
        var prefixText = value[(slash + 1)..];
        if (!prefixText.All(char.IsAsciiDigit) || prefixText.Length > 3
            || !int.TryParse(prefixText, NumberStyles.None, CultureInfo.InvariantCulture, out var prefix))
        {
            return null;
        }

        if (addressText.Contains(':', StringComparison.Ordinal))
        {
            if (addressText.Contains('%', StringComparison.Ordinal) || !IPAddress.TryParse(addressText, out var v6)
                || v6.AddressFamily != AddressFamily.InterNetworkV6 || prefix > 128)
            {
                return null;
            }

            // Go treats an IPv4-mapped address as IPv4 for family checks (To4() != nil).
            return v6.IsIPv4MappedToIPv6 ? AddressFamily.InterNetwork : AddressFamily.InterNetworkV6;
        }

        var parts = addressText.Split('.');
        if (parts.Length != 4 || prefix > 32)
        {
            return null;
        }

        foreach (var part in parts)
        {
            if (part.Length is 0 or > 3 || !part.All(char.IsAsciiDigit) || int.Parse(part, CultureInfo.InvariantCulture) > 255)
            {
                return null;
            }
        }

        return AddressFamily.InterNetwork;
    }
}
