using CidrController.TestHarness;

namespace CidrController.RealApiTests.Rbac;

/// <summary>A real-control-plane fact that also renders the chart: skipped with a reason when helm is absent.</summary>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = false)]
public sealed class ChartRbacFactAttribute : FactAttribute
{
    public ChartRbacFactAttribute()
    {
        Skip = KubeBinaries.MissingReason ?? HelmChart.MissingReason;
    }
}
