namespace CidrController.Allocation;

/// <summary>The address family of an <see cref="IpBlock"/>.</summary>
public enum IpFamily
{
    IPv4,
    IPv6,
}
