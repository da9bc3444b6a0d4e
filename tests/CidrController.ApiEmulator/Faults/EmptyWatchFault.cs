namespace CidrController.ApiEmulator.Faults;

public sealed record EmptyWatchFault : FaultAction;
