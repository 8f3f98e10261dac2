{{- define "gs.token" -}}
{{- uuidv4 -}}
{{- end -}}

{{- define "gs.password" -}}
{{- $existing := lookup "v1" "Secret" .Release.Namespace "guarded" -}}
{{- if $existing -}}
{{- index $existing.data "password" | b64dec -}}
{{- else -}}
{{- randAlphaNum 20 -}}
{{- end -}}
{{- end -}}
