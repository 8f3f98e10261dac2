//! The command line. Reads like the man page: `chartguard --help`, `chartguard lint --help`.

use crate::model::Severity;
use clap::{Args, Parser, Subcommand, ValueEnum};
use std::path::PathBuf;

#[derive(Parser, Debug)]
#[command(
    name = "chartguard",
    version = env!("CHARTGUARD_VERSION"),
    about = "Tells you, before a Helm release reaches a cluster, whether it is production-ready.",
    long_about = "chartguard lints Kubernetes manifests rendered from Helm charts (hooks and helm tests \
included) against bundled Rego rules, and reports findings for people (diagnostics at the \
offending line), for GitHub code scanning (SARIF) and for CD gates (exit codes).\n\n\
Exit codes: 0 no finding at or above --fail-on; 1 findings at or above it; 2 usage or input error."
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

// Parsed once per process: the size of the largest variant does not matter.
#[allow(clippy::large_enum_variant)]
#[derive(Subcommand, Debug)]
pub enum Command {
    /// Lint charts (rendered with Helm) or rendered manifests.
    ///
    /// A path holding Chart.yaml (or a packaged .tgz, or a directory of charts) is rendered
    /// with `helm template`, hooks and tests included, and findings point at the template
    /// and values lines. Other paths are manifest files, directories, globs, or - for stdin:
    ///
    ///   chartguard lint ./charts/myapp -f values-prod.yaml
    ///   chartguard lint ./charts/myapp --all-environments --format sarif -o chartguard.sarif
    ///   helm template myapp ./charts/myapp | chartguard lint -
    Lint(LintArgs),
    /// Helm post-renderer: lint the manifests on stdin; pass them through byte for byte
    /// (exit 0) or print the report on stderr and exit 1 so Helm aborts.
    ///
    ///   helm upgrade --install app ./chart --post-renderer chartguard --post-renderer-args gate
    ///
    /// Helm 3 gives post-renderers only the non-hook manifests, so when the input has no
    /// hook the hook rules (hook-*, helm-test-missing) are skipped and the report says so.
    /// Helm 4 runs the gate as the chartguard-gate plugin, gives it hooks too, and hides its
    /// stderr: the report also goes to the terminal, to --report FILE, or (plugin, no
    /// terminal, e.g. CI) to chartguard-gate-report.txt ($CHARTGUARD_GATE_REPORT).
    Gate(GateArgs),
    /// List the bundled (and --policy-dir) rules, or explain one.
    Rules(RulesArgs),
    /// Work on Rego policies.
    #[command(subcommand)]
    Policy(PolicyCommand),
    /// Serve a Kubernetes validating admission webhook (HTTPS, admission.k8s.io/v1) that
    /// judges each object with the object-scope rules.
    ///
    /// POST /validate answers AdmissionReviews; /healthz, /readyz and /metrics (Prometheus)
    /// are beside it. Release-wide rules (pdb-missing, service-selector-mismatch, …) need
    /// the whole release and are skipped. The certificate files are reloaded when they
    /// change; SIGTERM or SIGINT stops accepting, finishes in-flight requests and exits 0.
    ///
    ///   chartguard serve --addr 0.0.0.0:8443 --tls-cert /tls/tls.crt --tls-key /tls/tls.key
    Serve(ServeArgs),
    /// Deploy the admission webhook.
    #[command(subcommand)]
    Webhook(WebhookCommand),
    /// Combine the JSON or SARIF reports of `lint --shard` runs into one report.
    ///
    /// Findings are put in chart order (as one unsharded lint orders them) and the summary
    /// is recounted; SARIF runs of the same tool and category become one run (rules
    /// deduplicated, ruleIndex remapped), as GitHub code scanning wants. Exit codes as lint.
    ///
    ///   chartguard merge shard-*.json -o chartguard.json
    ///   chartguard merge --format sarif shard-*.sarif -o chartguard.sarif
    Merge(MergeArgs),
    /// Print a shell completion script.
    ///
    ///   chartguard completions bash > /etc/bash_completion.d/chartguard
    ///   chartguard completions zsh > "${fpath[1]}/_chartguard"
    ///   chartguard completions fish > ~/.config/fish/completions/chartguard.fish
    ///   chartguard completions powershell >> $PROFILE
    Completions {
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Print the man page (roff): `chartguard man > /usr/local/share/man/man1/chartguard.1`.
    Man,
    /// Work with `.chartguard.yaml`.
    #[command(subcommand)]
    Config(ConfigCommand),
    /// Render a chart with the built-in renderer and print what `helm template` prints
    /// (same flags; exit 2 with Helm's message when the chart fails, or naming what the
    /// built-in renderer does not support).
    ///
    ///   chartguard render myapp ./charts/myapp -f values-prod.yaml --set image.tag=1.2
    Render(RenderArgs),
}

/// `chartguard render`.
#[derive(Args, Debug)]
pub struct RenderArgs {
    /// Render as this Helm major renders (3: Helm 3.17, 4: Helm 4.1).
    #[arg(long, value_name = "3|4", default_value_t = 4, value_parser = clap::value_parser!(u8).range(3..=4))]
    pub helm_major: u8,
    /// Annotate each line with the template file:line that wrote it and, for values, the
    /// values path and the file:line (or flag) that set it.
    #[arg(long)]
    pub provenance: bool,
    /// `[NAME] CHART` and `helm template` flags: -f/--values, --set, --set-string,
    /// --set-file, --set-json, --set-literal, -n/--namespace, --kube-version,
    /// -a/--api-versions, --include-crds, --skip-tests, --is-upgrade.
    #[arg(
        trailing_var_arg = true,
        allow_hyphen_values = true,
        required = true,
        value_name = "ARGS"
    )]
    pub args: Vec<String>,
}

