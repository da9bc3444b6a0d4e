namespace CidrController.ApiEmulator.Faults;

/// <summary>Whether a fault rule applies to watch requests, other requests, or both.</summary>
public enum WatchMatch
{
    Any,
    WatchOnly,
    NonWatchOnly,
}
