# syntax=docker/dockerfile:1
# cidr-controller image: one self-contained, trimmed executable on Ubuntu chiseled runtime-deps (no shell, no
# package manager, non-root). The binary is built by .ci/publish.sh, the same script CI runs and then executes.
#   docker build -t cidr-controller:dev --build-arg VERSION=0.1.0 --build-arg REVISION="$(git rev-parse HEAD)" .

# The SDK runs on the build machine's platform and cross-publishes for the target (no emulation needed).
FROM --platform=$BUILDPLATFORM mcr.microsoft.com/dotnet/sdk:10.0 AS build
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
      org.opencontainers.image.base.name="mcr.microsoft.com/dotnet/runtime-deps:10.0-noble-chiseled"
COPY --from=build /out/cidr-controller /app/cidr-controller
# Numeric (1654 in the .NET images), so that runAsNonRoot can verify it.
USER $APP_UID
# /healthz, /readyz, /metrics (plain HTTP; --metrics-bind-address).
EXPOSE 10290
ENTRYPOINT ["/app/cidr-controller"]
