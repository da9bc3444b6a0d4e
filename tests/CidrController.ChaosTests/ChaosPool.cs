namespace CidrController.ChaosTests;

/// <summary>
/// The address pool of every chaos run: dual-stack and small, so it runs out (IPv4 first: 32 blocks of which
/// two are the service range, against 32 IPv6 blocks — an IPv4 shortage must not leak IPv6 blocks).
/// </summary>
internal static class ChaosPool
{
    public static readonly NetBlock ServiceRange = NetBlock.Parse("10.0.3.192/26");

    public static readonly PoolRange V4 = new(NetBlock.Parse("10.0.0.0/22"), 27, [ServiceRange]);

    public static readonly PoolRange V6 = new(NetBlock.Parse("fd00::/119"), 124, [ServiceRange]);

    public static readonly PoolRange[] Ranges = [V4, V6];

    public static string[] ControllerFlags =>
    [
        "--cluster-cidr=10.0.0.0/22,fd00::/119", "--node-cidr-mask-size-ipv4=27", "--node-cidr-mask-size-ipv6=124",
        "--service-cluster-ip-range=10.0.3.192/26", "--kube-api-qps=500", "--kube-api-burst=1000", "--concurrent-node-syncs=5",
        // Pools are created and deleted every few dozen operations: re-read them every second, not every 10 s.
        "--cluster-cidr-pool-sync-period=1s",
    ];
}
