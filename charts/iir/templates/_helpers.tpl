{{- define "iir.labels" -}}
app.kubernetes.io/name: iir
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
{{- end -}}
