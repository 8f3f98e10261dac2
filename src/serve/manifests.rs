//! `chartguard webhook manifests`: the objects that deploy `chartguard serve` — a Service,
//! a ServiceAccount, a PriorityClass, a hardened Deployment, a PodDisruptionBudget, a
//! NetworkPolicy and the ValidatingWebhookConfiguration.

use crate::cli::args::{FailurePolicy, ManifestsArgs};

/// The name of every object, and of the Secret holding `tls.crt` / `tls.key`.
pub const NAME: &str = "chartguard-webhook";
pub const TLS_SECRET: &str = "chartguard-webhook-tls";
/// Where the release workflow pushes the image (`ghcr.io/${{ github.repository }}`).
pub const IMAGE_REPOSITORY: &str = "ghcr.io/chartguard/chartguard";

fn quote(s: &str) -> String {
    serde_json::to_string(s).unwrap_or_else(|_| "\"\"".into())
}

/// The image the release workflow pushes (`ghcr.io/<repo>:<version>`), or `--image`, with
/// `@<digest>` when `--image-digest` is given.
pub fn image_reference(args: &ManifestsArgs) -> String {
    let image = args
        .image
        .clone()
        .unwrap_or_else(|| format!("{IMAGE_REPOSITORY}:{}", env!("CARGO_PKG_VERSION")));
    match &args.image_digest {
        Some(digest) => format!("{image}@{digest}"),
        None => image,
    }
}

