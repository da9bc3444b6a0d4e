using System.Globalization;

namespace CidrController.ChaosTests;

/// <summary>
/// How long a chaos run is and which random choices it makes. CI runs the defaults; the long form is
/// <c>CHAOS_OPERATIONS=10000 CHAOS_SEED=1234 dotnet test tests/CidrController.ChaosTests</c>.
/// </summary>
internal sealed record ChaosSettings(int Operations, int Seed)
{
    public static ChaosSettings FromEnvironment(int defaultOperations)
    {
        var operations = int.TryParse(Environment.GetEnvironmentVariable("CHAOS_OPERATIONS"), NumberStyles.Integer, CultureInfo.InvariantCulture, out var o) && o > 0
            ? o
            : defaultOperations;
        var seed = int.TryParse(Environment.GetEnvironmentVariable("CHAOS_SEED"), NumberStyles.Integer, CultureInfo.InvariantCulture, out var s)
            ? s
            : Random.Shared.Next(1, int.MaxValue);
        return new ChaosSettings(operations, seed);
    }

    public string ReplayCommand(string testName) =>
        $"CHAOS_OPERATIONS={Operations} CHAOS_SEED={Seed} dotnet test tests/CidrController.ChaosTests --filter {testName}";
}
