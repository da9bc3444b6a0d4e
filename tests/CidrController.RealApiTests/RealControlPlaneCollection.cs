using CidrController.TestHarness;

namespace CidrController.RealApiTests;

/// <summary>One real control plane shared by every test class in the collection (starting one takes seconds).</summary>
[CollectionDefinition(Name)]
public sealed class RealControlPlaneCollection : ICollectionFixture<RealControlPlane>
{
    public const string Name = "real control plane";
}
