using System.Text.RegularExpressions;

using k8s;
using k8s.Models;

using YamlDotNet.Serialization;

namespace CidrController.ManifestCheck;

/// <summary>
/// The objects of one `helm template` output. Built-in kinds are loaded with KubernetesClient's strict YAML loader,
/// which rejects any field its models do not know (a typo, a misplaced key, a field of another API version).
/// Prometheus Operator objects (CRDs, unknown to the client) are kept as plain trees for the invariants.
/// </summary>
public sealed partial class RenderedManifests
{
    private RenderedManifests(IReadOnlyList<object> objects, IReadOnlyList<Dictionary<object, object>> custom)
    {
        Objects = objects;
        Custom = custom;
    }

    public IReadOnlyList<object> Objects { get; }

    /// <summary>monitoring.coreos.com objects, as YAML trees.</summary>
    public IReadOnlyList<Dictionary<object, object>> Custom { get; }

    public int Count => Objects.Count + Custom.Count;

    public IEnumerable<V1Deployment> Deployments => Objects.OfType<V1Deployment>();

    public IEnumerable<T> OfKind<T>() => Objects.OfType<T>();

    public static RenderedManifests Load(string text)
    {
        var objects = new List<object>();
        var custom = new List<Dictionary<object, object>>();
        var plain = new DeserializerBuilder().Build();
        foreach (var document in DocumentSeparator().Split(text))
        {
            var tree = plain.Deserialize<Dictionary<object, object>?>(document);
            if (tree is null)
            {
                continue; // comments only (an empty template)
            }

            var apiVersion = tree.GetValueOrDefault("apiVersion") as string;
            var kind = tree.GetValueOrDefault("kind") as string;
            if (apiVersion is null || kind is null)
            {
                throw new InvalidDataException($"a document without apiVersion/kind: {document.Trim()[..Math.Min(80, document.Trim().Length)]}");
            }

            if (apiVersion.StartsWith("monitoring.coreos.com/", StringComparison.Ordinal))
            {
                custom.Add(tree);
                continue;
            }

            try
            {
                objects.AddRange(KubernetesYaml.LoadAllFromString(document, strict: true));
            }
            catch (Exception e) when (e is YamlDotNet.Core.YamlException or ArgumentException or InvalidOperationException)
            {
                throw new InvalidDataException($"{kind} {Name(tree)} does not load strictly as {apiVersion}: {Innermost(e).Message}", e);
            }
        }

        return new RenderedManifests(objects, custom);
    }

    public static string Name(Dictionary<object, object> tree) =>
        tree.GetValueOrDefault("metadata") is Dictionary<object, object> metadata ? metadata.GetValueOrDefault("name") as string ?? "?" : "?";

    private static Exception Innermost(Exception e) => e.InnerException is null ? e : Innermost(e.InnerException);

    [GeneratedRegex(@"^---[ \t]*$", RegexOptions.Multiline)]
    private static partial Regex DocumentSeparator();
}
