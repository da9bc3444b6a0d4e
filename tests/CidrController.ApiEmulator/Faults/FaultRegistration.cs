namespace CidrController.ApiEmulator.Faults;

/// <summary>A rule switched on in a <see cref="FaultInjector"/>; dispose to switch it off.</summary>
public sealed class FaultRegistration : IDisposable
{
    private readonly FaultInjector _owner;
    private int _fired;

    internal FaultRegistration(FaultInjector owner, FaultRule rule)
    {
        _owner = owner;
        Rule = rule;
    }

    public FaultRule Rule { get; }

    public int TimesFired => Volatile.Read(ref _fired);

    /// <summary>Claims one firing; false once <see cref="FaultRule.Count"/> is used up. Called under the injector's lock.</summary>
    internal bool TryFire()
    {
        if (Rule.Count is { } max && _fired >= max)
        {
            return false;
        }

        Interlocked.Increment(ref _fired);
        return true;
    }

    public void Dispose() => _owner.Remove(this);
}
