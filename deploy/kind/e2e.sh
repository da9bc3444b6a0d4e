#!/usr/bin/env bash
# End-to-end check in a real cluster. NEEDS Docker and kind (plus kubectl and helm); it cannot run in CI here.
#   deploy/kind/e2e.sh [single-stack|dual-stack]     (default single-stack)
# Creates a kind cluster whose kube-controller-manager does not allocate node CIDRs (deploy/kind/*.yaml), builds
# the image and loads it into kind, installs the chart, waits until every node has podCIDRs and CoreDNS is Ready
# (kindnet and CoreDNS cannot work before), then adds a node object and waits for its CIDRs, and checks the pool
# metrics over HTTPS with a scraper token. The cluster is deleted on exit unless KEEP_CLUSTER=1.
set -euo pipefail
cd "$(dirname "$0")/../.."

variant=${1:-single-stack}
case "$variant" in
  single-stack) cluster_cidrs='{10.244.0.0/16}' ;;
  dual-stack) cluster_cidrs='{10.244.0.0/16,fd00:10:244::/56}' ;;
  *) echo "usage: $0 [single-stack|dual-stack]" >&2; exit 2 ;;
esac
cluster=${CLUSTER_NAME:-cidr-controller-e2e}
image=cidr-controller:e2e
namespace=kube-system
timeout=${TIMEOUT:-300}

for tool in docker kind kubectl helm; do
  command -v "$tool" >/dev/null || { echo "e2e.sh needs $tool on PATH" >&2; exit 2; }
done

cleanup() {
  if [ "${KEEP_CLUSTER:-0}" != 1 ]; then
    kind delete cluster --name "$cluster" >/dev/null 2>&1 || true
  fi
}
trap cleanup EXIT

step() { printf '\n== %s\n' "$*"; }

# Every node has spec.podCIDRs (one per family).
all_nodes_have_cidrs() {
  local want=$1
  kubectl get nodes -o jsonpath='{range .items[*]}{.metadata.name}{" "}{.spec.podCIDRs}{"\n"}{end}' |
    awk -v want="$want" '{ n = split($2, a, ","); if (n < want || $2 == "") bad++ } END { exit bad > 0 }'
}

wait_for() {
  local what=$1; shift
  local deadline=$((SECONDS + timeout))
  until "$@"; do
    if [ "$SECONDS" -ge "$deadline" ]; then
      echo "timed out after ${timeout}s waiting for: $what" >&2
      kubectl get nodes -o custom-columns=NAME:.metadata.name,PODCIDRS:.spec.podCIDRs >&2 || true
      kubectl -n "$namespace" logs deployment/cidr-controller --tail=50 >&2 || true
      return 1
    fi
    sleep 2
  done
}

families=1
[ "$variant" = dual-stack ] && families=2

step "kind cluster $cluster ($variant)"
kind create cluster --name "$cluster" --config "deploy/kind/$variant.yaml" --wait 0s

step "image $image"
docker build -t "$image" --build-arg REVISION="$(git rev-parse HEAD 2>/dev/null || echo unknown)" .
kind load docker-image "$image" --name "$cluster"

step "helm install"
helm upgrade --install cidr-controller charts/cidr-controller --namespace "$namespace" \
  --set image.repository="${image%:*}" --set image.tag="${image#*:}" --set image.pullPolicy=Never \
  --set "clusterCIDRs=$cluster_cidrs" --wait --timeout "${timeout}s"

step "every node gets pod CIDRs"
wait_for "podCIDRs on every node" all_nodes_have_cidrs "$families"
kubectl get nodes -o custom-columns=NAME:.metadata.name,PODCIDRS:.spec.podCIDRs

step "nodes Ready (the CNI needs the CIDRs) and CoreDNS Ready"
kubectl wait --for=condition=Ready nodes --all --timeout="${timeout}s"
kubectl -n kube-system rollout status deployment/coredns --timeout="${timeout}s"

step "a new node object gets CIDRs too"
kubectl apply -f - <<'NODE'
apiVersion: v1
kind: Node
metadata:
  name: e2e-extra-node
  labels:
    e2e: cidr-controller
NODE
wait_for "podCIDRs on e2e-extra-node" all_nodes_have_cidrs "$families"
kubectl get node e2e-extra-node -o jsonpath='{.spec.podCIDRs}{"\n"}'
kubectl delete node e2e-extra-node

step "metrics over HTTPS: 401 without a token, 200 for a ServiceAccount bound to the metrics reader role"
kubectl -n "$namespace" create serviceaccount e2e-scraper
kubectl create clusterrolebinding e2e-scraper --clusterrole=cidr-controller-metrics-reader --serviceaccount="$namespace:e2e-scraper"
token=$(kubectl -n "$namespace" create token e2e-scraper)
kubectl -n "$namespace" port-forward deployment/cidr-controller 10290:10290 >/dev/null &
forward=$!
anonymous_is_401() { [ "$(curl -sk -o /dev/null -w '%{http_code}' https://127.0.0.1:10290/metrics)" = 401 ]; }
scraper_reads_metrics() {
  curl -skf -H "Authorization: Bearer $token" https://127.0.0.1:10290/metrics |
    grep -E '^node_ipam_controller_cidrset_(allocated|usage)_cidrs'
}
wait_for "anonymous /metrics answers 401" anonymous_is_401
wait_for "the scraper's token reads /metrics (RBAC may take a moment)" scraper_reads_metrics
kill "$forward"

step "OK: $variant"