/// Which renderer renders charts.
#[derive(
    ValueEnum, Clone, Copy, Debug, Default, PartialEq, Eq, serde::Deserialize, schemars::JsonSchema,
)]
#[serde(rename_all = "lowercase")]
pub enum RendererKind {
    /// `helm template` with the Helm binary.
    Helm,
    /// The built-in renderer.
    Native,
    /// The built-in renderer, falling back to Helm for what it does not support (the
    /// default: no Helm binary is needed for a chart the built-in renderer supports).
    #[default]
    Auto,
}

#[derive(Subcommand, Debug)]
pub enum ConfigCommand {
    /// Print the JSON Schema of `.chartguard.yaml` (docs/chartguard.schema.json), for editor
    /// completion and validation: put
    /// `# yaml-language-server: $schema=https://raw.githubusercontent.com/chartguard/chartguard/main/docs/chartguard.schema.json`
    /// on the file's first line.
    Schema,
}

/// Which rules run, shared by lint, gate and serve.
#[derive(Args, Debug, Clone)]
pub struct RuleArgs {
    /// Which rules apply: prod (production readiness; the default) or dev. With
    /// --all-environments each environment's own profile is used instead.
    #[arg(long, value_parser = ["prod", "dev"])]
    pub profile: Option<String>,
    /// Add the rules in DIR (same contract as the bundled ones: policies/README.md). Repeatable.
    #[arg(long, value_name = "DIR")]
    pub policy_dir: Vec<PathBuf>,
    /// Do not run this rule. Repeatable.
    #[arg(long, value_name = "RULE")]
    pub disable: Vec<String>,
    /// Run only these rules (comma-separated or repeated); replaces `rules.select` in the
    /// config. --disable still applies.
    #[arg(long, value_name = "RULE,…", value_delimiter = ',')]
    pub select: Vec<String>,
    /// Target Kubernetes version (major.minor): passed to helm and used by rules that depend
    /// on it (deprecated APIs). Default 1.33.
    #[arg(long, value_name = "VERSION")]
    pub kube_version: Option<String>,
    /// Configuration file (default: .chartguard.yaml found from the target upwards).
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Ignore any .chartguard.yaml.
    #[arg(long, conflicts_with = "config")]
    pub no_config: bool,
}

