# syntax=docker/dockerfile:1
# cidr-controller image: one self-contained, trimmed executable on Ubuntu chiseled runtime-deps (no shell, no
# package manager, non-root). The binary is built by .ci/publish.sh, the same script CI runs and then executes.
#   docker build -t cidr-controller:dev --build-arg VERSION=0.1.0 --build-arg REVISION="$(git rev-parse HEAD)" .

# Base images by digest: a tag such as 10.0-noble-chiseled moves with every .NET and Ubuntu patch, a digest does not.
# NOT PINNED YET: this repository was prepared without access to mcr.microsoft.com, and a digest that was not read
# from the registry itself must not be written here. To pin (and to move a pin forward), on a machine with access:
#   docker buildx imagetools inspect mcr.microsoft.com/dotnet/sdk:10.0.401 --format '{{json .Manifest.Digest}}'
#   docker buildx imagetools inspect mcr.microsoft.com/dotnet/runtime-deps:10.0-noble-chiseled --format '{{json .Manifest.Digest}}'
# (the digest of the multi-platform index, not of one platform's image, so that --platform keeps working), then
# write each FROM as IMAGE:TAG@sha256:DIGEST, keeping the tag for readers and for update bots, and add an
# org.opencontainers.image.base.digest label with the runtime image's digest.

# The SDK runs on the build machine's platform and cross-publishes for the target (no emulation needed). Its exact
# version, not 10.0: .ci/publish.sh restores in locked mode, and the SDK picks the version of the trimming pack that
# src/CidrController/packages.lock.json records, so a newer SDK would fail the build until the lock files are
# regenerated. .ci/update-lock-files.sh writes this tag (the SDK it ran with); .ci/artifacts.sh checks it.
FROM --platform=$BUILDPLATFORM mcr.microsoft.com/dotnet/sdk:10.0.401 AS build
ARG TARGETARCH
ARG REVISION=""
ENV DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
WORKDIR /src
COPY . .
RUN --mount=type=cache,id=nuget,target=/root/.nuget/packages \
    SOURCE_REVISION="$REVISION" bash .ci/publish.sh /out "$TARGETARCH"

FROM mcr.microsoft.com/dotnet/runtime-deps:10.0-noble-chiseled
ARG VERSION=0.1.0
ARG REVISION=""
LABEL org.opencontainers.image.title="cidr-controller" \
      org.opencontainers.image.description="Kubernetes node IPAM controller: gives every node a pod CIDR (kube-controller-manager's RangeAllocator, standalone)" \
      org.opencontainers.image.version="$VERSION" \
      org.opencontainers.image.revision="$REVISION" \
      org.opencontainers.image.base.name="mcr.microsoft.com/dotnet/runtime-deps:10.0-noble-chiseled" \
      org.opencontainers.image.licenses="Apache-2.0"
COPY --from=build /out/cidr-controller /app/cidr-controller
# The SBOM .ci/publish.sh wrote (SPDX 2.2: the packages inside the binary), and the licenses of what ships.
COPY --from=build /out/_manifest/spdx_2.2/manifest.spdx.json /app/sbom.spdx.json
COPY LICENSE NOTICE /app/
# Numeric (1654 in the .NET images), so that runAsNonRoot can verify it.
USER $APP_UID
# /healthz, /readyz, /metrics (plain HTTP; --metrics-bind-address).
EXPOSE 10290
ENTRYPOINT ["/app/cidr-controller"]
