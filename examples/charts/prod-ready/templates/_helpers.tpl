{{/*
Chart name, truncated to the 63 characters Kubernetes allows in a label value.
*/}}
{{- define "prod-ready.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/*
Fully qualified app name. The release name is used as-is when it already contains the chart name.
*/}}
{{- define "prod-ready.fullname" -}}
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

{{- define "prod-ready.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/*
Labels every object carries, without a component. Hook and test objects add their own
component, so their pods never match the Deployment/Service/PDB selector below.
*/}}
{{- define "prod-ready.commonLabels" -}}
helm.sh/chart: {{ include "prod-ready.chart" . }}
app.kubernetes.io/name: {{ include "prod-ready.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: orders
{{- end }}

{{/*
Selector of the API pods (Deployment, Service, PDB, ServiceMonitor via the Service labels).
*/}}
{{- define "prod-ready.selectorLabels" -}}
app.kubernetes.io/name: {{ include "prod-ready.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/component: api
{{- end }}

{{- define "prod-ready.labels" -}}
{{ include "prod-ready.commonLabels" . }}
app.kubernetes.io/component: api
{{- end }}

{{- define "prod-ready.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "prod-ready.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{/*
The application image, pinned: tag from values, else the chart's appVersion.
*/}}
{{- define "prod-ready.image" -}}
{{- printf "%s:%s" .Values.image.repository (.Values.image.tag | default .Chart.AppVersion | toString) }}
{{- end }}

{{/*
Name of the Secret the ExternalSecret materialises; the app and the hooks read it.
*/}}
{{- define "prod-ready.secretName" -}}
{{- printf "%s-secrets" (include "prod-ready.fullname" .) }}
{{- end }}
