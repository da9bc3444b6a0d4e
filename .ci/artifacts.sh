#!/usr/bin/env bash
# Artifact checks: the published binary, the Helm chart, deploy/, every shell script.
# Installs its tools on a fresh machine (.ci/tools.sh: helm, kubectl, yamllint, shellcheck), each only when
# missing. Prints "ok NAME" / "FAIL NAME" per check and ends with "artifact checks: N passed, N failed"; exits 1 when any failed.
set -euo pipefail
cd "$(dirname "$0")/.."
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
passed=0
failed=0
check() { # check NAME COMMAND...: runs COMMAND, output kept only on failure
  local name=$1; shift
  if "$@" >"$work/out" 2>&1; then
    passed=$((passed + 1)); echo "ok   $name"
  else
    failed=$((failed + 1)); echo "FAIL $name"; sed 's/^/     | /' "$work/out" | tail -40
  fi
}
fails() { ! "$@"; } # the command must fail (schema rejections)

echo "== tools"
cache=$(bash .ci/tools.sh)
helm=$cache/helm/helm
echo "helm $("$helm" version --short), $(yamllint --version), shellcheck $(shellcheck --version | sed -n 's/^version: //p')"

echo "== published binary (.ci/publish.sh, the Dockerfile's command)"
pub=$work/publish
bin=$pub/cidr-controller
check "publish: trimmed self-contained single file" bash .ci/publish.sh "$pub"
echo "     published size: $(du -b "$bin" | awk '{printf "%.1f MB", $1 / 1e6}') ($bin)"
# What ships is what the single-file bundle's embedded .deps.json lists (after trimming); the SBOM must name each
# of those packages (and runtime packs) at the same version.
sbom_lists_shipped() {
  python3 - "$bin" "$pub/_manifest/spdx_2.2/manifest.spdx.json" <<'PY'
import json, sys
binary, sbom = open(sys.argv[1], "rb").read(), json.load(open(sys.argv[2]))
start = binary.rfind(b"{", 0, binary.find(b'"runtimeTarget"'))
deps, _ = json.JSONDecoder().raw_decode(binary[start:].decode("utf-8", "replace"))
shipped = {name.removeprefix("runtimepack.") for name, lib in deps["libraries"].items() if lib["type"] in ("package", "runtimepack")}
listed = {f"{p['name']}/{p.get('versionInfo')}" for p in sbom["packages"]}
missing = sorted(shipped - listed)
print(f"{len(shipped)} packages ship, {len(listed)} SBOM packages; missing from the SBOM: {missing or 'none'}")
sys.exit(1 if missing or not shipped else 0)
PY
}
check "SBOM (SPDX) lists every package the binary ships, at its version" sbom_lists_shipped
# Directory.Packages.props is the one place for versions: every shipped package it lists ships at that version.
props_match_shipped() {
  python3 - "$bin" Directory.Packages.props <<'PY'
import json, re, sys
binary, props = open(sys.argv[1], "rb").read(), open(sys.argv[2]).read()
start = binary.rfind(b"{", 0, binary.find(b'"runtimeTarget"'))
deps, _ = json.JSONDecoder().raw_decode(binary[start:].decode("utf-8", "replace"))
pinned = dict(re.findall(r'<PackageVersion Include="([^"]+)" Version="([^"]+)"', props))
shipped = dict(name.split("/") for name, lib in deps["libraries"].items() if lib["type"] == "package")
drift = [f"{name}: props {pinned[name]}, ships {version}" for name, version in sorted(shipped.items()) if name in pinned and pinned[name] != version]
print("drift: " + ("; ".join(drift) if drift else "none"))
sys.exit(1 if drift else 0)
PY
}
check "shipped package versions match Directory.Packages.props" props_match_shipped
# packages.lock.json of the shipped project is what CI and the Dockerfile restore (locked mode): for this machine's
# runtime, every package it locks is in the SBOM at the locked version, and every package the binary ships is locked
# at the version it ships. With the check above: props = lock file = SBOM = binary.
lock_matches_sbom_and_shipped() {
  python3 - "$bin" "$pub/_manifest/spdx_2.2/manifest.spdx.json" src/CidrController/packages.lock.json <<'PY'
import json, platform, sys
binary, sbom, lock = open(sys.argv[1], "rb").read(), json.load(open(sys.argv[2])), json.load(open(sys.argv[3]))
rid = {"x86_64": "linux-x64", "aarch64": "linux-arm64"}[platform.machine()]
# The runtime's section lists only what differs for that runtime (runtime-specific packages); the rest is net10.0's.
graph = lock["dependencies"]["net10.0"] | lock["dependencies"][f"net10.0/{rid}"]
locked = {name: entry["resolved"] for name, entry in graph.items() if entry["type"] != "Project"}
listed = {f"{p['name']}/{p.get('versionInfo')}" for p in sbom["packages"]}
start = binary.rfind(b"{", 0, binary.find(b'"runtimeTarget"'))
deps, _ = json.JSONDecoder().raw_decode(binary[start:].decode("utf-8", "replace"))
shipped = dict(name.split("/") for name, lib in deps["libraries"].items() if lib["type"] == "package")
not_in_sbom = sorted(f"{name}/{version}" for name, version in locked.items() if f"{name}/{version}" not in listed)
drift = sorted(f"{name}: ships {version}, locked {locked.get(name, 'not at all')}" for name, version in shipped.items() if locked.get(name) != version)
print(f"{len(locked)} packages locked for {rid}, {len(shipped)} ship; locked but not in the SBOM at that version: {not_in_sbom or 'none'}; shipped but not locked at that version: {drift or 'none'}")
sys.exit(1 if not locked or not_in_sbom or drift else 0)
PY
}
check "packages.lock.json of the shipped project = SBOM = shipped versions" lock_matches_sbom_and_shipped
# The Docker build restores that lock file in locked mode with the Dockerfile's SDK, which picks the trimming pack's
# version: it must be the SDK the lock file was written with (this one, or the locked restore above would have failed).
dockerfile_sdk_is_this_sdk() {
  local tag
  tag=$(sed -n -E 's#^FROM .*mcr\.microsoft\.com/dotnet/sdk:([^ @]+).* AS build$#\1#p' Dockerfile)
  echo "Dockerfile SDK $tag, this SDK $(dotnet --version) (.ci/update-lock-files.sh sets it)"
  [ "$tag" = "$(dotnet --version)" ]
}
check "the Dockerfile builds with the SDK the lock files were written with" dockerfile_sdk_is_this_sdk
notice_names_shipped() { # NOTICE carries the license and copyright of each shipped package
  python3 - "$bin" NOTICE <<'PY'
import json, sys
binary, notice = open(sys.argv[1], "rb").read(), open(sys.argv[2]).read()
start = binary.rfind(b"{", 0, binary.find(b'"runtimeTarget"'))
deps, _ = json.JSONDecoder().raw_decode(binary[start:].decode("utf-8", "replace"))
names = {n.split("/")[0].removeprefix("runtimepack.").removesuffix(".linux-x64").removesuffix(".linux-arm64")
         for n, lib in deps["libraries"].items() if lib["type"] in ("package", "runtimepack")}
missing = sorted(n for n in names if f"| {n} " not in notice)
print(f"not in NOTICE: {missing or 'none'}")
sys.exit(1 if missing else 0)
PY
}
check "NOTICE names every shipped package" notice_names_shipped
help_lists_flags() { "$bin" --help | grep -q -- --node-cidr-mask-size-ipv6; }
check "published --help lists every flag" help_lists_flags
check "published --version" "$bin" --version
check "published --validate-only dual-stack" "$bin" --validate-only --cluster-cidr=10.244.0.0/16,fd00:10:244::/56 --service-cluster-ip-range=10.96.0.0/16
bad_flag_is_2() { local rc=0; "$bin" --cluster-cidr=10.0.0.0/33 || rc=$?; [ "$rc" -eq 2 ]; }
check "published: a bad flag is exit 2" bad_flag_is_2
sandbox=(dotnet run -c Release --project tests/CidrController.Sandbox --)
check "published binary vs emulator (HTTPS, CA data + token): 10 dual-stack nodes" \
  "${sandbox[@]}" --https --nodes 10 --timeout 60 --controller-binary "$bin" --cluster-cidr=10.1.0.0/16,fd00:1::/48