#[derive(Args, Debug, Clone)]
pub struct MergeArgs {
    /// Reports written by `chartguard lint --format json` (or sarif).
    #[arg(required = true, value_name = "FILE")]
    pub files: Vec<PathBuf>,
    /// Format of the reports (all the same).
    #[arg(long, value_enum, default_value_t = MergeFormat::Json)]
    pub format: MergeFormat,
    /// Write the merged report to FILE instead of standard output.
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Exit 1 when a merged finding is at or above this severity (none: always exit 0).
    #[arg(long, value_enum, default_value_t = FailOn::Warning)]
    pub fail_on: FailOn,
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum MergeFormat {
    Json,
    Sarif,
}

#[derive(Args, Debug, Clone)]
pub struct LintArgs {
    /// Charts, manifest files, directories (walked, honouring .gitignore), globs, or - for stdin.
    /// Local charts only: pull a chart first (`helm pull oci://… --untar`).
    /// A directory of several charts lints each (in parallel), skips library charts, and
    /// goes on past a chart that fails to render (then exits 2).
    #[arg(required = true, value_name = "PATH")]
    pub paths: Vec<String>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Human)]
    pub format: Format,
    /// Write the report to FILE instead of standard output.
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Exit 1 when a finding is at or above this severity (none: always exit 0).
    #[arg(long, value_enum, default_value_t = FailOn::Warning)]
    pub fail_on: FailOn,
    /// Repository root that SARIF paths are relative to (default: the enclosing git
    /// checkout, else the current directory).
    #[arg(long, value_name = "DIR")]
    pub root: Option<PathBuf>,
    /// SARIF automationDetails.id, so several charts or environments upload side by side.
    #[arg(long, value_name = "NAME")]
    pub category: Option<String>,
    /// When to colour human output.
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto)]
    pub color: ColorChoice,
    /// Show suppressed findings in human output (they never fail the run).
    #[arg(long)]
    pub show_suppressed: bool,
    /// Print the effective settings (flags, then .chartguard.yaml, then defaults) and where
    /// each came from, then exit.
    #[arg(long)]
    pub show_settings: bool,
    /// Human output as one line per finding: `path:line:col: level[rule] message`.
    #[arg(long)]
    pub concise: bool,
    /// After the report, how many findings each rule produced (on stderr unless the
    /// format is human).
    #[arg(long)]
    pub statistics: bool,
    /// Print the findings only: no summary line, warnings or baseline notes on stderr
    /// (errors still are).
    #[arg(long, short = 'q')]
    pub quiet: bool,
    /// Report only findings that are not in this baseline file (and list its entries that
    /// no longer occur).
    #[arg(long, value_name = "FILE", conflicts_with = "write_baseline")]
    pub baseline: Option<PathBuf>,
    /// Record today's findings (by fingerprint, not line) in FILE and exit 0 (2 when a chart
    /// failed to render: its findings are not in FILE).
    #[arg(long, value_name = "FILE")]
    pub write_baseline: Option<PathBuf>,
    /// Also write SARIF to FILE, from the same run as --format (e.g. annotations with
    /// --format github and SARIF for code scanning, linting once).
    #[arg(long, value_name = "FILE")]
    pub sarif_output: Option<PathBuf>,
    /// Print the time each stage and rule took (to standard error).
    #[arg(long)]
    pub timings: bool,
    /// Lint only shard K of N (1-based) of the charts found: each chart is in exactly one
    /// shard, by a hash of its path, so adding a chart moves no other. Combine the shards'
    /// reports with `chartguard merge` (docs/scale-out.md).
    #[arg(long, value_name = "K/N")]
    pub shard: Option<crate::shard::Shard>,
    /// Charts linted at once (default: one per core).
    #[arg(long, short = 'j', value_name = "N", value_parser = clap::value_parser!(u16).range(1..))]
    pub jobs: Option<u16>,

    /// Helm binary used to render charts.
    #[arg(long, value_name = "PATH", help_heading = "Charts")]
    pub helm_bin: Option<PathBuf>,
    /// Which renderer renders charts: auto (the default: the built-in renderer, Helm 4.1
    /// behaviour, no Helm needed, falling back to the Helm binary with a note naming what it
    /// does not support), native (the built-in renderer only; a chart it does not support is
    /// an error naming the feature) or helm (`helm template` with the Helm binary).
    #[arg(long, value_enum, value_name = "RENDERER", help_heading = "Charts")]
    pub renderer: Option<RendererKind>,
    /// Stop a `helm template` that runs longer than this (300, 90s, 5m; default 5m) and
    /// exit 2.
    #[arg(long, value_name = "DURATION", help_heading = "Charts")]
    pub render_timeout: Option<String>,
    /// Values file for helm template, in order (repeatable). With several charts it applies
    /// to every chart, after a chart's own values from `charts:` in .chartguard.yaml.
    #[arg(
        long = "values",
        short = 'f',
        value_name = "FILE",
        help_heading = "Charts"
    )]
    pub values: Vec<PathBuf>,
    /// Set a value (helm --set; repeatable); with several charts, for every chart.
    #[arg(long, value_name = "KEY=VAL", help_heading = "Charts")]
    pub set: Vec<String>,
    /// Set a string value (helm --set-string; repeatable).
    #[arg(long, value_name = "KEY=VAL", help_heading = "Charts")]
    pub set_string: Vec<String>,
    /// Release name (default: the chart's name).
    #[arg(long, value_name = "NAME", help_heading = "Charts")]
    pub release_name: Option<String>,
    /// Namespace for helm template.
    #[arg(long, short = 'n', value_name = "NS", help_heading = "Charts")]
    pub namespace: Option<String>,
    /// Kubernetes API versions for Capabilities.APIVersions (repeatable).
    #[arg(long, value_name = "VERSION", help_heading = "Charts")]
    pub api_versions: Vec<String>,
    /// Include CRDs in the rendered output.
    #[arg(long, help_heading = "Charts")]
    pub include_crds: bool,
    /// Before rendering, fetch each chart's dependencies into its charts/ directory:
    /// `helm dependency build` (or `update` when there is no Chart.lock).
    #[arg(long, help_heading = "Charts")]
    pub dependency_update: bool,
    /// Judge the upgrade from a previous release too: a rendered manifest file (`helm get
    /// manifest RELEASE > previous.yaml`), the previous chart's directory or .tgz, or a git
    /// ref (`origin/main`: the same chart rendered with the same flags from that commit).
    /// Upgrade rules judge the pair; the human report starts with the change list.
    #[arg(long, value_name = "SOURCE", help_heading = "Upgrade")]
    pub previous: Option<String>,
    /// The `helm upgrade --timeout` the release is upgraded with (300, 90s, 10m; default
    /// Helm's 5m): hooks that can run longer are cut off (and rolled back by --atomic).
    #[arg(
        long,
        value_name = "DURATION",
        requires = "previous",
        help_heading = "Upgrade"
    )]
    pub helm_timeout: Option<String>,
    /// Render and lint once per environment the chart ships values for (values-prod.yaml,
    /// values.dev.yaml, env/staging.yaml …, or the config's environments), each with its
    /// profile (prod/production → prod, dev/development/test → dev).
    #[arg(long, help_heading = "Charts")]
    pub all_environments: bool,
    #[command(flatten)]
    pub rules: RuleArgs,
}

