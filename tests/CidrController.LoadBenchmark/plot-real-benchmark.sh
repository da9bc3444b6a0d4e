#!/usr/bin/env bash
# Plots drain time and peak RSS against N for both allocators from the side-by-side benchmark's JSON
# (`dotnet run -c Release --project tests/CidrController.LoadBenchmark -- real --json FILE`), medians per N.
# Usage: plot-real-benchmark.sh RUNS.json OUT.png
# Needs python3 with matplotlib (Debian: apt-get install python3-matplotlib); says so and exits 2 when it is missing.
set -euo pipefail
json=${1:?usage: plot-real-benchmark.sh RUNS.json OUT.png}
png=${2:?usage: plot-real-benchmark.sh RUNS.json OUT.png}

# The distribution's python first: that is where apt puts matplotlib.
python=
for candidate in /usr/bin/python3 python3; do
  if command -v "$candidate" >/dev/null && "$candidate" -c 'import matplotlib' 2>/dev/null; then python=$candidate; break; fi
done
if [ -z "$python" ]; then
  echo "plot-real-benchmark.sh: needs python3 with matplotlib (Debian/Ubuntu: apt-get install -y python3-matplotlib)" >&2
  exit 2
fi

"$python" - "$json" "$png" <<'PY'
import json, statistics, sys
import matplotlib
matplotlib.use("Agg")
import matplotlib.pyplot as plt

report = json.load(open(sys.argv[1]))
drain = [r for r in report["Runs"] if r["Phase"] == "drain"]
names = {"KubeControllerManager": "kube-controller-manager", "CidrController": "cidr-controller"}
fig, (time_ax, rss_ax) = plt.subplots(1, 2, figsize=(11, 4.2))
for kind, label in names.items():
    runs = [r for r in drain if r["Allocator"] == kind]
    sizes = sorted({r["Nodes"] for r in runs})
    if not sizes:
        continue
    time = [statistics.median(r["DrainSeconds"] for r in runs if r["Nodes"] == n) for n in sizes]
    rss = [statistics.median(r["PeakResidentMegabytes"] for r in runs if r["Nodes"] == n) for n in sizes]
    time_ax.plot(sizes, time, marker="o", label=label)
    rss_ax.plot(sizes, rss, marker="o", label=label)
time_ax.set(title="drain: working signal → last podCIDR seen", xlabel="nodes waiting (N)", ylabel="seconds (median)")
rss_ax.set(title="peak RSS (VmHWM) during the drain", xlabel="nodes waiting (N)", ylabel="MB (median)")
for ax in (time_ax, rss_ax):
    ax.set_ylim(bottom=0)
    ax.grid(alpha=0.3)
    ax.legend()
fig.suptitle(f"real kube-apiserver over TLS, same run, {report['Cores']} cores, finished {report['FinishedAt'][:16]} UTC", fontsize=10)
fig.tight_layout()
fig.savefig(sys.argv[2], dpi=100)
print(f"wrote {sys.argv[2]}")
PY
