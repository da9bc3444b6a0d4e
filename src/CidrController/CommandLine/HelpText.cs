namespace CidrController.CommandLine;

/// <summary>What <c>--help</c> prints: usage and every flag with its default and a one-line description.</summary>
internal static class HelpText
{
    public static void WriteTo(TextWriter writer)
    {
        writer.WriteLine("cidr-controller: Kubernetes node IPAM controller; gives every node a pod CIDR (kube-controller-manager's RangeAllocator).");
        writer.WriteLine();
        writer.WriteLine("Usage:");
        writer.WriteLine("  cidr-controller [flags]");
        writer.WriteLine("  cidr-controller status [--output text|json] [flags]   per-range usage and node problems, read from the cluster");
        writer.WriteLine();
        writer.WriteLine("Flags (--flag=value or --flag value; booleans --flag or --flag=false; durations like 15s, 1m30s, 500ms):");
        var signatures = ControllerFlags.All.Select(Signature).ToList();
        var width = signatures.Max(signature => signature.Length);
        for (var i = 0; i < ControllerFlags.All.Count; i++)
        {
            var flag = ControllerFlags.All[i];
            writer.WriteLine($"  {signatures[i].PadRight(width)}  {flag.Description}{DefaultSuffix(flag)}");
        }
    }

    // pflag's layout: "-v, --v int" and "    --cluster-cidr cidrs".
    private static string Signature(Flag flag)
    {
        var shortAlias = flag.Aliases.FirstOrDefault(alias => alias.Length == 2);
        var prefix = shortAlias is null ? "    " : shortAlias + ", ";
        return prefix + flag.Name + (flag.IsBoolean ? "" : " " + flag.ValueName);
    }

    private static string DefaultSuffix(Flag flag) => flag.DefaultText.Length == 0 ? "" : $" (default {flag.DefaultText})";
}
