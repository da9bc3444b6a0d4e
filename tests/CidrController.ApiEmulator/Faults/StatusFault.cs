namespace CidrController.ApiEmulator.Faults;

public sealed record StatusFault(int StatusCode, int? RetryAfterSeconds) : FaultAction;
