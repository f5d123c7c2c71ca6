{{/* The chart name, at most 63 characters. */}}
{{- define "tradingstack-operator.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* The full name of the release's objects, at most 63 characters. */}}
{{- define "tradingstack-operator.fullname" -}}
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

{{- define "tradingstack-operator.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* The labels of every object. */}}
{{- define "tradingstack-operator.labels" -}}
helm.sh/chart: {{ include "tradingstack-operator.chart" . }}
{{ include "tradingstack-operator.selectorLabels" . }}
app.kubernetes.io/version: {{ .Values.image.tag | default .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: tradingstack
{{- end }}

{{/* The labels that select the operator's pods. */}}
{{- define "tradingstack-operator.selectorLabels" -}}
app.kubernetes.io/name: {{ include "tradingstack-operator.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{- define "tradingstack-operator.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "tradingstack-operator.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- required "serviceAccount.name is required when serviceAccount.create is false" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{- define "tradingstack-operator.image" -}}
{{- printf "%s:%s" .Values.image.repository (.Values.image.tag | default .Chart.AppVersion) }}
{{- end }}

{{/*
The operator's permissions: exactly the rules of deploy/rbac/clusterrole.yaml, which a test of
the operator checks against the verbs it uses. scripts/check-manifests.sh fails when the two
differ.
*/}}
{{- define "tradingstack-operator.rules" -}}
# The controller's watch (list + watch) and the start-up check that the CRD is installed.
- apiGroups: ["tradingstack.io"]
  resources: ["tradingstacks"]
  verbs: ["list", "watch"]
# Status is written with server-side apply.
- apiGroups: ["tradingstack.io"]
  resources: ["tradingstacks/status"]
  verbs: ["patch"]
# Children carry blockOwnerDeletion=true owner references, which the
# OwnerReferencesPermissionEnforcement admission plugin allows only to whoever may
# update the owner's finalizers.
- apiGroups: ["tradingstack.io"]
  resources: ["tradingstacks/finalizers"]
  verbs: ["update"]
# Children: watched (owns), listed per stack, applied with server-side apply; an apply
# that creates the object is authorized as create.
- apiGroups: ["apps"]
  resources: ["deployments"]
  verbs: ["list", "watch", "create", "patch"]
- apiGroups: [""]
  resources: ["services"]
  verbs: ["list", "watch", "create", "patch"]
# The referenced Secret is read by the reconciler and watched to roll pods on a change.
- apiGroups: [""]
  resources: ["secrets"]
  verbs: ["get", "list", "watch"]
# Gate transitions are published as events (a repeated one is patched into a series).
- apiGroups: ["events.k8s.io"]
  resources: ["events"]
  verbs: ["create", "patch"]
{{- end }}