pub fn render(args: &ManifestsArgs) -> String {
    let ns = quote(&args.namespace);
    let image = quote(&image_reference(args));
    let failure_policy = match args.failure_policy {
        FailurePolicy::Ignore => "Ignore",
        FailurePolicy::Fail => "Fail",
    };
    // Sized from measurements (README, "Admission webhook"): the memory limit is the
    // budget plus the idle server and the connections' buffers; the deadline is 1 s under
    // timeoutSeconds so the decision reaches the API server before it gives up.
    let mut serve_args = vec![
        "serve",
        "--addr=0.0.0.0:8443",
        "--probe-addr=0.0.0.0:8080",
        "--tls-cert=/tls/tls.crt",
        "--tls-key=/tls/tls.key",
        "--no-config",
        "--workers=2",
        "--request-timeout=4",
        "--memory-budget=320",
    ]
    .into_iter()
    .map(quote)
    .collect::<Vec<_>>();
    serve_args.extend(args.serve_args.iter().map(|a| quote(a)));
    let serve_args = serve_args.join(", ");
    let (ca_annotation, ca_bundle) = match &args.ca_bundle {
        Some(b) => (String::new(), format!("\n      caBundle: {}", quote(b.trim()))),
        None => (
            format!("\n  annotations:\n    # Without --ca-bundle: cert-manager fills caBundle from the Certificate of that name
    # (give it secretName {TLS_SECRET} and dnsNames {NAME}.<namespace>.svc).\n    cert-manager.io/inject-ca-from: {}", quote(&format!("{}/{NAME}", args.namespace))),
            String::new(),
        ),
    };
    let labels =
        format!("app.kubernetes.io/name: {NAME}\n    app.kubernetes.io/part-of: chartguard");
    // The metadata of every namespaced object of the webhook.
    let meta = format!("metadata:\n  name: {NAME}\n  namespace: {ns}\n  labels:\n    {labels}");
    format!(
        r#"# chartguard admission webhook. The Secret {TLS_SECRET} (tls.crt, tls.key) must hold a
# certificate for {NAME}.{ns_plain}.svc; chartguard reloads it when it changes.
# Release-wide rules (pdb-missing, service-selector-mismatch, …) need the whole release and
# are not run by the webhook: keep `chartguard lint` in CI for them.
apiVersion: v1
kind: Service
{meta}
spec:
  selector:
    app.kubernetes.io/name: {NAME}
  ports:
    - name: https
      port: 443
      targetPort: https
---
apiVersion: apps/v1
kind: Deployment
{meta}
  annotations:
    chartguard.io/ignore: "secret-ref-unresolved -- the TLS Secret is made by cert-manager or by hand before this is applied"
spec:
  replicas: 2
  revisionHistoryLimit: 5
  selector:
    matchLabels:
      app.kubernetes.io/name: {NAME}
  strategy:
    type: RollingUpdate
    rollingUpdate:
      maxUnavailable: 0
      maxSurge: 1
  template:
    metadata:
      labels:
        {labels_pod}
    spec:
      # An account of its own (chartguard calls no API: no token, no RBAC), not the
      # namespace's default one shared with other pods.
      serviceAccountName: {NAME}
      automountServiceAccountToken: false
      priorityClassName: {NAME}
      enableServiceLinks: false
      terminationGracePeriodSeconds: 30
      securityContext:
        runAsNonRoot: true
        runAsUser: 65532
        runAsGroup: 65532
        fsGroup: 65532
        seccompProfile:
          type: RuntimeDefault
      topologySpreadConstraints:
        - maxSkew: 1
          topologyKey: kubernetes.io/hostname
          whenUnsatisfiable: ScheduleAnyway
          labelSelector:
            matchLabels:
              app.kubernetes.io/name: {NAME}
      containers:
        - name: chartguard
          image: {image}
          imagePullPolicy: IfNotPresent
          args: [{serve_args}]
          ports:
            - name: https
              containerPort: 8443
              protocol: TCP
            # /healthz, /readyz, /metrics on a listener of their own (plain HTTP), so a
            # flood of the webhook port does not fail the probes.
            - name: probes
              containerPort: 8080
              protocol: TCP
          readinessProbe:
            httpGet:
              path: /readyz
              port: probes
            periodSeconds: 5
            failureThreshold: 2
          livenessProbe:
            httpGet:
              path: /healthz
              port: probes
            periodSeconds: 10
            failureThreshold: 3
          resources:
            requests:
              cpu: 250m
              memory: 128Mi
            limits:
              cpu: "2"
              memory: 512Mi
          securityContext:
            allowPrivilegeEscalation: false
            readOnlyRootFilesystem: true
            privileged: false
            capabilities:
              drop: ["ALL"]
          volumeMounts:
            - name: tls
              mountPath: /tls
              readOnly: true
      volumes:
        - name: tls
          secret:
            secretName: {TLS_SECRET}
---
apiVersion: policy/v1
kind: PodDisruptionBudget
{meta}
spec:
  minAvailable: 1
  # Stateless replicas: evicting an unready one loses nothing, so drains do not wait for
  # the budget.
  unhealthyPodEvictionPolicy: AlwaysAllow
  selector:
    matchLabels:
      app.kubernetes.io/name: {NAME}
---
apiVersion: v1
kind: ServiceAccount
{meta}
automountServiceAccountToken: false
---
# Cluster infrastructure: evicting the webhook for batch work leaves objects unjudged (or,
# with failurePolicy Fail, blocks deployments). A class of its own rather than
# system-cluster-critical, which clusters may keep to kube-system.
apiVersion: scheduling.k8s.io/v1
kind: PriorityClass
metadata:
  name: {NAME}
  labels:
    {labels}
value: 1000000
globalDefault: false
description: chartguard admission webhook
---
# The API server's addresses depend on the cluster, so the webhook port stays open to all
# (narrow `from` to the control plane's ipBlock to keep pods from flooding it); every other
# port and all egress are closed: chartguard serves only, it opens no connection.
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
{meta}
spec:
  podSelector:
    matchLabels:
      app.kubernetes.io/name: {NAME}
  policyTypes: ["Ingress", "Egress"]
  ingress:
    - ports:
        - port: 8443
          protocol: TCP
    - ports:
        - port: 8080
          protocol: TCP
  egress: []
---
apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingWebhookConfiguration
metadata:
  name: {NAME}
  labels:
    {labels}{ca_annotation}
webhooks:
  - name: validate.chartguard.io
    admissionReviewVersions: ["v1"]
    sideEffects: None
    # chartguard answers within 4 s (--request-timeout), denying what it cannot judge.
    timeoutSeconds: 5
    # Ignore: an outage of chartguard (no replica reachable, a crash) admits objects
    # unchecked instead of blocking every deployment; Fail refuses them. See the README.
    failurePolicy: {failure_policy}
    matchPolicy: Equivalent
    clientConfig:
      service:
        name: {NAME}
        namespace: {ns}
        path: /validate
        port: 443{ca_bundle}
    namespaceSelector:
      matchExpressions:
        - key: kubernetes.io/metadata.name
          operator: NotIn
          values: ["kube-system", {ns}]
    rules:
      - apiGroups: [""]
        apiVersions: ["v1"]
        operations: ["CREATE", "UPDATE"]
        resources: ["pods", "services", "configmaps", "secrets"]
        scope: Namespaced
      - apiGroups: ["apps"]
        apiVersions: ["v1"]
        operations: ["CREATE", "UPDATE"]
        resources: ["deployments", "statefulsets", "daemonsets"]
        scope: Namespaced
      - apiGroups: ["batch"]
        apiVersions: ["v1"]
        operations: ["CREATE", "UPDATE"]
        resources: ["jobs", "cronjobs"]
        scope: Namespaced
"#,
        ns_plain = args.namespace,
        labels_pod = labels.replace("\n    ", "\n        "),
    )
}
