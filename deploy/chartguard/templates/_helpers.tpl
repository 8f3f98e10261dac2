{{- define "chartguard.name" -}}
{{- printf "%s-webhook" .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "chartguard.labels" -}}
app.kubernetes.io/name: {{ include "chartguard.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/part-of: chartguard
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version }}
{{- end -}}

{{- define "chartguard.selectorLabels" -}}
app.kubernetes.io/name: {{ include "chartguard.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}
