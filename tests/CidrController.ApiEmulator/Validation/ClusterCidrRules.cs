using System.Globalization;
using System.Net;
using System.Text.Json.Nodes;

namespace CidrController.ApiEmulator.Validation;

/// <summary>
/// node-ipam-controller's ClusterCIDR CRD (networking.x-k8s.io/v1) as the API server enforces it: the
/// OpenAPI schema (perNodeHostBits required integer, strings, nodeSelectorTerms required) and the CEL
/// rules (ipv4 is an IPv4 CIDR, ipv6 an IPv6 CIDR, at least one of them; spec fields immutable). Semantic
/// checks beyond the CRD (perNodeHostBits ≥ 4, prefix fits) are the controller's, as on a real cluster.
/// </summary>
internal static class ClusterCidrRules
{
    public static void Normalize(JsonObject clusterCidr)
    {
        clusterCidr["kind"] = "ClusterCIDR";
        clusterCidr["apiVersion"] = "networking.x-k8s.io/v1";
        WireShape.Canonicalize(clusterCidr);
    }

    public static List<FieldError> Validate(JsonObject clusterCidr)
    {
        var metadata = WireShape.Metadata(clusterCidr);
        var errors = NameRules.ValidateMetadataName(
            WireShape.GetString(metadata, "name", "ObjectMeta.metadata.name") ?? "",
            WireShape.GetString(metadata, "generateName", "ObjectMeta.metadata.generateName")).ToList();
        if (clusterCidr["spec"] is not JsonObject spec)
        {
            errors.Add(FieldError.Required("spec"));
            return errors;
        }

        if (spec["perNodeHostBits"] is not JsonValue bits || bits.GetValueKind() != System.Text.Json.JsonValueKind.Number)
        {
            errors.Add(FieldError.Required("spec.perNodeHostBits"));
        }

        var ipv4 = spec["ipv4"]?.GetValue<string>() ?? "";
        var ipv6 = spec["ipv6"]?.GetValue<string>() ?? "";
        CheckFamily(errors, "spec.ipv4", ipv4, System.Net.Sockets.AddressFamily.InterNetwork, "IPv4 must be a valid IPv4 CIDR.");
        CheckFamily(errors, "spec.ipv6", ipv6, System.Net.Sockets.AddressFamily.InterNetworkV6, "IPv6 must be a valid IPv6 CIDR.");
        if (ipv4.Length == 0 && ipv6.Length == 0)
        {
            errors.Add(FieldError.Invalid("spec", "object", "A CIDR must be specified for ipv4 or ipv6."));
        }

        if (spec["nodeSelector"] is JsonObject selector && selector["nodeSelectorTerms"] is not JsonArray)
        {
            errors.Add(FieldError.Required("spec.nodeSelector.nodeSelectorTerms"));
        }

        return errors;
    }

    public static List<FieldError> ValidateUpdate(JsonObject old, JsonObject updated)
    {
        var errors = new List<FieldError>();
        foreach (var (field, message) in new[] { ("ipv4", "IPv4 cannot be changed."), ("ipv6", "IPv6 cannot be changed."), ("perNodeHostBits", "PerNodeHostBits cannot be changed."), ("nodeSelector", "NodeSelector cannot be changed.") })
        {
            if (!JsonNode.DeepEquals(old["spec"]?[field], updated["spec"]?[field]))
            {
                errors.Add(FieldError.Invalid($"spec.{field}", "string", message));
            }
        }

        return errors;
    }

    private static void CheckFamily(List<FieldError> errors, string field, string value, System.Net.Sockets.AddressFamily family, string message)
    {
        if (value.Length == 0)
        {
            return;
        }

        var slash = value.IndexOf('/', StringComparison.Ordinal);
        var valid = slash > 0
            && IPAddress.TryParse(value[..slash], out var address)
            && address.AddressFamily == family
            && int.TryParse(value[(slash + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out var prefix)
            && prefix <= (family == System.Net.Sockets.AddressFamily.InterNetwork ? 32 : 128);
        if (!valid)
        {
            errors.Add(FieldError.Invalid(field, "string", message));
        }
    }
}
