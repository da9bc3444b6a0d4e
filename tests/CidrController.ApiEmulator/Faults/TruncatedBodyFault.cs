namespace CidrController.ApiEmulator.Faults;

public sealed record TruncatedBodyFault : FaultAction;
