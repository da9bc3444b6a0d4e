using CidrController.Allocation;
using CidrController.Kubernetes.Events;

namespace CidrController.Kubernetes.Quarantine;

/// <summary>
/// --cidr-reuse-delay: a block a node used is not handed out again until this long after the node let it go (its
/// routes and conntrack entries can outlive the node). Holds which blocks wait and until when, and journals each
/// one so a restarted controller (or a new leader) keeps honouring it; each release is also told to humans as a
/// CIDRReleased Event, which nothing reads back. The ledger decides what enters and leaves
/// (under its lock, so the quarantine and the allocator never disagree); this type decides when. Zero delay: a
/// released block is reusable at once, as upstream.
/// </summary>
internal sealed class ReuseQuarantine
{
    private readonly Lock _lock = new();
    private readonly List<QuarantineRecord> _waiting = [];
    private readonly TimeProvider _time;
    private readonly IQuarantineJournal? _journal;
    private readonly NodeEventRecorder? _events;

    /// <param name="journal">Where entries outlive the process; null keeps them in memory only.</param>
    /// <param name="events">Where each release is told to humans (a CIDRReleased Event); null: nowhere.</param>
    public ReuseQuarantine(TimeSpan delay, TimeProvider time, IQuarantineJournal? journal = null, NodeEventRecorder? events = null)
    {
        Delay = delay;
        _time = time;
        _journal = journal;
        _events = events;
    }

    /// <summary>No quarantine: released blocks are reusable at once.</summary>
    public static ReuseQuarantine None { get; } = new(TimeSpan.Zero, TimeProvider.System);

    public TimeSpan Delay { get; }

    public bool Enabled => Delay > TimeSpan.Zero;

    /// <summary>Blocks waiting (released by their node, not yet reusable).</summary>
    public int Count
    {
        get
        {
            lock (_lock)
            {
                return _waiting.Sum(q => q.Blocks.Count);
            }
        }
    }

    /// <summary>How long until the next waiting block becomes reusable, or null when none waits.</summary>
    public TimeSpan? UntilNextReuse
    {
        get
        {
            lock (_lock)
            {
                return _waiting.Count == 0 ? null : _waiting.Min(q => q.ReusableAfter) - _time.GetUtcNow();
            }
        }
    }

    /// <summary>
    /// Takes <paramref name="node"/>'s blocks in for the delay and journals them. False (nothing taken) when the
    /// quarantine is off or there is nothing to hold: the caller releases them at once.
    /// </summary>
    internal bool TryHold(string node, IReadOnlyList<IpBlock> blocks)
    {
        if (!Enabled || blocks.Count == 0)
        {
            return false;
        }

        var until = _time.GetUtcNow() + Delay;
        lock (_lock)
        {
            _waiting.Add(new QuarantineRecord(blocks, until));
        }

        _journal?.Record(node, blocks, until);
        _events?.Released(node, blocks, until);
        return true;
    }

    /// <summary>Takes back blocks read from the journal (already occupied by the caller).</summary>
    internal void Restore(IReadOnlyList<IpBlock> blocks, DateTimeOffset until)
    {
        if (blocks.Count == 0)
        {
            return;
        }

        lock (_lock)
        {
            _waiting.Add(new QuarantineRecord(blocks, until));
        }
    }

    /// <summary>Removes and returns the blocks whose time has come; the caller releases them.</summary>
    internal List<IpBlock> TakeExpired()
    {
        lock (_lock)
        {
            var expired = new List<IpBlock>();
            if (_waiting.Count == 0)
            {
                return expired;
            }

            var now = _time.GetUtcNow();
            for (var i = _waiting.Count - 1; i >= 0; i--)
            {
                if (_waiting[i].ReusableAfter <= now)
                {
                    expired.AddRange(_waiting[i].Blocks);
                    _waiting.RemoveAt(i);
                }
            }

            return expired;
        }
    }

    /// <summary>Every block still waiting (a snapshot).</summary>
    internal List<IpBlock> Waiting()
    {
        lock (_lock)
        {
            return [.. _waiting.SelectMany(q => q.Blocks)];
        }
    }

    /// <summary>
    /// Writes the journal in the background while the term serves (see <see cref="IQuarantineJournal.RunAsync"/>);
    /// done at once without a journal or with the quarantine off.
    /// </summary>
    public Task RunJournalAsync(CancellationToken stop) =>
        Enabled && _journal is not null ? _journal.RunAsync(stop) : Task.CompletedTask;

    /// <summary>What the journal still holds (empty without a journal or with the quarantine off). API failures propagate.</summary>
    public async Task<IReadOnlyList<QuarantineRecord>> ReadJournalAsync(CancellationToken cancellationToken) =>
        Enabled && _journal is not null ? await _journal.ReadPendingAsync(_time.GetUtcNow(), cancellationToken).ConfigureAwait(false) : [];
}