#[derive(Args, Debug, Clone)]
#[command(
    mut_arg("profile", |a| a.help("Which rules apply: prod (production readiness; the default) or dev")),
    mut_arg("kube_version", |a| a.help("Target Kubernetes version (major.minor) for the rules that depend on it (deprecated APIs). Default 1.33")),
    mut_arg("config", |a| a.help("Configuration file (default: .chartguard.yaml found from the current directory upwards)")),
    mut_arg("format", |a| a.help("Format of the report written to stderr (and --report) when the gate closes: human, json or sarif").long_help(None).hide_possible_values(true)),
)]
pub struct GateArgs {
    /// Block the release when a finding is at or above this severity.
    #[arg(long, value_enum, default_value_t = FailOn::Error)]
    pub fail_on: FailOn,
    #[command(flatten)]
    pub rules: RuleArgs,
    /// Format of the report written to stderr when the gate closes.
    #[arg(long, value_enum, default_value_t = Format::Human)]
    pub format: Format,
    /// Also write the report to FILE. Helm 4 discards a post-renderer's stderr, so this (or
    /// the terminal, which the gate also tries) is where its report can be read.
    #[arg(long, value_name = "FILE")]
    pub report: Option<PathBuf>,
}

#[derive(Args, Debug)]
pub struct RulesArgs {
    #[command(subcommand)]
    pub command: Option<RulesCommand>,
    /// Output format of the list.
    #[arg(long, value_enum, default_value_t = ListFormat::Table)]
    pub format: ListFormat,
    /// Include the rules in DIR. Repeatable.
    #[arg(long, value_name = "DIR")]
    pub policy_dir: Vec<PathBuf>,
}

