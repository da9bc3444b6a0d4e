#!/usr/bin/env bash
# The one publish command for the shipped binary: the Dockerfile runs it, and .ci/artifacts.sh runs it and then
# executes the result, so a trimming break cannot hide behind "it works with dotnet run".
# Usage: .ci/publish.sh OUTPUT_DIR [ARCH]   ARCH: amd64|x64|arm64 (default: this machine's)
# Output: OUTPUT_DIR/cidr-controller, one self-contained, trimmed executable (see TrimmedPublish in the csproj).
set -euo pipefail
cd "$(dirname "$0")/.."

out=${1:?usage: .ci/publish.sh OUTPUT_DIR [ARCH]}
arch=${2:-$(uname -m)}
case "$arch" in
  amd64 | x64 | x86_64) rid=linux-x64 ;;
  arm64 | aarch64) rid=linux-arm64 ;;
  *) echo "publish.sh: unsupported architecture $arch" >&2; exit 2 ;;
esac

# A version without a commit hash when there is no .git (the Docker build context leaves it out); the Dockerfile
# passes the revision in as SOURCE_REVISION.
revision=()
if [ -n "${SOURCE_REVISION:-}" ]; then
  revision=("-p:SourceRevisionId=$SOURCE_REVISION")
fi

dotnet publish src/CidrController/CidrController.csproj -c Release -r "$rid" -p:TrimmedPublish=true "${revision[@]}" -o "$out"
