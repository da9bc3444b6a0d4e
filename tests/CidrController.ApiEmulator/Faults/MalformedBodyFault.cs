namespace CidrController.ApiEmulator.Faults;

public sealed record MalformedBodyFault(MalformedBody Kind) : FaultAction;
