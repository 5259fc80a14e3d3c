{{/* Chart name, truncated to a DNS label. */}}
{{- define "wirestream.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Full name: release-chart, or the release name alone when it already contains the chart name. */}}
{{- define "wirestream.fullname" -}}
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

{{- define "wirestream.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "wirestream.labels" -}}
helm.sh/chart: {{ include "wirestream.chart" . }}
{{ include "wirestream.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: wirestream
{{- end }}

{{- define "wirestream.selectorLabels" -}}
app.kubernetes.io/name: {{ include "wirestream.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{- define "wirestream.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "wirestream.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{- define "wirestream.image" -}}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) }}
{{- end }}

{{/* Name of the Secret the pods read (an existing one, or the one the chart creates). */}}
{{- define "wirestream.secretName" -}}
{{- default (include "wirestream.fullname" .) .Values.secrets.existingSecret }}
{{- end }}

{{/* The topic the workers consume and KEDA watches. */}}
{{- define "wirestream.pagesTopic" -}}
{{- printf "%s.pages.v1" .Values.config.topicPrefix }}
{{- end }}

{{/* Non-secret WIRESTREAM_* settings, KEY: "value" lines; the ConfigMap and the init Job share them. */}}
{{- define "wirestream.configEnv" -}}
{{- $c := .Values.config }}
WIRESTREAM_KAFKA_BOOTSTRAP_SERVERS: {{ required "config.kafkaBootstrapServers is required" $c.kafkaBootstrapServers | toString | quote }}
WIRESTREAM_KAFKA_SECURITY_PROTOCOL: {{ $c.kafkaSecurityProtocol | toString | quote }}
WIRESTREAM_KAFKA_SASL_MECHANISM: {{ $c.kafkaSaslMechanism | toString | quote }}
{{- with $c.kafkaUsername }}
WIRESTREAM_KAFKA_USERNAME: {{ . | toString | quote }}
{{- end }}
WIRESTREAM_ELASTICSEARCH_URL: {{ required "config.elasticsearchUrl is required" $c.elasticsearchUrl | toString | quote }}
{{- with $c.elasticsearchUsername }}
WIRESTREAM_ELASTICSEARCH_USERNAME: {{ . | toString | quote }}
{{- end }}
WIRESTREAM_INDEX_ALIAS: {{ $c.indexAlias | toString | quote }}
WIRESTREAM_TOPIC_PREFIX: {{ $c.topicPrefix | toString | quote }}
WIRESTREAM_TOPIC_PARTITIONS: {{ $c.topicPartitions | toString | quote }}
WIRESTREAM_TOPIC_REPLICATION: {{ $c.topicReplication | toString | quote }}
WIRESTREAM_WORKER_GROUP: {{ $c.workerGroup | toString | quote }}
WIRESTREAM_WORKER_WEB_PORT: {{ .Values.worker.port | toString | quote }}
WIRESTREAM_SCRAPE_METRICS_PORT: {{ .Values.scraper.metricsPort | toString | quote }}
WIRESTREAM_STATE_DIR: "/var/lib/wirestream"
WIRESTREAM_LOG_FORMAT: {{ $c.logFormat | toString | quote }}
WIRESTREAM_LOG_LEVEL: {{ $c.logLevel | toString | quote }}
{{- range $key, $value := .Values.extraEnv }}
{{- if has $key (values $.Values.secrets.keys) }}
{{- fail (printf "extraEnv.%s is a secret: put it into the Secret (secrets.*), not into the ConfigMap" $key) }}
{{- end }}
{{ $key }}: {{ $value | toString | quote }}
{{- end }}
{{- end }}

{{/* env entries for the secrets: each key optional, from the Secret named by the first argument. */}}
{{- define "wirestream.secretEnv" -}}
{{- $secret := index . 0 }}
{{- $keys := index . 1 }}
{{- range $field := list "elasticsearchPassword" "elasticsearchApiKey" "kafkaPassword" }}
{{- $key := index $keys $field }}
- name: {{ $key }}
  valueFrom:
    secretKeyRef:
      name: {{ $secret }}
      key: {{ $key }}
      optional: true
{{- end }}
{{- end }}

{{/* The secret values of the chart-created Secret (only the ones set). */}}
{{- define "wirestream.secretData" -}}
{{- $s := .Values.secrets }}
{{- range $field := list "elasticsearchPassword" "elasticsearchApiKey" "kafkaPassword" }}
{{- with index $s $field }}
{{ index $s.keys $field }}: {{ . | toString | b64enc | quote }}
{{- end }}
{{- end }}
{{- end }}

{{/* The two writable emptyDirs (state dir, /tmp). */}}
{{- define "wirestream.volumes" -}}
- name: state
  emptyDir:
    sizeLimit: {{ .Values.stateDir.sizeLimit }}
- name: tmp
  emptyDir:
    sizeLimit: {{ .Values.tmpDir.sizeLimit }}
{{- end }}

{{- define "wirestream.volumeMounts" -}}
- name: state
  mountPath: /var/lib/wirestream
- name: tmp
  mountPath: /tmp
{{- end }}

{{/* Scheduling and pod-level settings shared by every pod. */}}
{{- define "wirestream.podCommon" -}}
automountServiceAccountToken: false
{{- with .Values.imagePullSecrets }}
imagePullSecrets:
  {{- toYaml . | nindent 2 }}
{{- end }}
securityContext:
  {{- toYaml .Values.podSecurityContext | nindent 2 }}
{{- with .Values.nodeSelector }}
nodeSelector:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with .Values.affinity }}
affinity:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with .Values.tolerations }}
tolerations:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- end }}
