{{/* The TradingStack's name: stackName, else the release name; checked to fit every child. */}}
{{- define "tradingstack.stackName" -}}
{{- $name := .Values.stackName | default .Release.Name }}
{{- if not (regexMatch "^[a-z]([-a-z0-9]{0,48}[a-z0-9])?$" $name) }}
{{- fail (printf "the stack name %q (stackName, else the release name) must be a DNS label of at most 50 characters, starting with a letter: its children are <name>-workers, <name>-api-nodeport, ..." $name) }}
{{- end }}
{{- $name }}
{{- end }}

{{- define "tradingstack.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Labels of the chart's objects: a dict of root, name, component and optionally version. */}}
{{- define "tradingstack.labels" -}}
helm.sh/chart: {{ include "tradingstack.chart" .root }}
app.kubernetes.io/managed-by: {{ .root.Release.Service }}
app.kubernetes.io/part-of: tradingstack
app.kubernetes.io/version: {{ .version | default .root.Values.image.tag | default .root.Chart.AppVersion | quote }}
{{ include "tradingstack.selectorLabels" . }}
{{- end }}

{{- define "tradingstack.selectorLabels" -}}
app.kubernetes.io/name: {{ .name }}
app.kubernetes.io/instance: {{ .root.Release.Name }}
app.kubernetes.io/component: {{ .component }}
{{- end }}

{{/* The Secret the stack reads. */}}
{{- define "tradingstack.secretName" -}}
{{- if .Values.secret.create }}
{{- if .Values.secret.existingSecret }}
{{- fail "set either secret.create=true (the chart creates the Secret) or secret.existingSecret (a Secret you created), not both" }}
{{- end }}
{{- printf "%s-secrets" (include "tradingstack.stackName" .) }}
{{- else }}
{{- .Values.secret.existingSecret | default (printf "%s-secrets" (include "tradingstack.stackName" .)) }}
{{- end }}
{{- end }}

{{- define "tradingstack.postgresName" -}}
{{- printf "%s-postgres" (include "tradingstack.stackName" .) }}
{{- end }}

{{/* DATABASE_URL of the chart's Postgres. */}}
{{- define "tradingstack.postgresUrl" -}}
{{- $pg := .Values.postgres }}
{{- $password := required "postgres.password is required when postgres.enabled (the dev Postgres' password)" $pg.password }}
{{- /* urlquery writes a space as "+" (a literal "+" as %2B); a URL's user info needs %20. */}}
{{- $user := urlquery $pg.user | replace "+" "%20" }}
{{- $pass := urlquery $password | replace "+" "%20" }}
{{- printf "postgres://%s:%s@%s:5432/%s?sslmode=disable" $user $pass (include "tradingstack.postgresName" .) $pg.database }}
{{- end }}

{{/* The OTLP endpoint the services get, or nothing. */}}
{{- define "tradingstack.otlpEndpoint" -}}
{{- if .Values.telemetry.otlpEndpoint }}
{{- .Values.telemetry.otlpEndpoint }}
{{- else if .Values.jaeger.enabled }}
{{- printf "http://%s-collector:4318" .Values.jaeger.name }}
{{- end }}
{{- end }}

{{/* spec.redis: exactly one mode, as the CRD's rule demands. */}}
{{- define "tradingstack.redis" -}}
{{- $r := .Values.redis }}
{{- $modes := 0 }}
{{- if $r.managed }}{{ $modes = add1 $modes }}{{- end }}
{{- if $r.url }}{{ $modes = add1 $modes }}{{- end }}
{{- if $r.urlSecretKey }}{{ $modes = add1 $modes }}{{- end }}
{{- if ne (int $modes) 1 }}
{{- fail "redis needs exactly one mode: managed: true, or managed: false with url (redis://...) or with urlSecretKey (a key of the Secret)" }}
{{- end }}
{{- if and (not $r.managed) (or $r.image $r.resources) }}
{{- fail "redis.image and redis.resources apply only to managed Redis (redis.managed: true)" }}
{{- end }}
{{- if $r.managed }}
managed: true
{{- with $r.image }}
image: {{ . | quote }}
{{- end }}
{{- with $r.resources }}
resources:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- else if $r.url }}
url: {{ $r.url | quote }}
{{- else }}
urlSecretKey: {{ $r.urlSecretKey | quote }}
{{- end }}
{{- end }}
