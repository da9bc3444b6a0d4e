#!/usr/bin/env bash
# Re-records kcm-node-ipam-metrics.txt: the node_ipam_controller_* metric families (HELP, TYPE, and each
# series' label names) that the real kube-controller-manager exports once its range allocator has assigned CIDRs
# to a few nodes. The metrics test compares the controller's exported names and label sets with this file.
# Usage: tests/kcm-metrics/record.sh BIN_DIR [OUTPUT]
#   BIN_DIR holds etcd, kube-apiserver and kube-controller-manager (envtest's layout plus KCM).
#   OUTPUT defaults to tests/kcm-metrics/kcm-node-ipam-metrics.txt.
# Needs openssl, curl and free loopback ports; starts everything on 127.0.0.1 in a temporary directory and stops
# every process it started on exit.
set -euo pipefail
bin=$(cd "${1:?usage: record.sh BIN_DIR [OUTPUT]}" && pwd)
out=${2:-$(cd "$(dirname "$0")" && pwd)/kcm-node-ipam-metrics.txt}
for b in etcd kube-apiserver kube-controller-manager; do
  [ -x "$bin/$b" ] || { echo "record.sh: $bin/$b is missing" >&2; exit 2; }
done

dir=$(mktemp -d)
pids=()
cleanup() {
  local p
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
  rm -rf "$dir"
}
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
wait_for() { # wait_for SECONDS COMMAND...: polls COMMAND once a second
  local deadline=$((SECONDS + $1)); shift
  until "$@" >/dev/null 2>&1; do
    [ "$SECONDS" -lt "$deadline" ] || return 1
    sleep 1
  done
}

cd "$dir"
openssl req -x509 -newkey rsa:2048 -nodes -keyout ca.key -out ca.crt -days 2 -subj /CN=record-ca 2>/dev/null
openssl req -newkey rsa:2048 -nodes -keyout server.key -out server.csr -subj /CN=kube-apiserver 2>/dev/null
printf 'subjectAltName=IP:127.0.0.1\n' >san.ext
openssl x509 -req -in server.csr -CA ca.crt -CAkey ca.key -CAcreateserial -out server.crt -days 2 -extfile san.ext 2>/dev/null
openssl genrsa -out sa.key 2048 2>/dev/null
openssl rsa -in sa.key -pubout -out sa.pub 2>/dev/null
token=$(openssl rand -hex 16)
printf '%s,admin,admin,"system:masters"\n' "$token" >tokens.csv

etcd_port=$(free_port); peer_port=$(free_port); api_port=$(free_port); kcm_port=$(free_port)
"$bin/etcd" --name t --data-dir "$dir/etcd" --listen-client-urls "http://127.0.0.1:$etcd_port" \
  --advertise-client-urls "http://127.0.0.1:$etcd_port" --listen-peer-urls "http://127.0.0.1:$peer_port" \
  --initial-advertise-peer-urls "http://127.0.0.1:$peer_port" --initial-cluster "t=http://127.0.0.1:$peer_port" \
  --initial-cluster-state new >etcd.log 2>&1 &
pids+=($!)
wait_for 60 curl -sf "http://127.0.0.1:$etcd_port/health" || { echo "etcd did not start" >&2; tail etcd.log >&2; exit 1; }

"$bin/kube-apiserver" --etcd-servers="http://127.0.0.1:$etcd_port" --bind-address=127.0.0.1 --secure-port="$api_port" \
  --advertise-address=127.0.0.1 --endpoint-reconciler-type=none \
  --tls-cert-file=server.crt --tls-private-key-file=server.key --client-ca-file=ca.crt --token-auth-file=tokens.csv \
  --service-account-key-file=sa.pub --service-account-signing-key-file=sa.key \
  --service-account-issuer=https://kubernetes.default.svc.cluster.local \
  --api-audiences=https://kubernetes.default.svc.cluster.local \
  --service-cluster-ip-range=10.96.0.0/16 --authorization-mode=RBAC --allow-privileged=true --v=1 >apiserver.log 2>&1 &
