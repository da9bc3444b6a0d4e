namespace CidrController.ApiEmulator.Faults;

public sealed record ApplyThenHangFault : FaultAction;
