namespace CidrController.ApiEmulator.Faults;

public sealed record DelayFault(TimeSpan Duration) : FaultAction;