pids+=($!)
api=(curl -sf --cacert ca.crt -H "Authorization: Bearer $token")
ready() { [ "$("${api[@]}" "https://127.0.0.1:$api_port/readyz")" = ok ]; }
wait_for 120 ready || { echo "kube-apiserver did not become ready" >&2; tail apiserver.log >&2; exit 1; }

cat >admin.kubeconfig <<KUBECONFIG
apiVersion: v1
kind: Config
clusters: [{name: local, cluster: {server: "https://127.0.0.1:$api_port", certificate-authority: "$dir/ca.crt"}}]
users: [{name: admin, user: {token: "$token"}}]
contexts: [{name: local, context: {cluster: local, user: admin}}]
current-context: local
KUBECONFIG

"$bin/kube-controller-manager" --controllers=nodeipam --allocate-node-cidrs=true --cluster-cidr=10.240.0.0/12 \
  --node-cidr-mask-size=24 --service-cluster-ip-range=10.96.0.0/16 --kubeconfig=admin.kubeconfig \
  --authentication-kubeconfig=admin.kubeconfig --authorization-kubeconfig=admin.kubeconfig \
  --leader-elect=false --use-service-account-credentials=false --cloud-provider= \
  --bind-address=127.0.0.1 --secure-port="$kcm_port" --v=2 >kcm.log 2>&1 &
pids+=($!)
wait_for 120 grep -q 'Starting range CIDR allocator' kcm.log || { echo "KCM's allocator did not start" >&2; tail kcm.log >&2; exit 1; }

for i in 1 2 3; do
  "${api[@]}" -X POST -H 'Content-Type: application/json' "https://127.0.0.1:$api_port/api/v1/nodes" \
    -d "{\"apiVersion\":\"v1\",\"kind\":\"Node\",\"metadata\":{\"name\":\"record-$i\"}}" >/dev/null
done
# The release counter appears once a block has been released: delete one node after it got its CIDR.
all_allocated() { [ "$("${api[@]}" "https://127.0.0.1:$api_port/api/v1/nodes" | grep -c '"podCIDRs"')" -eq 3 ]; }
wait_for 60 all_allocated || { echo "KCM did not allocate" >&2; tail kcm.log >&2; exit 1; }
"${api[@]}" -X DELETE "https://127.0.0.1:$api_port/api/v1/nodes/record-3" >/dev/null
released() { "${api[@]}" "https://127.0.0.1:$api_port/metrics" >/dev/null; curl -sfk -H "Authorization: Bearer $token" "https://127.0.0.1:$kcm_port/metrics" | grep -q '^node_ipam_controller_cidrset_cidrs_releases_total'; }
wait_for 60 released || echo "record.sh: no release counted within 60 s; recording without it" >&2

# Keep each family's HELP and TYPE lines and reduce each series to its name and sorted label names (values and
# label values vary from run to run); families and series are sorted so that re-recording gives a stable diff.
curl -sfk -H "Authorization: Bearer $token" "https://127.0.0.1:$kcm_port/metrics" >metrics.txt
version=$("$bin/kube-controller-manager" --version | awk '{print $2}')
python3 - "$version" metrics.txt >"$out" <<'PY'
import re, sys
version, path = sys.argv[1], sys.argv[2]
help_, type_, series = {}, {}, {}
for line in open(path):
    line = line.rstrip("\n")
    m = re.match(r"# (HELP|TYPE) (node_ipam_controller_\w+) (.*)$", line)
    if m:
        (help_ if m.group(1) == "HELP" else type_)[m.group(2)] = m.group(3)
        continue
    m = re.match(r"(node_ipam_controller_\w+)(\{(.*)\})? ", line)
    if m:
        labels = sorted(re.findall(r"(\w+)=\"", m.group(3) or ""))
        series.setdefault(m.group(1), set()).add(m.group(1) + "{" + ",".join(labels) + "}")
print(f"# node_ipam_controller_* metric families exported by kube-controller-manager {version}")
print("# (--controllers=nodeipam, RangeAllocator, after allocating and releasing blocks; re-record with")
print("# tests/kcm-metrics/record.sh BIN_DIR). Per family: its HELP and TYPE lines, then each series as")
print("# name{label names}.")
for family in sorted(type_):
    print(f"# HELP {family} {help_.get(family, '')}")
    print(f"# TYPE {family} {type_[family]}")
    for name in sorted(n for n in series if n == family or n.startswith(family + "_")):
        for s in sorted(series[name]):
            print(s)
PY
echo "recorded $(grep -c '^# TYPE' "$out") metric families to $out"
