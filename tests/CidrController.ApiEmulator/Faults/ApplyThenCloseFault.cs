namespace CidrController.ApiEmulator.Faults;

public sealed record ApplyThenCloseFault : FaultAction;
