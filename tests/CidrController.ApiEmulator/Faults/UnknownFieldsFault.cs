namespace CidrController.ApiEmulator.Faults;

public sealed record UnknownFieldsFault : FaultAction;
