using CidrController.Allocation;
using CidrController.Kubernetes.Quarantine;

namespace CidrController.Tests.Quarantine;

/// <summary>The reuse quarantine's ConfigMap format: what is read back, and what every write keeps.</summary>
public sealed class JournalDocumentTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 30, 10, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan Delay = TimeSpan.FromHours(1);

    private static JournalEntry Entry(string node, string cidrs, TimeSpan reusableIn) =>
        new(node, [.. cidrs.Split(',').Select(IpBlock.Parse)], Now + reusableIn);

    [Fact]
    public void Entries_read_back_as_written_one_per_line()
    {
        JournalEntry[] written = [Entry("a", "10.1.0.0/24", TimeSpan.FromMinutes(5)), Entry("b", "10.1.1.0/24,fd00:1::/64", TimeSpan.FromMinutes(10))];

        var text = JournalDocument.Serialize(written);
        var read = JournalDocument.Parse(text, out var unreadable);

        Assert.Equal(0, unreadable);
        Assert.Equal(4, text.Split('\n').Length); // "[", one line per entry, "]"
        Assert.Equal(written.Select(JournalDocument.Line), read.Select(JournalDocument.Line));
        Assert.Equal("""{"node":"b","cidrs":["10.1.1.0/24","fd00:1::/64"],"reusableAfter":"2026-11-30T10:10:00.000Z"}""", JournalDocument.Line(read[1]));
    }

    [Theory]
    [InlineData(null, 0, 0)]
    [InlineData("", 0, 0)]
    [InlineData("[]", 0, 0)]
    [InlineData("not json", 0, 1)]
    [InlineData("""{"node":"a"}""", 0, 1)]
    [InlineData("""[{"node":"a","cidrs":["10.1.0.0/24"],"reusableAfter":"2026-11-30T10:05:00.000Z"},{"node":"b","cidrs":["10.1.0.0"],"reusableAfter":"2026-11-30T10:05:00.000Z"},{"cidrs":["10.1.2.0/24"],"reusableAfter":"soon"},7]""", 1, 3)]
    public void What_does_not_read_is_skipped_and_counted(string? text, int entries, int unreadableCount)
    {
        var read = JournalDocument.Parse(text, out var unreadable);

        Assert.Equal(entries, read.Count);
        Assert.Equal(unreadableCount, unreadable);
    }

    [Fact]
    public void A_write_keeps_only_pending_entries_each_once_none_later_than_the_delay()
    {
        var pending = Entry("a", "10.1.0.0/24", TimeSpan.FromMinutes(5));
        var (kept, dropped) = JournalDocument.Normalize(
        [
            pending,
            pending with { }, // the same release written twice (a retried write that had landed)
            Entry("expired", "10.1.1.0/24", TimeSpan.FromMinutes(-1)),
            Entry("due-now", "10.1.2.0/24", TimeSpan.Zero),
            Entry("forged", "10.0.0.0/8", TimeSpan.FromDays(365 * 900)),
            new JournalEntry("empty", [], Now + TimeSpan.FromMinutes(5)),
        ], Now, Delay);

        Assert.Equal(0, dropped);
        Assert.Equal(["a", "forged"], kept.Select(e => e.Node));
        Assert.Equal(Now + Delay, kept[1].ReusableAfter);
    }

    [Fact]
    public void Past_the_entry_cap_the_entries_that_expire_first_are_dropped()
    {
        var entries = Enumerable.Range(0, JournalDocument.MaxEntries + 10)
            .Select(i => Entry($"n{i}", $"10.{i / 256}.{i % 256}.0/24", TimeSpan.FromSeconds(i + 1)))
            .ToList();

        var (kept, dropped) = JournalDocument.Normalize(entries, Now, TimeSpan.FromDays(1));

        Assert.Equal(10, dropped);
        Assert.Equal(JournalDocument.MaxEntries, kept.Count);
        Assert.Equal("n10", kept[0].Node);
        Assert.Equal($"n{JournalDocument.MaxEntries + 9}", kept[^1].Node);
    }

    [Fact]
    public void Past_the_byte_cap_the_entries_that_expire_first_are_dropped_and_the_text_fits()
    {
        // Node names as long as the API allows: the byte cap binds long before the entry cap.
        var entries = Enumerable.Range(0, 3000)
            .Select(i => Entry(new string('n', 240) + i.ToString("D5", System.Globalization.CultureInfo.InvariantCulture), $"10.{i / 256}.{i % 256}.0/24", TimeSpan.FromSeconds(i + 1)))
            .ToList();

        var (kept, dropped) = JournalDocument.Normalize(entries, Now, TimeSpan.FromDays(1));

        Assert.True(dropped > 0, "nothing dropped");
        Assert.Equal(3000, kept.Count + dropped);
        Assert.InRange(JournalDocument.Serialize(kept).Length, JournalDocument.MaxBytes - 400, JournalDocument.MaxBytes);
        Assert.EndsWith("02999", kept[^1].Node, StringComparison.Ordinal);
        Assert.EndsWith((3000 - kept.Count).ToString("D5", System.Globalization.CultureInfo.InvariantCulture), kept[0].Node, StringComparison.Ordinal);
    }
}
