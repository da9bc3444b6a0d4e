#!/usr/bin/env bash
# The one publish command for the shipped binary: the Dockerfile runs it, and .ci/artifacts.sh runs it and then
# executes the result, so a trimming break cannot hide behind "it works with dotnet run".
# Usage: .ci/publish.sh OUTPUT_DIR [ARCH]   ARCH: amd64|x64|arm64 (default: this machine's)
# Output: OUTPUT_DIR/cidr-controller, one self-contained, trimmed executable (see TrimmedPublish in the csproj), and
# its SBOM, OUTPUT_DIR/_manifest/spdx_2.2/manifest.spdx.json (SPDX 2.2, Microsoft's sbom-tool, pinned in
# .config/dotnet-tools.json): every NuGet package and runtime pack the projects under src/ restore, with versions.
# .ci/artifacts.sh checks that it lists every package the binary's embedded .deps.json says ships.
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

# Locked restore, always (not only in CI): what ships is the package graph committed in packages.lock.json, hashes
# included. The lock file holds the graphs of both runtimes (RuntimeIdentifiers in the csproj).
if ! dotnet publish src/CidrController/CidrController.csproj -c Release -r "$rid" -p:TrimmedPublish=true -p:RestoreLockedMode=true \
  "${revision[@]}" -o "$out"; then
  echo "publish.sh: publish failed; if the restore above says NU1004, a packages.lock.json disagrees with Directory.Packages.props or a PackageReference: run .ci/update-lock-files.sh and commit the lock files" >&2
  exit 1
fi

# The SBOM: files of the output directory (with hashes) and the packages restored for src/ (component detection reads
# each project's obj/project.assets.json, so it runs after the publish's restore). The tool targets .NET 8 and
# rolls forward to the SDK's runtime (rollForward in the manifest).
version=$(sed -n 's:.*<Version>\(.*\)</Version>.*:\1:p' Directory.Build.props)
rm -rf "$out/_manifest"
dotnet tool restore >/dev/null
dotnet sbom-tool generate -b "$out" -bc src -pn cidr-controller -pv "$version" -ps cidr-controller \
  -nsb https://github.com/cidr-controller/cidr-controller -m "$out" -V Warning >/dev/null
echo "SBOM: $out/_manifest/spdx_2.2/manifest.spdx.json"
