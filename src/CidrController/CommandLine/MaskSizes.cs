namespace CidrController.CommandLine;

/// <summary>The node mask flags as given (null: not given): <c>--node-cidr-mask-size</c> and the per-family pair.</summary>
internal readonly record struct MaskSizes(int? Single, int? Ipv4, int? Ipv6);