#[derive(Subcommand, Debug)]
pub enum RulesCommand {
    /// Print a rule's full documentation.
    Explain {
        /// The rule id, e.g. resource-limits.
        id: String,
        /// Markdown (the docs/rules page) instead of plain text.
        #[arg(long)]
        markdown: bool,
    },
}

#[derive(Subcommand, Debug)]
pub enum PolicyCommand {
    /// Run every test_* rule of the bundled policies and of DIRs, and report pass/fail.
    Test {
        /// Directories of user policies (their rules and *_test.rego files).
        dirs: Vec<PathBuf>,
        /// Print passing tests too.
        #[arg(long, short)]
        verbose: bool,
    },
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Human,
    Json,
    Sarif,
    /// GitHub Actions annotations (and a summary in $GITHUB_STEP_SUMMARY).
    Github,
    /// JUnit XML: a testsuite per chart and environment, a testcase per rule, a failure per
    /// finding at or above --fail-on (for CI test-report views).
    Junit,
    /// GitLab Code Quality JSON (artifacts:reports:codequality).
    Gitlab,
    /// A Markdown summary for a pull-request comment: counts per chart, environment and
    /// rule, and the most severe findings with links to their lines.
    Markdown,
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum ListFormat {
    Table,
    Json,
    Markdown,
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum FailOn {
    Error,
    Warning,
    Note,
    None,
}

impl FailOn {
    pub(crate) fn threshold(self) -> Option<Severity> {
        match self {
            FailOn::Error => Some(Severity::Error),
            FailOn::Warning => Some(Severity::Warning),
            FailOn::Note => Some(Severity::Note),
            FailOn::None => None,
        }
    }
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum ColorChoice {
    Auto,
    Always,
    Never,
}

#[derive(Args, Debug, Clone)]
pub struct ServeArgs {
    /// Address to listen on; port 0 picks a free port (the address is printed on stdout).
    #[arg(long, value_name = "HOST:PORT", default_value = "0.0.0.0:8443")]
    pub addr: String,
    /// PEM certificate chain (reloaded when the file changes).
    #[arg(long, value_name = "FILE")]
    pub tls_cert: PathBuf,
    /// PEM private key (reloaded when the file changes).
    #[arg(long, value_name = "FILE")]
    pub tls_key: PathBuf,
    /// deny: refuse objects with findings at or above --fail-on (lower ones become
    /// warnings); warn: never refuse, every finding becomes a warning.
    #[arg(long, value_enum, default_value_t = WebhookMode::Deny)]
    pub mode: WebhookMode,
    /// Deny an object with a finding at or above this severity.
    #[arg(long, value_enum, default_value_t = FailOn::Error)]
    pub fail_on: FailOn,
    #[command(flatten)]
    pub rules: RuleArgs,
    /// Concurrent evaluations (default: the number of CPUs).
    #[arg(long, value_name = "N")]
    pub workers: Option<usize>,
    /// Deadline, unjudged objects, connection and memory limits (src/serve/limits.rs).
    #[command(flatten)]
    pub limits: LimitArgs,
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum WebhookMode {
    Deny,
    Warn,
}

#[derive(Subcommand, Debug)]
pub enum WebhookCommand {
    /// Print a Service, a hardened Deployment (2 replicas), a PodDisruptionBudget and a
    /// ValidatingWebhookConfiguration for `chartguard serve`, as YAML.
    ///
    ///   chartguard webhook manifests --ca-bundle "$(base64 -w0 ca.crt)" | kubectl apply -f -
    Manifests(ManifestsArgs),
}

#[derive(Args, Debug, Clone)]
pub struct ManifestsArgs {
    /// Namespace of the webhook (excluded from its own namespaceSelector, with kube-system).
    #[arg(long, default_value = "chartguard")]
    pub namespace: String,
    /// Container image (default: ghcr.io/chartguard/chartguard:<this version>, the image
    /// the release workflow pushes). Any reference, e.g.
    /// ghcr.io/chartguard/chartguard:0.1.0@sha256:… to pin a digest.
    #[arg(long)]
    pub image: Option<String>,
    /// Digest of the image (sha256:… from the release notes), appended as @sha256:… to
    /// the image so it is pulled by digest.
    #[arg(long, value_name = "sha256:HEX", value_parser = parse_image_digest)]
    pub image_digest: Option<String>,
    /// Base64 PEM of the CA that signed the serving certificate (the Secret
    /// chartguard-webhook-tls holds tls.crt and tls.key). Without it, the configuration
    /// carries cert-manager's inject-ca-from annotation instead.
    #[arg(long, value_name = "BASE64")]
    pub ca_bundle: Option<String>,
    /// What the API server does when the webhook cannot answer: ignore (admit; the
    /// default, so an outage of chartguard never blocks deployments) or fail (refuse).
    #[arg(long, value_enum, default_value_t = FailurePolicy::Ignore)]
    pub failure_policy: FailurePolicy,
    /// Arguments passed to `chartguard serve` in the Deployment (e.g. "--mode=warn").
    #[arg(long = "serve-arg", value_name = "ARG", allow_hyphen_values = true)]
    pub serve_args: Vec<String>,
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum FailurePolicy {
    Ignore,
    Fail,
}

// --- `serve` limits (enforced in src/serve/limits.rs) ---

/// What an object gets when chartguard cannot judge it.
#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum Unjudged {
    /// Refuse it, with a message saying why it was not judged.
    Deny,
    /// Admit it, with a warning saying it was not judged.
    Allow,
}

#[derive(Args, Debug, Clone)]
pub struct LimitArgs {
    /// Decision deadline, from the request's headers: a review not judged by then is
    /// answered as --unjudged says (never left to the API server's timeout). Keep it
    /// about 1 s below the webhook's timeoutSeconds.
    #[arg(long, value_name = "SECONDS", default_value_t = 4.0)]
    pub request_timeout: f64,
    /// What an object gets when it cannot be judged: not by the deadline (too costly to
    /// evaluate, or the server saturated), or a rule failed on it. deny (the default: a
    /// costly object must not be a way past the rules) or allow with a warning.
    #[arg(long, value_enum, default_value_t = Unjudged::Deny)]
    pub unjudged: Unjudged,
    /// Open connections at most, on the webhook port; more are closed at once.
    #[arg(long, value_name = "N", default_value_t = 1024)]
    pub max_connections: usize,
    /// Open connections at most from one client address (one IPv6 /64), so one client
    /// cannot take all of --max-connections.
    #[arg(long, value_name = "N", default_value_t = 128)]
    pub max_connections_per_client: usize,
    /// Request bodies being read or judged at once; more wait (until the deadline).
    #[arg(long, value_name = "N", default_value_t = 32)]
    pub max_bodies: usize,
    /// Memory (MiB) that the reviews in flight may be estimated to need together; a
    /// review's share is reserved from its Content-Length before its body is read (a
    /// chunked body's grows as it arrives), and its object's share once it is parsed.
    /// Bodies of small reviews have 1/8 of it, bodies of large ones 2/8, and judging the
    /// objects being evaluated 5/8 (so an evaluation never waits for memory held by
    /// reviews waiting for a worker). Size the container's memory limit as this plus
    /// ~192 MiB (the idle server, ~30 MiB, and the buffers of --max-connections).
    #[arg(long, value_name = "MIB", default_value_t = 320)]
    pub memory_budget: u64,
    /// Objects with more JSON values than this (an object, a list, a string … each count;
    /// the old object of an UPDATE too) are not judged but answered as --unjudged says
    /// at once: their cost would be unbounded. 40,000 is ~5,000 containers or a
    /// ConfigMap of ~40,000 keys; ordinary objects have a few hundred.
    #[arg(long, value_name = "N", default_value_t = 40_000)]
    pub max_object_values: u64,
    /// Also serve /healthz, /readyz and /metrics over plain HTTP on this address (a
    /// listener of their own, so a flood of the webhook port cannot starve the probes).
    #[arg(long, value_name = "HOST:PORT")]
    pub probe_addr: Option<String>,
}

/// `sha256:` and 64 lowercase hex digits, as the release notes print it.
fn parse_image_digest(s: &str) -> Result<String, String> {
    match s.strip_prefix("sha256:") {
        Some(hex)
            if hex.len() == 64 && hex.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f')) =>
        {
            Ok(s.to_string())
        }
        _ => Err("expected sha256: followed by 64 lowercase hex digits".into()),
    }
}
