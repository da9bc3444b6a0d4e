namespace CidrController.LoadBenchmark.RealApi;

/// <summary>The two allocators measured side by side on the same kind of control plane.</summary>
public enum AllocatorKind
{
    /// <summary>This project's binary, published as the image ships it.</summary>
    CidrController,

    /// <summary>Upstream kube-controller-manager running only its nodeipam range allocator.</summary>
    KubeControllerManager,
}
