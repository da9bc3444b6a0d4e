using System.Text.RegularExpressions;

namespace CidrController.ApiEmulator.Validation;

/// <summary>apimachinery's name checks, with its exact messages (clients and tests match on them).</summary>
internal static partial class NameRules
{
    public const string Dns1123SubdomainMessage =
        "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";

    [GeneratedRegex("^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")]
    private static partial Regex Dns1123Subdomain();

    [GeneratedRegex("^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$")]
    private static partial Regex QualifiedNamePart();

    /// <summary>IsDNS1123Subdomain: the messages for an invalid value (empty when valid).</summary>
    public static List<string> CheckDnsSubdomain(string value)
    {
        var errors = new List<string>();
        if (value.Length > 253)
        {
            errors.Add("must be no more than 253 characters");
        }

        if (!Dns1123Subdomain().IsMatch(value))
        {
            errors.Add(Dns1123SubdomainMessage);
        }

        return errors;
    }

    /// <summary>ValidateObjectMeta's name/generateName checks for a DNS-subdomain-named resource.</summary>
    public static IEnumerable<FieldError> ValidateMetadataName(string name, string? generateName)
    {
        if (name.Length == 0)
        {
            yield return FieldError.Required("metadata.name", "name or generateName is required");
            yield break;
        }

        if (!string.IsNullOrEmpty(generateName))
        {
            // A prefix may end in '-' (the random suffix follows), so upstream masks one trailing dash.
            var masked = generateName.EndsWith('-') ? generateName[..^1] + "a" : generateName;
            foreach (var message in CheckDnsSubdomain(masked))
            {
                yield return FieldError.Invalid("metadata.generateName", FieldError.GoString(generateName), message);
            }
        }

        foreach (var message in CheckDnsSubdomain(name))
        {
            yield return FieldError.Invalid("metadata.name", FieldError.GoString(name), message);
        }
    }

    /// <summary>IsQualifiedName without the prefix part (enough for reportingController-like values).</summary>
    public static bool IsQualifiedName(string value)
    {
        var parts = value.Split('/');
        var name = parts[^1];
        return parts.Length <= 2 && name.Length is > 0 and <= 63 && QualifiedNamePart().IsMatch(name)
            && (parts.Length == 1 || CheckDnsSubdomain(parts[0]).Count == 0);
    }

    /// <summary>What apiserver's generateName appends: five characters from an alphabet without vowels or look-alikes.</summary>
    public static string GenerateSuffix()
    {
        const string alphabet = "bcdfghjklmnpqrstvwxz2456789";
        return string.Create(5, 0, static (span, _) =>
        {
            for (var i = 0; i < span.Length; i++)
            {
                span[i] = alphabet[Random.Shared.Next(alphabet.Length)];
            }
        });
    }
}
