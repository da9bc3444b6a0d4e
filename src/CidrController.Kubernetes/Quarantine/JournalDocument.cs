using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Json;

using CidrController.Allocation;

namespace CidrController.Kubernetes.Quarantine;

/// <summary>
/// The reuse quarantine as its ConfigMap holds it: one data key whose value is a JSON array with one entry per line
/// (<c>{"node":"…","cidrs":["…"],"reusableAfter":"…Z"}</c>), so <c>kubectl get configmap -o yaml</c> reads as a
/// list. No API here. Every write goes through <see cref="Normalize"/>, which keeps the object bounded: expired
/// entries go, duplicates go, no entry waits longer than the delay from now, and past <see cref="MaxEntries"/> or
/// <see cref="MaxBytes"/> the entries that would expire first go.
/// </summary>
internal static class JournalDocument
{
    public const string DataKey = "pending.json";

    /// <summary>Entries kept at most (one per release: a gone node's blocks).</summary>
    public const int MaxEntries = 4096;

    /// <summary>
    /// Bytes of data kept at most: half the API server's 1 MiB object limit, so metadata and managedFields always
    /// fit. A typical entry is about 110 bytes, so <see cref="MaxEntries"/> binds first unless node names are long.
    /// </summary>
    public const int MaxBytes = 512 * 1024;

    public static string Serialize(IReadOnlyList<JournalEntry> entries)
    {
        if (entries.Count == 0)
        {
            return "[]";
        }

        var text = new StringBuilder("[\n");
        for (var i = 0; i < entries.Count; i++)
        {
            text.Append(Line(entries[i])).Append(i + 1 < entries.Count ? ",\n" : "\n");
        }

        return text.Append(']').ToString();
    }

    /// <summary>One entry as one line of JSON (ASCII only: everything else is escaped, so characters are bytes).</summary>
    public static string Line(JournalEntry entry)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteString("node", entry.Node);
            writer.WriteStartArray("cidrs");
            foreach (var block in entry.Blocks)
            {
                writer.WriteStringValue(block.ToString());
            }

            writer.WriteEndArray();
            writer.WriteString("reusableAfter", entry.ReusableAfter.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture));
            writer.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    /// <summary>
    /// The entries in <paramref name="text"/> (null or empty: none). An entry that does not read (edited by hand,
    /// a CIDR that does not parse) is skipped and counted in <paramref name="unreadable"/>; text that is not a JSON
    /// array at all counts as one.
    /// </summary>
    public static List<JournalEntry> Parse(string? text, out int unreadable)
    {
        unreadable = 0;
        var entries = new List<JournalEntry>();
        if (string.IsNullOrWhiteSpace(text))
        {
            return entries;
        }

        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(text);
        }
        catch (JsonException)
        {
            unreadable = 1;
            return entries;
        }

        using (document)
        {
            if (document.RootElement.ValueKind != JsonValueKind.Array)
            {
                unreadable = 1;
                return entries;
            }

            foreach (var element in document.RootElement.EnumerateArray())
            {
                if (TryRead(element, out var entry))
                {
                    entries.Add(entry);
                }
                else
                {
                    unreadable++;
                }
            }
        }

        return entries;
    }

    /// <summary>
    /// What a write keeps of <paramref name="entries"/> at <paramref name="now"/>: the pending ones, none waiting past
    /// now + <paramref name="delay"/> (the controller never writes a later time, so a later one was forged or the
    /// delay was lowered since), each once, at most <see cref="MaxEntries"/> and <see cref="MaxBytes"/>, earliest
    /// reusable first. <c>Dropped</c> counts the pending entries the cap removed (the ones that expire first: they
    /// lose the least protection).
    /// </summary>
    public static (List<JournalEntry> Kept, int Dropped) Normalize(IEnumerable<JournalEntry> entries, DateTimeOffset now, TimeSpan delay)
    {
        var latest = now + delay;
        var unique = new Dictionary<string, JournalEntry>(StringComparer.Ordinal);
        foreach (var entry in entries)
        {
            if (entry.ReusableAfter <= now || entry.Blocks.Count == 0)
            {
                continue;
            }

            var bounded = entry.ReusableAfter > latest ? entry with { ReusableAfter = latest } : entry;
            unique.TryAdd(Line(bounded), bounded);
        }

        var kept = new List<JournalEntry>();
        var bytes = "[\n]".Length;
        var dropped = 0;
        foreach (var (line, entry) in unique.OrderByDescending(kv => kv.Value.ReusableAfter).ThenBy(kv => kv.Key, StringComparer.Ordinal))
        {
            if (kept.Count >= MaxEntries || bytes + line.Length + 2 > MaxBytes)
            {
                dropped++;
                continue;
            }

            kept.Add(entry);
            bytes += line.Length + 2;
        }

        kept.Reverse();
        return (kept, dropped);
    }

    private static bool TryRead(JsonElement element, out JournalEntry entry)
    {
        entry = null!;
        if (element.ValueKind != JsonValueKind.Object
            || !element.TryGetProperty("cidrs", out var cidrs) || cidrs.ValueKind != JsonValueKind.Array
            || !element.TryGetProperty("reusableAfter", out var after) || after.ValueKind != JsonValueKind.String
            || !DateTimeOffset.TryParse(after.GetString(), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var reusableAfter))
        {
            return false;
        }

        var blocks = new List<IpBlock>();
        foreach (var cidr in cidrs.EnumerateArray())
        {
            if (cidr.ValueKind != JsonValueKind.String || !IpBlock.TryParse(cidr.GetString(), out var block, out _))
            {
                return false;
            }

            blocks.Add(block);
        }

        var node = element.TryGetProperty("node", out var name) && name.ValueKind == JsonValueKind.String ? name.GetString() ?? "" : "";
        entry = new JournalEntry(node, blocks, reusableAfter);
        return true;
    }
}
