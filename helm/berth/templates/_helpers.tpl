{{/* Chart name, cut to the 63 characters a label allows. */}}
{{- define "berth.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Release-qualified name; the release name alone when it already contains the chart name. */}}
{{- define "berth.fullname" -}}
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

{{- define "berth.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "berth.selectorLabels" -}}
app.kubernetes.io/name: {{ include "berth.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{- define "berth.labels" -}}
helm.sh/chart: {{ include "berth.chart" . }}
{{ include "berth.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/component: operator
app.kubernetes.io/part-of: berth
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end }}

{{- define "berth.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "berth.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{- define "berth.image" -}}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) }}
{{- end }}

{{/* The Secret holding the database and Redis settings: the user's own, or the one this chart creates. */}}
{{- define "berth.secretName" -}}
{{- default (printf "%s-connections" (include "berth.fullname" .)) .Values.existingSecret.name }}
{{- end }}

{{/* "true" when the chart creates the connections Secret: no existing Secret and at least one value given. */}}
{{- define "berth.createSecret" -}}
{{- if and (not .Values.existingSecret.name) (or .Values.database.url .Values.database.user .Values.database.password .Values.redis.url) -}}
true
{{- end }}
{{- end }}

{{/*
The connection variables, each read from the connections Secret. With an existing Secret every key is optional
(the Secret may leave one out); with the chart's own Secret an entry exists only when its value was given.
*/}}
{{- define "berth.connectionEnv" -}}
{{- $keys := .Values.existingSecret.keys }}
{{- $entries := list
      (list "BERTH_DATABASE_URL" $keys.databaseUrl .Values.database.url)
      (list "BERTH_DATABASE_USER" $keys.databaseUser .Values.database.user)
      (list "BERTH_DATABASE_PASSWORD" $keys.databasePassword .Values.database.password)
      (list "BERTH_REDIS_URL" $keys.redisUrl .Values.redis.url) }}
{{- range $entries }}
{{- if or $.Values.existingSecret.name (index . 2) }}
- name: {{ index . 0 }}
  valueFrom:
    secretKeyRef:
      name: {{ include "berth.secretName" $ }}
      key: {{ index . 1 }}
      {{- if $.Values.existingSecret.name }}
      optional: true
      {{- end }}
{{- end }}
{{- end }}
{{- end }}

{{/* True when the mirror will use the embedded PostgreSQL (no URL from values nor from an existing Secret). */}}
{{- define "berth.embeddedDatabase" -}}
{{- if and (not .Values.existingSecret.name) (not .Values.database.url) -}}
true
{{- end }}
{{- end }}

{{/* Rules on Berth's own kinds and the objects they reference, granted per watched namespace or cluster-wide. */}}
{{- define "berth.namespacedRules" -}}
- apiGroups: ["berth.dev"]
  resources: ["servers", "applications", "standalonedatabases", "scheduledbackups"]
  verbs: ["get", "list", "watch", "update", "patch"]
- apiGroups: ["berth.dev"]
  resources: ["servers/status", "applications/status", "standalonedatabases/status", "scheduledbackups/status"]
  verbs: ["get", "update", "patch"]
- apiGroups: ["berth.dev"]
  resources: ["servers/finalizers", "applications/finalizers", "standalonedatabases/finalizers", "scheduledbackups/finalizers"]
  verbs: ["update"]
# SSH private keys, database credentials, S3 credentials; create/update only for generated database credentials
# and connection Secrets (no delete: they go with their database by owner reference).
- apiGroups: [""]
  resources: ["secrets"]
  verbs: ["get", "list", "watch", "create", "update"]
# Application env from ConfigMap keys.
- apiGroups: [""]
  resources: ["configmaps"]
  verbs: ["get", "list", "watch"]
# Events for notable transitions (written as core v1 Events).
- apiGroups: [""]
  resources: ["events"]
  verbs: ["create", "patch"]
{{- end }}
