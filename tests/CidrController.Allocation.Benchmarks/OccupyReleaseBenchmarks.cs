using BenchmarkDotNet.Attributes;

using CidrController.Allocation;

namespace CidrController.Allocation.Benchmarks;

/// <summary>Occupy + Release of one block in a half-used range (what a node add/delete costs).</summary>
public class OccupyReleaseBenchmarks
{
    private BlockRange _dense = null!;
    private BlockRange _sparse = null!;
    private IpBlock _denseBlock;
    private IpBlock _sparseBlock;

    [GlobalSetup]
    public void Setup()
    {
        _dense = new BlockRange(new RangeSpec(IpBlock.Parse("10.0.0.0/8"), 24));
        _dense.Occupy(IpBlock.Parse("10.0.0.0/9"));
        _denseBlock = IpBlock.Parse("10.200.1.0/24");

        // 1,000,000 blocks handed out, then every other one of the first 20,000 released: 10,001 runs.
        _sparse = new BlockRange(new RangeSpec(IpBlock.Parse("fd00::/48"), 112));
        for (var i = 0; i < 1_000_000; i++)
        {
            _sparse.TryAllocateNext(out _, out _);
        }

        for (var i = 0; i < 20_000; i += 2)
        {
            _sparse.Release(_sparse.BlockAt((UInt128)i));
        }

        _sparseBlock = _sparse.BlockAt(500_000); // in the middle of the big run: Release splits it, Occupy merges it back
    }

    [Benchmark]
    public OccupyResult DenseSlash8AtSlash24()
    {
        _dense.Occupy(_denseBlock);
        return _dense.Release(_denseBlock);
    }

    [Benchmark]
    public OccupyResult SparseFd00Slash48AtSlash112()
    {
        _sparse.Release(_sparseBlock);
        return _sparse.Occupy(_sparseBlock);
    }
}
