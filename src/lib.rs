//! chartguard: render → parse → evaluate → findings → report, one way.
//!
//! - [`cli`]: flags, and the settings they resolve to with `.chartguard.yaml`;
//! - `model`: the vocabulary every stage shares (paths, findings, severities, profiles);
//! - `yaml`, `files`: YAML with spans, and reading what the user named;
//! - `render`: charts rendered behind the `Renderer` seam (today: Helm), each render with a
//!   `provenance::SourceMap` back to template and values lines;
//! - `parse`: Kubernetes objects with their origins, hooks and typed checks;
//! - `suppress`: suppression annotations, config suppressions, baselines;
//! - `evaluate`: the Rego rules (regorus) over the whole release;
//! - `findings`: violations located once; `redact`: every masking of secrets;
//! - `credentials`: what makes a value or a name a credential (rules' index and masking);
//! - `parallel`: work over the objects split across cores, order kept;
//! - `pipeline`: the one pipeline `lint`, `gate` and `serve` run;
//! - `lint`: targets, environments and their merge; `report`: the output formats;
//! - [`commands`]: one function per subcommand; `serve`: the admission webhook.

pub mod cli;
pub mod commands;
mod credentials;
mod evaluate;
mod files;
mod findings;
mod lint;
mod model;
mod parallel;
mod parse;
mod pipeline;
mod provenance;
mod redact;
mod render;
mod report;
mod rules;
mod serve;
pub mod shard;
mod suppress;
mod upgrade;
mod values;
mod yaml;

/// For the binary's error messages: control characters shown, not sent to the terminal.
pub use report::escape::terminal_safe;
