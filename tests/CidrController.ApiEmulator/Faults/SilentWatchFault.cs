namespace CidrController.ApiEmulator.Faults;

public sealed record SilentWatchFault : FaultAction;
