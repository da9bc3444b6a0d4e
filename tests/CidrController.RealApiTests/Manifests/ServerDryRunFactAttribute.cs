using CidrController.RealApiTests.Rbac;
using CidrController.TestHarness;

namespace CidrController.RealApiTests.Manifests;

/// <summary>A real-control-plane fact that renders the chart and applies objects: skipped with a reason when helm or kubectl is absent.</summary>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = false)]
public sealed class ServerDryRunFactAttribute : FactAttribute
{
    public ServerDryRunFactAttribute()
    {
        Skip = KubeBinaries.MissingReason ?? HelmChart.MissingReason ?? HelmChart.KubectlMissingReason;
    }
}
