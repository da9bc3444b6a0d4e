#!/usr/bin/env bash
# Regenerates every packages.lock.json: run it after changing a version in Directory.Packages.props, adding or
# removing a PackageReference, or moving to another .NET SDK (the SDK picks the version of the trimming tool pack
# the shipped project restores; the Dockerfile's SDK tag is set to the SDK this ran with), then commit what it changed. CI restores in locked mode and fails on a
# lock file that this did not write.
# Usage: .ci/update-lock-files.sh
set -euo pipefail
cd "$(dirname "$0")/.."
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

# One restore of the solution writes every project's lock file, the shipped project's with the graphs of both
# runtimes it is published for (RuntimeIdentifiers in its csproj). --force-evaluate resolves everything anew instead
# of keeping what the old lock files say.
dotnet restore CidrController.sln --force-evaluate -p:RestoreLockedMode=false

# The restore of the publish (.ci/publish.sh, the Dockerfile) must now pass in locked mode for each runtime. Not
# `dotnet restore -r`: that sets RuntimeIdentifiers, a publish sets RuntimeIdentifier, and only the latter is what
# the locked publish sees.
for rid in linux-x64 linux-arm64; do
  dotnet msbuild src/CidrController/CidrController.csproj -t:Restore -v:m -p:Configuration=Release -p:_IsPublishing=true \
    -p:RuntimeIdentifier="$rid" -p:TrimmedPublish=true -p:RestoreLockedMode=true
done

# The Docker build restores in locked mode too, so it must run this SDK (see the comment above its FROM).
sdk=$(dotnet --version)
sed -i -E "s#(mcr\.microsoft\.com/dotnet/sdk):[0-9][^ ]* AS build#\1:$sdk AS build#" Dockerfile

git status --short -- '*packages.lock.json' Dockerfile
