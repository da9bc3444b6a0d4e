using CidrController.TestHarness;

namespace CidrController.RealApiTests.Upstream;

/// <summary>A real-control-plane fact that also needs kube-controller-manager, which envtest assets do not ship.</summary>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = false)]
public sealed class KubeControllerManagerFactAttribute : FactAttribute
{
    public KubeControllerManagerFactAttribute()
    {
        Skip = KubeBinaries.MissingReason
            ?? (KubeBinaries.Find()!.ControllerManager is null ? "no kube-controller-manager beside etcd and kube-apiserver (envtest assets do not ship it)" : null);
    }
}
