{{/* The chart's name (nameOverride). */}}
{{- define "gitops-cmdb.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Names of this release's objects: fullnameOverride, else <release>-<chart> (or <release> when it holds the chart's name). */}}
{{- define "gitops-cmdb.fullname" -}}
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

{{- define "gitops-cmdb.selectorLabels" -}}
app.kubernetes.io/name: {{ include "gitops-cmdb.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{- define "gitops-cmdb.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{ include "gitops-cmdb.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end }}

{{- define "gitops-cmdb.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "gitops-cmdb.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- required "serviceAccount.name is required when serviceAccount.create is false" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{- define "gitops-cmdb.image" -}}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) }}
{{- end }}

{{- define "gitops-cmdb.leaseName" -}}
{{- default (printf "%s-leader" (include "gitops-cmdb.fullname" .)) .Values.leaderElection.leaseName }}
{{- end }}

{{/* The ClusterRole and its binding are cluster-wide: their names carry the namespace. */}}
{{- define "gitops-cmdb.clusterRoleName" -}}
{{- printf "%s-%s-reader" .Release.Namespace (include "gitops-cmdb.fullname" .) }}
{{- end }}

{{/*
How the config repo reaches the server: "github" (configRepo.github, cloned by
the server), "url" (configRepo.url or urlSecret, cloned by the pod and fetched
by a sidecar) or "demo" (neither: the Acme demo repo baked into the image).
*/}}
{{- define "gitops-cmdb.repoMode" -}}
{{- $url := or .Values.configRepo.url .Values.configRepo.urlSecret.name }}
{{- if and $url .Values.configRepo.github }}
{{- fail "configRepo: set either github (OWNER/NAME) or url/urlSecret, not both" }}
{{- else if .Values.configRepo.github }}
{{- if not (regexMatch "^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+$" .Values.configRepo.github) }}
{{- fail (printf "configRepo.github must be OWNER/NAME, not %q" .Values.configRepo.github) }}
{{- end }}
{{- print "github" }}
{{- else if $url }}
{{- if and .Values.configRepo.url .Values.configRepo.urlSecret.name }}
{{- fail "configRepo: set either url or urlSecret.name, not both" }}
{{- end }}
{{- print "url" }}
{{- else }}
{{- print "demo" }}
{{- end }}
{{- end }}

{{/* Where the image keeps the demo config repo (deploy/Dockerfile). */}}
{{- define "gitops-cmdb.demoRepo" -}}
/opt/gitops-cmdb/demo.git
{{- end }}

{{/* Whether the GitHub change controller runs. */}}
{{- define "gitops-cmdb.githubEnabled" -}}
{{- if or .Values.github.enabled .Values.configRepo.github }}true{{ end }}
{{- end }}

{{- define "gitops-cmdb.githubSecretName" -}}
{{- default (printf "%s-github" (include "gitops-cmdb.fullname" .)) .Values.github.existingSecret }}
{{- end }}

{{- define "gitops-cmdb.neo4jSecretName" -}}
{{- default (printf "%s-neo4j" (include "gitops-cmdb.fullname" .)) .Values.neo4j.existingSecret }}
{{- end }}

{{/* The environment of the containers that run git: the repo URL, and a writable HOME. */}}
{{- define "gitops-cmdb.gitEnv" -}}
- {name: HOME, value: /tmp}
{{- $mode := include "gitops-cmdb.repoMode" . }}
{{- if eq $mode "demo" }}
- {name: CMDB_CONFIG_REPO_URL, value: {{ include "gitops-cmdb.demoRepo" . | quote }}}
{{- else if .Values.configRepo.urlSecret.name }}
- name: CMDB_CONFIG_REPO_URL
  valueFrom:
    secretKeyRef:
      name: {{ .Values.configRepo.urlSecret.name }}
      key: {{ .Values.configRepo.urlSecret.key }}
{{- else }}
- {name: CMDB_CONFIG_REPO_URL, value: {{ .Values.configRepo.url | quote }}}
{{- end }}
{{- end }}
