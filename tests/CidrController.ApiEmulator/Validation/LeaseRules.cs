using System.Text.Json.Nodes;

namespace CidrController.ApiEmulator.Validation;

/// <summary>coordination.k8s.io/v1 Lease defaulting and the validation upstream applies (name, positive duration, non-negative transitions).</summary>
internal static class LeaseRules
{
    public static void Normalize(JsonObject lease)
    {
        lease["kind"] = "Lease";
        lease["apiVersion"] = "coordination.k8s.io/v1";
        lease["spec"] ??= new JsonObject();
        WireShape.Canonicalize(lease);
    }

    public static List<FieldError> Validate(JsonObject lease)
    {
        var metadata = WireShape.Metadata(lease);
        var errors = NameRules.ValidateMetadataName(
            WireShape.GetString(metadata, "name", "ObjectMeta.metadata.name") ?? "",
            WireShape.GetString(metadata, "generateName", "ObjectMeta.metadata.generateName")).ToList();
        if (lease["spec"] is JsonObject spec)
        {
            if (spec["leaseDurationSeconds"] is JsonValue d && d.TryGetValue<long>(out var duration) && duration <= 0)
            {
                errors.Add(FieldError.Invalid("spec.leaseDurationSeconds", duration.ToString(System.Globalization.CultureInfo.InvariantCulture), "must be greater than 0"));
            }

            if (spec["leaseTransitions"] is JsonValue t && t.TryGetValue<long>(out var transitions) && transitions < 0)
            {
                errors.Add(FieldError.Invalid("spec.leaseTransitions", transitions.ToString(System.Globalization.CultureInfo.InvariantCulture), "must be greater than or equal to 0"));
            }
        }

        return errors;
    }
}
