{{/* Chart name, truncated to the 63 characters a label value allows. */}}
{{- define "cidr-controller.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Full name: the release name, unless it already contains the chart name. */}}
{{- define "cidr-controller.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{- define "cidr-controller.selectorLabels" -}}
app.kubernetes.io/name: {{ include "cidr-controller.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{- define "cidr-controller.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{ include "cidr-controller.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/component: node-ipam-controller
{{- end }}

{{- define "cidr-controller.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "cidr-controller.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{- define "cidr-controller.leaseName" -}}
{{- default (include "cidr-controller.fullname" .) .Values.leaderElection.resourceName }}
{{- end }}

{{- define "cidr-controller.leaseNamespace" -}}
{{- default .Release.Namespace .Values.leaderElection.resourceNamespace }}
{{- end }}

{{/* "true" when cidrReuseDelay is not zero: the controller then keeps its reuse quarantine in a ConfigMap. */}}
{{- define "cidr-controller.quarantine" -}}
{{- if not (regexMatch "^(0+(\\.0+)?(ns|us|µs|ms|s|m|h))+$" (toString .Values.cidrReuseDelay)) }}true{{ end }}
{{- end }}

{{/* The reuse quarantine's ConfigMap: beside the Lease, named after it (as the controller derives it). */}}
{{- define "cidr-controller.quarantineConfigMap" -}}
{{- printf "%s-quarantine" (include "cidr-controller.leaseName" .) }}
{{- end }}

{{/* The port of metrics.bindAddress (host:port or [v6]:port); the schema makes sure there is one. */}}
{{- define "cidr-controller.securePort" -}}
{{- if or (hasPrefix "127." .Values.serving.bindAddress) (eq .Values.serving.bindAddress "::1") }}
{{- fail "serving.bindAddress must not be a loopback address: kubelet probes and Prometheus reach the pod on the node's IP (keep 0.0.0.0 or ::)" }}
{{- end }}
{{- .Values.serving.securePort }}
{{- end }}

{{- define "cidr-controller.image" -}}
{{- if .Values.image.digest }}
{{- printf "%s@%s" .Values.image.repository .Values.image.digest }}
{{- else }}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) }}
{{- end }}
{{- end }}

{{/*
The controller's arguments, one flag per line, --flag=value (pflag syntax). Every value is passed explicitly so
that the pod spec shows the whole configuration; null mask sizes and empty strings are left to the controller.
*/}}
{{- define "cidr-controller.args" -}}
{{- $v := .Values }}
{{- if and $v.allocateNodeCIDRs (empty $v.clusterCIDRs) }}
{{- fail "clusterCIDRs is required: set the pod address space, e.g. --set 'clusterCIDRs={10.244.0.0/16}' (kind's default; dual-stack: '{10.244.0.0/16,fd00:10:244::/56}'). It must match the cluster's pod subnet (kubeadm networking.podSubnet)." }}
{{- end }}
- "--allocate-node-cidrs={{ $v.allocateNodeCIDRs }}"
{{- with $v.clusterCIDRs }}
- "--cluster-cidr={{ join "," . }}"
{{- end }}
{{- if not (kindIs "invalid" $v.nodeCIDRMaskSize) }}
- "--node-cidr-mask-size={{ $v.nodeCIDRMaskSize }}"
{{- end }}
{{- if not (kindIs "invalid" $v.nodeCIDRMaskSizeIPv4) }}
- "--node-cidr-mask-size-ipv4={{ $v.nodeCIDRMaskSizeIPv4 }}"
{{- end }}
{{- if not (kindIs "invalid" $v.nodeCIDRMaskSizeIPv6) }}
- "--node-cidr-mask-size-ipv6={{ $v.nodeCIDRMaskSizeIPv6 }}"
{{- end }}
{{- with $v.serviceClusterIPRanges }}
- "--service-cluster-ip-range={{ join "," . }}"
{{- end }}
- "--cidr-allocator-type={{ $v.cidrAllocatorType }}"
- "--configure-cloud-routes={{ $v.configureCloudRoutes }}"
{{- with $v.kubeconfig }}
- {{ printf "--kubeconfig=%s" . | quote }}
{{- end }}
{{- with $v.master }}
- {{ printf "--master=%s" . | quote }}
{{- end }}
- "--kube-api-qps={{ $v.kubeAPIQPS }}"
- "--kube-api-burst={{ $v.kubeAPIBurst }}"
- "--concurrent-node-syncs={{ $v.concurrentNodeSyncs }}"
- "--cluster-cidr-pools={{ $v.clusterCIDRPools.enabled }}"
- "--cidr-reuse-delay={{ $v.cidrReuseDelay }}"
- "--leader-elect={{ $v.leaderElection.enabled }}"
{{- if $v.leaderElection.enabled }}
- "--leader-elect-lease-duration={{ $v.leaderElection.leaseDuration }}"
- "--leader-elect-renew-deadline={{ $v.leaderElection.renewDeadline }}"
- "--leader-elect-retry-period={{ $v.leaderElection.retryPeriod }}"
{{- end }}
{{- /* The Lease's name and namespace also place the reuse quarantine's ConfigMap, with or without leader election. */}}
{{- if or $v.leaderElection.enabled (include "cidr-controller.quarantine" .) }}
- "--leader-elect-resource-name={{ include "cidr-controller.leaseName" . }}"
- "--leader-elect-resource-namespace={{ include "cidr-controller.leaseNamespace" . }}"
{{- end }}
- "--bind-address={{ $v.serving.bindAddress }}"
- "--secure-port={{ include "cidr-controller.securePort" . }}"
{{- with $v.serving.tlsMinVersion }}
- "--tls-min-version={{ . }}"
{{- end }}
{{- if $v.serving.tlsSecretName }}
- "--tls-cert-file=/etc/cidr-controller/tls/tls.crt"
- "--tls-private-key-file=/etc/cidr-controller/tls/tls.key"
{{- end }}
- "--authorization-always-allow-paths={{ join "," $v.serving.alwaysAllowPaths }}"
- "--authentication-token-webhook-cache-ttl={{ $v.serving.tokenCacheTTL }}"
- "--authorization-webhook-cache-authorized-ttl={{ $v.serving.authorizedCacheTTL }}"
- "--authorization-webhook-cache-unauthorized-ttl={{ $v.serving.unauthorizedCacheTTL }}"
{{- with $v.metrics.bindAddress }}
- "--metrics-bind-address={{ . }}"
{{- end }}
- "--log-format={{ $v.logging.format }}"
- "--v={{ $v.logging.level }}"
{{- range $v.extraArgs }}
- {{ . | quote }}
{{- end }}
{{- end }}
