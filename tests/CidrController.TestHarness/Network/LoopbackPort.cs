using System.Net;
using System.Net.Sockets;

namespace CidrController.TestHarness;

/// <summary>Ports for the servers tests start on 127.0.0.1 (controllers, etcd, kube-apiserver, kube-controller-manager).</summary>
public static class LoopbackPort
{
    /// <summary>
    /// A port the kernel just handed out and released. Another process may take it before the caller binds it; the
    /// window is short and every caller fails loudly (the child process does not start) rather than misbehaving.
    /// </summary>
    public static int Free()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
