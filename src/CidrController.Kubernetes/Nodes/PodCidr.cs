using CidrController.Allocation;

namespace CidrController.Kubernetes.Nodes;

/// <summary>
/// One entry of a node's <c>spec.podCIDRs</c>, parsed once when the node is decoded: either a block, or the text
/// as the node carries it with the reason it is not a CIDR (the API server does not stop every bad value, and a
/// node with one is reported, never patched). Everything past the decoder works with blocks, never with text.
/// </summary>
internal readonly record struct PodCidr
{
    private readonly IpBlock _block;
    private readonly string? _invalidText;
    private readonly string? _error;

    private PodCidr(IpBlock block, string? invalidText, string? error)
    {
        _block = block;
        _invalidText = invalidText;
        _error = error;
    }

    /// <summary>True when the entry is a CIDR (then <see cref="Block"/> is it).</summary>
    public bool IsValid => _invalidText is null;

    /// <summary>The block; only meaningful when <see cref="IsValid"/>.</summary>
    public IpBlock Block => _block;

    /// <summary>Why the entry is not a CIDR; empty when it is one.</summary>
    public string Error => _error ?? "";

    public static PodCidr Of(IpBlock block) => new(block, null, null);

    public static PodCidr Parse(string text) =>
        IpBlock.TryParse(text, out var block, out var error) ? new PodCidr(block, null, null) : new PodCidr(default, text, error);

    /// <summary>The block in canonical form, or the invalid text as the node carries it.</summary>
    public override string ToString() => _invalidText ?? _block.ToString();
}
