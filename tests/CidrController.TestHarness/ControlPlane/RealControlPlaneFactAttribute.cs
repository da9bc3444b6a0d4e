using Xunit;

namespace CidrController.TestHarness;

/// <summary>
/// A fact that needs a real etcd and kube-apiserver: skipped with a one-line reason when their binaries are absent
/// (a fresh clone), run whenever they are present.
/// </summary>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = false)]
public sealed class RealControlPlaneFactAttribute : FactAttribute
{
    public RealControlPlaneFactAttribute()
    {
        if (KubeBinaries.MissingReason is { } reason)
        {
            Skip = reason;
        }
    }
}
