namespace CidrController.ChaosTests;

/// <summary>One invariant checked at the end of a run: its statement, whether it held, and the figures behind it.</summary>
internal sealed record InvariantResult(string Statement, bool Held, string Detail)
{
    public override string ToString() => $"[{(Held ? "OK  " : "FAIL")}] {Statement}: {Detail}";
}
