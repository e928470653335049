{{/* Chart name, truncated to the 63 characters a label value allows. */}}
{{- define "ais-s3.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Full name: the release name, plus the chart name unless the release name already contains it. */}}
{{- define "ais-s3.fullname" -}}
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

{{/* chart-version, as the helm.sh/chart label. */}}
{{- define "ais-s3.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Labels that select the gateway pods: never change them between releases (selectors are immutable). */}}
{{- define "ais-s3.selectorLabels" -}}
app.kubernetes.io/name: {{ include "ais-s3.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{/* Labels on every resource. */}}
{{- define "ais-s3.labels" -}}
helm.sh/chart: {{ include "ais-s3.chart" . }}
{{ include "ais-s3.selectorLabels" . }}
app.kubernetes.io/version: {{ (default .Chart.AppVersion .Values.image.tag) | trunc 63 | quote }}
app.kubernetes.io/component: gateway
app.kubernetes.io/part-of: aistore
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end }}

{{- define "ais-s3.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "ais-s3.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{- define "ais-s3.image" -}}
{{- if .Values.image.digest }}
{{- printf "%s@%s" .Values.image.repository .Values.image.digest }}
{{- else }}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) }}
{{- end }}
{{- end }}

{{/* true when the gateway runs in front of an AIS cluster (a Deployment), else the embedded store (a StatefulSet). */}}
{{- define "ais-s3.isAis" -}}
{{- if eq .Values.store "ais" }}true{{ end }}
{{- end }}

{{/* The Secret holding the S3 credentials: the user's, or the chart's when it has keys to write. Empty for none. */}}
{{- define "ais-s3.secretName" -}}
{{- if .Values.auth.existingSecret }}
{{- .Values.auth.existingSecret }}
{{- else if .Values.auth.credentials }}
{{- printf "%s-credentials" (include "ais-s3.fullname" .) }}
{{- end }}
{{- end }}

{{/* The key of that Secret mounted as the credentials file. Empty when no file is mounted. */}}
{{- define "ais-s3.credentialsFileKey" -}}
{{- if .Values.auth.existingSecret }}
{{- .Values.auth.existingSecretKeys.credentialsFile }}
{{- else if .Values.auth.credentials }}
{{- print "credentials" }}
{{- end }}
{{- end }}

{{/* true when S3_ACCESS_KEY_ID / S3_SECRET_ACCESS_KEY come from auth.existingSecret as env. */}}
{{- define "ais-s3.credentialsEnv" -}}
{{- if and .Values.auth.existingSecret .Values.auth.existingSecretKeys.accessKeyId .Values.auth.existingSecretKeys.secretAccessKey }}true{{ end }}
{{- end }}

{{/* The TLS Secret the pods mount (tls.secretName, or the one the cert-manager Certificate writes). Empty: HTTP. */}}
{{- define "ais-s3.tlsSecretName" -}}
{{- if .Values.tls.secretName }}
{{- .Values.tls.secretName }}
{{- else if .Values.tls.certManager.enabled }}
{{- printf "%s-tls" (include "ais-s3.fullname" .) }}
{{- end }}
{{- end }}

{{/* HTTP or HTTPS: the scheme of the gateway's own port, for probes and scrapes. */}}
{{- define "ais-s3.scheme" -}}
{{- if include "ais-s3.tlsSecretName" . }}HTTPS{{ else }}HTTP{{ end }}
{{- end }}

{{/* Fails the render on value combinations that cannot work, with a message that says what to change. */}}
{{- define "ais-s3.validate" -}}
{{- if not (has .Values.store (list "embedded" "ais")) }}
{{- fail (printf "store must be `embedded` or `ais` (got %q)" .Values.store) }}
{{- end }}
{{- if include "ais-s3.isAis" . }}
{{- if not .Values.ais.endpoint }}
{{- fail "store=ais needs ais.endpoint: the URL of the AIS proxy service, e.g. http://ais-proxy.ais.svc.cluster.local:51080" }}
{{- end }}
{{- if and .Values.ais.singleWriter (or .Values.autoscaling.enabled (ne (int .Values.replicaCount) 1)) }}
{{- fail "ais.singleWriter needs replicaCount=1 and autoscaling.enabled=false: its per-key order holds inside one gateway process" }}
{{- end }}
{{- else }}
{{- if .Values.autoscaling.enabled }}
{{- fail "autoscaling.enabled needs store=ais: the embedded store runs exactly one replica" }}
{{- end }}
{{- end }}
{{- $keys := .Values.auth.existingSecretKeys }}
{{- if and .Values.auth.existingSecret (not (or $keys.credentialsFile (and $keys.accessKeyId $keys.secretAccessKey))) }}
{{- fail "auth.existingSecret needs auth.existingSecretKeys.credentialsFile, or both accessKeyId and secretAccessKey" }}
{{- end }}
{{- if and .Values.auth.existingSecret (or $keys.accessKeyId $keys.secretAccessKey) (not (and $keys.accessKeyId $keys.secretAccessKey)) }}
{{- fail "auth.existingSecretKeys.accessKeyId and secretAccessKey go together" }}
{{- end }}
{{- if and (eq .Values.auth.mode "verify") (not (include "ais-s3.secretName" .)) }}
{{- fail "auth.mode=verify needs credentials: auth.credentials or auth.existingSecret" }}
{{- end }}
{{- range .Values.auth.credentials }}
{{- if or (contains ":" .accessKeyId) (contains "\n" .accessKeyId) (contains "\n" .secretAccessKey) }}
{{- fail "auth.credentials: an accessKeyId may not contain `:` and neither value a line break" }}
{{- end }}
{{- end }}
{{- if le (mul (int64 .Values.terminationGracePeriodSeconds) 1000) (add (int64 .Values.shutdown.delayMs) (int64 .Values.shutdown.graceMs)) }}
{{- fail (printf "terminationGracePeriodSeconds=%d must exceed shutdown.delayMs + shutdown.graceMs (%d ms), or SIGKILL cuts requests still draining" (int64 .Values.terminationGracePeriodSeconds) (add (int64 .Values.shutdown.delayMs) (int64 .Values.shutdown.graceMs))) }}
{{- end }}
{{- if and .Values.autoscaling.enabled (not (or .Values.autoscaling.targetCPUUtilizationPercentage .Values.autoscaling.targetMemoryUtilizationPercentage)) }}
{{- fail "autoscaling.enabled needs targetCPUUtilizationPercentage or targetMemoryUtilizationPercentage" }}
{{- end }}
{{- if and .Values.tls.certManager.enabled (not .Values.tls.certManager.issuerRef.name) }}
{{- fail "tls.certManager.enabled needs tls.certManager.issuerRef.name: the Issuer or ClusterIssuer that signs the gateway's certificate" }}
{{- end }}
{{- if and .Values.metrics.port (eq (int .Values.metrics.port) (int .Values.containerPort)) }}
{{- fail "metrics.port must differ from containerPort (0 serves /metrics on containerPort only)" }}
{{- end }}
{{- end }}

{{/* The pod template shared by the Deployment (ais) and the StatefulSet (embedded). */}}
{{- define "ais-s3.podTemplate" -}}
metadata:
  labels:
    {{- include "ais-s3.labels" . | nindent 4 }}
    {{- with .Values.podLabels }}
    {{- toYaml . | nindent 4 }}
    {{- end }}
  annotations:
    checksum/config: {{ include (print $.Template.BasePath "/configmap.yaml") . | sha256sum }}
    {{- with .Values.podAnnotations }}
    {{- toYaml . | nindent 4 }}
    {{- end }}
spec:
  serviceAccountName: {{ include "ais-s3.serviceAccountName" . }}
  automountServiceAccountToken: {{ .Values.serviceAccount.automountServiceAccountToken }}
  {{- with .Values.imagePullSecrets }}
  imagePullSecrets:
    {{- toYaml . | nindent 4 }}
  {{- end }}
  {{- with .Values.priorityClassName }}
  priorityClassName: {{ . }}
  {{- end }}
  terminationGracePeriodSeconds: {{ .Values.terminationGracePeriodSeconds }}
  securityContext:
    {{- toYaml .Values.podSecurityContext | nindent 4 }}
  containers:
    - name: gateway
      image: {{ include "ais-s3.image" . | quote }}
      imagePullPolicy: {{ .Values.image.pullPolicy }}
      securityContext:
        {{- toYaml .Values.securityContext | nindent 8 }}
      ports:
        - name: http
          containerPort: {{ .Values.containerPort }}
          protocol: TCP
        {{- if .Values.metrics.port }}
        - name: metrics
          containerPort: {{ .Values.metrics.port }}
          protocol: TCP
        {{- end }}
      envFrom:
        - configMapRef:
            name: {{ include "ais-s3.fullname" . }}
        {{- with .Values.extraEnvFrom }}
        {{- toYaml . | nindent 8 }}
        {{- end }}
      {{- if or (include "ais-s3.credentialsEnv" .) .Values.extraEnv }}
      env:
        {{- if include "ais-s3.credentialsEnv" . }}
        - name: S3_ACCESS_KEY_ID
          valueFrom:
            secretKeyRef:
              name: {{ include "ais-s3.secretName" . }}
              key: {{ .Values.auth.existingSecretKeys.accessKeyId }}
        - name: S3_SECRET_ACCESS_KEY
          valueFrom:
            secretKeyRef:
              name: {{ include "ais-s3.secretName" . }}
              key: {{ .Values.auth.existingSecretKeys.secretAccessKey }}
        {{- end }}
        {{- with .Values.extraEnv }}
        {{- toYaml . | nindent 8 }}
        {{- end }}
      {{- end }}
      {{- if .Values.probes.startup.enabled }}
      startupProbe:
        httpGet:
          path: /health/live
          port: http
          scheme: {{ include "ais-s3.scheme" . }}
        periodSeconds: {{ .Values.probes.startup.periodSeconds }}
        timeoutSeconds: {{ .Values.probes.startup.timeoutSeconds }}
        failureThreshold: {{ .Values.probes.startup.failureThreshold }}
      {{- end }}
      livenessProbe:
        httpGet:
          path: /health/live
          port: http
          scheme: {{ include "ais-s3.scheme" . }}
        {{- toYaml .Values.probes.liveness | nindent 8 }}
      readinessProbe:
        httpGet:
          path: /health/ready
          port: http
          scheme: {{ include "ais-s3.scheme" . }}
        {{- toYaml .Values.probes.readiness | nindent 8 }}
      {{- with .Values.resources }}
      resources:
        {{- toYaml . | nindent 8 }}
      {{- end }}
      volumeMounts:
        - name: tmp
          mountPath: /tmp
        {{- if not (include "ais-s3.isAis" .) }}
        - name: data
          mountPath: {{ .Values.embedded.dataDir }}
        {{- end }}
        {{- if include "ais-s3.credentialsFileKey" . }}
        - name: credentials
          mountPath: {{ .Values.auth.mountPath }}
          readOnly: true
        {{- end }}
        {{- if include "ais-s3.tlsSecretName" . }}
        - name: tls
          mountPath: {{ .Values.tls.mountPath }}
          readOnly: true
        {{- end }}
        {{- with .Values.extraVolumeMounts }}
        {{- toYaml . | nindent 8 }}
        {{- end }}
  volumes:
    - name: tmp
      emptyDir:
        {{- with .Values.tmpSizeLimit }}
        sizeLimit: {{ . }}
        {{- end }}
    {{- if not (include "ais-s3.isAis" .) }}
    {{- if not .Values.embedded.persistence.enabled }}
    - name: data
      emptyDir:
        {{- with .Values.embedded.emptyDirSizeLimit }}
        sizeLimit: {{ . }}
        {{- end }}
    {{- else if .Values.embedded.persistence.existingClaim }}
    - name: data
      persistentVolumeClaim:
        claimName: {{ .Values.embedded.persistence.existingClaim }}
    {{- end }}
    {{- end }}
    {{- if include "ais-s3.credentialsFileKey" . }}
    - name: credentials
      secret:
        secretName: {{ include "ais-s3.secretName" . }}
        # A whole-directory mount (no subPath), so the kubelet's updates of the Secret reach the file.
        items:
          - key: {{ include "ais-s3.credentialsFileKey" . }}
            path: credentials
        defaultMode: 0440
    {{- end }}
    {{- if include "ais-s3.tlsSecretName" . }}
    - name: tls
      secret:
        secretName: {{ include "ais-s3.tlsSecretName" . }}
        items:
          - key: tls.crt
            path: tls.crt
          - key: tls.key
            path: tls.key
        defaultMode: 0440
    {{- end }}
    {{- with .Values.extraVolumes }}
    {{- toYaml . | nindent 4 }}
    {{- end }}
  {{- if .Values.affinity }}
  affinity:
    {{- toYaml .Values.affinity | nindent 4 }}
  {{- else if eq .Values.podAntiAffinityPreset "soft" }}
  affinity:
    podAntiAffinity:
      preferredDuringSchedulingIgnoredDuringExecution:
        - weight: 100
          podAffinityTerm:
            topologyKey: kubernetes.io/hostname
            labelSelector:
              matchLabels:
                {{- include "ais-s3.selectorLabels" . | nindent 16 }}
  {{- else if eq .Values.podAntiAffinityPreset "hard" }}
  affinity:
    podAntiAffinity:
      requiredDuringSchedulingIgnoredDuringExecution:
        - topologyKey: kubernetes.io/hostname
          labelSelector:
            matchLabels:
              {{- include "ais-s3.selectorLabels" . | nindent 14 }}
  {{- end }}
  {{- with .Values.nodeSelector }}
  nodeSelector:
    {{- toYaml . | nindent 4 }}
  {{- end }}
  {{- with .Values.tolerations }}
  tolerations:
    {{- toYaml . | nindent 4 }}
  {{- end }}
  {{- if .Values.topologySpreadConstraints }}
  topologySpreadConstraints:
    {{- range .Values.topologySpreadConstraints }}
    - {{- toYaml (merge (deepCopy .) (dict "labelSelector" (dict "matchLabels" (include "ais-s3.selectorLabels" $ | fromYaml)))) | nindent 6 }}
    {{- end }}
  {{- end }}
{{- end }}