exhausted() { # a full range: nodes wait, the trimmed binary writes CIDRNotAvailable events, leader election on, JSON logs
  local out
  out=$("${sandbox[@]}" --https --nodes 4 --timeout 10 --controller-binary "$bin" --cluster-cidr=10.1.0.0/30 \
    --node-cidr-mask-size=31 --leader-elect=true --log-format=json) && return 1
  echo "$out"
  grep -q 'Events written by the controller: CIDRNotAvailable' <<<"$out" && grep -q 'released the lease' <<<"$out"
}
check "published binary: events, lease, JSON logs (exhausted range)" exhausted

echo "== Helm chart"
chart=charts/cidr-controller
rendered=()
template() { "$helm" template cidr-controller "$chart" "$@"; }
for values in "$chart"/ci/*-values.yaml; do
  name=$(basename "$values" -values.yaml)
  check "helm lint --strict ($name)" "$helm" lint --strict "$chart" -f "$values"
  check "helm template ($name)" template --namespace cidr-system -f "$values" --output-dir "$work/$name"
  cat "$work/$name"/cidr-controller/templates/*.yaml "$work/$name"/cidr-controller/templates/tests/*.yaml >"$work/$name.yaml"
  rendered+=("$work/$name.yaml")
done
rendered+=(deploy/cidr-controller.yaml)
check "yamllint (rendered output, values, deploy/, kind configs)" \
  yamllint -s -c .ci/yamllint.yaml "${rendered[@]}" "$chart/values.yaml" "$chart/Chart.yaml" "$chart"/ci deploy
check "strict schema load, chart invariants, --validate-only on the rendered args" \
  dotnet run -c Release --project tests/CidrController.ManifestCheck -- --controller "$bin" "${rendered[@]}"
check "values.yaml flag defaults equal the binary's (cidr-controller flags --output json)" \
  dotnet run -c Release --project tests/CidrController.ManifestCheck -- --controller "$bin" --chart-defaults "$chart/values.yaml"
check "schema rejects a CIDR that is not one" fails template --set 'clusterCIDRs={10.244.0/16}'
check "schema rejects an IPv4 prefix /33" fails template --set 'clusterCIDRs={10.244.0.0/33}'
check "schema rejects a mask of 129" fails template --set 'clusterCIDRs={fd00::/48}' --set nodeCIDRMaskSizeIPv6=129
check "schema rejects a negative mask" fails template --set 'clusterCIDRs={10.0.0.0/8}' --set nodeCIDRMaskSize=-1
check "schema rejects 2 replicas without leader election" \
  fails template --set 'clusterCIDRs={10.0.0.0/8}' --set replicaCount=2 --set leaderElection.enabled=false
missing_cidr_message() { local out; out=$(template --namespace kube-system 2>&1) && return 1; grep -q 'clusterCIDRs is required' <<<"$out"; }
check "a missing cluster CIDR fails with a clear message" missing_cidr_message
loopback_bind_message() {
  local out
  out=$(template --set 'clusterCIDRs={10.0.0.0/8}' --set serving.bindAddress=127.0.0.1 2>&1) && return 1
  grep -q 'serving.bindAddress must not be a loopback address' <<<"$out"
}
check "a loopback serving.bindAddress (probes could not reach it) fails with a clear message" loopback_bind_message

diff_chart_readme() { "$chart"/generate-readme.sh | diff -u "$chart"/README.md -; }
check "chart README.md matches values.yaml (regenerate: $chart/generate-readme.sh > $chart/README.md)" diff_chart_readme
# The archive users push to an OCI registry (helm push cidr-controller-VERSION.tgz oci://REGISTRY/charts).
package_chart() {
  "$helm" package "$chart" --destination "$work/package" || return 1
  local archive listing f
  archive=$(find "$work/package" -name 'cidr-controller-*.tgz')
  listing=$(tar -tzf "$archive") # grep -q on a pipe would end tar early: SIGPIPE fails the pipeline (pipefail)
  for f in values.schema.json README.md dashboards/cidr-controller.json templates/tests/test-connection.yaml; do
    grep -qx "cidr-controller/$f" <<<"$listing" || { echo "missing from the archive: $f"; return 1; }
  done
  if grep -E 'cidr-controller/(ci/|generate-readme.sh)' <<<"$listing"; then echo "CI files in the archive"; return 1; fi
  echo "$archive"
}
check "helm package: the chart archive (schema, README, dashboard, test hook; no CI files)" package_chart
echo "     chart archive: $(find "$work/package" -name 'cidr-controller-*.tgz' -printf '%f, %s bytes' 2>/dev/null)"

echo "== deploy/"
diff_deploy() { deploy/generate.sh "$helm" | diff -u deploy/cidr-controller.yaml -; }
check "deploy/cidr-controller.yaml matches the chart (regenerate: deploy/generate.sh > deploy/cidr-controller.yaml)" \
  diff_deploy
diff_crd() { deploy/generate-crd.sh "$helm" | diff -u deploy/crds/clustercidrs.networking.x-k8s.io.yaml -; }
check "deploy/crds/ matches the chart (regenerate: deploy/generate-crd.sh > deploy/crds/clustercidrs.networking.x-k8s.io.yaml)" \
  diff_crd
kind_configs() {
  local f
  for f in deploy/kind/single-stack.yaml deploy/kind/dual-stack.yaml; do
    if ! grep -q 'allocate-node-cidrs: "false"' "$f" || grep -q 'apiVersion: kubeadm' "$f"; then
      echo "$f: allocator not off, or a versioned kubeadm patch"
      return 1
    fi
  done
  grep -q 'podSubnet: 10.244.0.0/16$' deploy/kind/single-stack.yaml && grep -q 'podSubnet: 10.244.0.0/16,fd00:10:244::/56$' deploy/kind/dual-stack.yaml &&
    grep -q "single-stack) cluster_cidrs='{10.244.0.0/16}'" deploy/kind/e2e.sh && grep -q "dual-stack) cluster_cidrs='{10.244.0.0/16,fd00:10:244::/56}'" deploy/kind/e2e.sh
}
check "kind configs: KCM allocator off, unversioned patch, podSubnet = e2e.sh's cluster CIDRs" kind_configs

echo "== shell scripts"
mapfile -t scripts < <(git ls-files --cached --others --exclude-standard '*.sh' .ci/run)
check "shellcheck (${#scripts[@]} scripts)" shellcheck "${scripts[@]}"

echo "artifact checks: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
