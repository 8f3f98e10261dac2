//! `--previous SOURCE`: which of the three forms SOURCE is, decided once per lint.
//!
//! - a file of YAML documents (`helm get manifest myrelease > old.yaml`): used as it is;
//! - a chart directory or packaged `.tgz` of the previous version: rendered with the flags
//!   the new chart is rendered with;
//! - a git ref (`origin/main`, a tag, a commit): the same chart checked out at that commit
//!   in a temporary `git worktree` (removed when the lint ends, also on an error) and
//!   rendered the same way.
//!
//! A name that is both a path and a git ref is refused rather than guessed.

use crate::files::{self, display_path, SourceFile};
use crate::render::{find_charts, Chart};
use anyhow::{anyhow, bail, Context, Result};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

pub(crate) enum Source {
    /// Rendered manifests, the previous release as Helm stored it.
    Manifests {
        shown: String,
        files: Vec<SourceFile>,
    },
    /// The previous chart.
    Chart(Chart),
    /// The same charts at another commit.
    Git(Worktree),
}

/// A temporary checkout of a commit, removed (with git's record of it) when dropped.
pub(crate) struct Worktree {
    /// The ref as given (`origin/main`).
    pub(crate) spec: String,
    /// Its commit, abbreviated.
    pub(crate) commit: String,
    /// The repository's top level (canonical).
    pub(crate) top: PathBuf,
    /// Where the commit is checked out.
    pub(crate) path: PathBuf,
    tmp: PathBuf,
}

impl Drop for Worktree {
    fn drop(&mut self) {
        let _ = git(&self.top)
            .args(["worktree", "remove", "--force"])
            .arg(&self.path)
            .output();
        let _ = std::fs::remove_dir_all(&self.tmp);
        let _ = git(&self.top).args(["worktree", "prune"]).output();
    }
}

fn git(dir: &Path) -> Command {
    let mut c = Command::new("git");
    c.arg("-C").arg(dir).stdin(Stdio::null());
    c
}

/// The repository `dir` is in and the commit `spec` names there, or why not.
fn git_commit(spec: &str, dir: &Path) -> std::result::Result<(PathBuf, String), String> {
    let top = git(dir)
        .args(["rev-parse", "--show-toplevel"])
        .output()
        .map_err(|e| format!("cannot run git: {e}"))?;
    if !top.status.success() {
        return Err(format!(
            "{} is not inside a git repository",
            display_path(dir)
        ));
    }
    let top = PathBuf::from(String::from_utf8_lossy(&top.stdout).trim());
    let commit = git(dir)
        .args([
            "rev-parse",
            "--verify",
            "--quiet",
            "--short",
            "--end-of-options",
        ])
        .arg(format!("{spec}^{{commit}}"))
        .output()
        .map_err(|e| format!("cannot run git: {e}"))?;
    if !commit.status.success() {
        return Err(format!(
            "not a commit in the git repository {}",
            display_path(&top)
        ));
    }
    let top = top.canonicalize().unwrap_or(top);
    Ok((
        top,
        String::from_utf8_lossy(&commit.stdout).trim().to_string(),
    ))
}

impl Source {
    /// What `arg` is. `anchor`: where the new chart (or the current directory) is, to find
    /// the git repository a ref belongs to.
    pub(crate) fn resolve(arg: &str, anchor: &Path) -> Result<Source> {
        if arg.is_empty() || arg.starts_with('-') {
            bail!("--previous `{arg}`: expected a rendered manifest file, a chart directory or .tgz, or a git ref");
        }
        let path = Path::new(arg);
        let anchor = if anchor.is_dir() {
            anchor
        } else {
            anchor
                .parent()
                .filter(|p| !p.as_os_str().is_empty())
                .unwrap_or(Path::new("."))
        };
        let commit = git_commit(arg, anchor);
        if path.exists() {
            if commit.is_ok() {
                bail!(
                    "--previous {arg}: both a path and a git ref; write ./{arg} for the path, or the full ref (refs/heads/{arg}, refs/tags/{arg}) or the commit for the ref"
                );
            }
            return Source::from_path(arg, path);
        }
        match commit {
            Ok((top, commit)) => Ok(Source::Git(Worktree::add(arg, top, commit)?)),
            Err(why) => bail!(
                "--previous {arg}: no such file or directory, and not a git ref ({why}); give a rendered manifest (`helm get manifest RELEASE > previous.yaml`), the previous chart's directory or .tgz, or a git ref such as origin/main"
            ),
        }
    }

    fn from_path(arg: &str, path: &Path) -> Result<Source> {
        let chart_path = if path.file_name().is_some_and(|f| f == "Chart.yaml") {
            path.parent()
                .filter(|d| !d.as_os_str().is_empty())
                .unwrap_or(Path::new("."))
        } else {
            path
        };
        let charts = find_charts(chart_path);
        match charts.len() {
            1 => return Ok(Source::Chart(charts.into_iter().next().expect("one chart"))),
            0 => {}
            n => bail!(
                "--previous {arg}: a directory of {n} charts; name the previous version of the one chart being linted"
            ),
        }
        let paths = files::expand(&[arg.to_string()])?;
        let files = paths
            .iter()
            .map(|p| files::read(p))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Source::Manifests {
            shown: arg.to_string(),
            files,
        })
    }

    /// For messages: `old.yaml`, `charts/app-1.2.0.tgz`, `origin/main (1a2b3c4)`.
    pub(crate) fn describe(&self) -> String {
        match self {
            Source::Manifests { shown, .. } => shown.clone(),
            Source::Chart(c) => display_path(&c.path),
            Source::Git(w) => format!("{} ({})", w.spec, w.commit),
        }
    }

    /// The previous version of `current`: None for rendered manifests (nothing to render).
    pub(crate) fn chart_for(&self, current: &Chart) -> Result<Option<Chart>> {
        match self {
            Source::Manifests { .. } => Ok(None),
            Source::Chart(c) => Ok(Some(c.clone())),
            Source::Git(w) => {
                let mapped = w.map(&current.path).ok_or_else(|| {
                    anyhow!(
                        "--previous {}: {} is not inside the git repository {}",
                        w.spec,
                        display_path(&current.path),
                        display_path(&w.top)
                    )
                })?;
                let found = find_charts(&mapped);
                match found.into_iter().next() {
                    Some(c) => Ok(Some(c)),
                    None => bail!(
                        "--previous {}: {} has no chart at {} (the chart is new? lint it without --previous)",
                        w.spec,
                        w.commit,
                        display_path(&current.path)
                    ),
                }
            }
        }
    }

    /// Where a values file of the new render is in the previous version, if it is there:
    /// the same file at the commit (git), or the same name in the previous chart when the
    /// file belongs to the new chart. Files elsewhere are used as they are.
    pub(crate) fn values_file(&self, file: &Path, current: &Chart, previous: &Chart) -> PathBuf {
        let mapped = match self {
            Source::Manifests { .. } => None,
            Source::Git(w) => w.map(file),
            Source::Chart(_) => {
                let canon = |p: &Path| p.canonicalize().unwrap_or_else(|_| p.to_path_buf());
                canon(file)
                    .strip_prefix(canon(&current.path))
                    .ok()
                    .filter(|_| previous.unpacked)
                    .map(|rel| previous.path.join(rel))
            }
        };
        mapped
            .filter(|p| p.is_file())
            .unwrap_or_else(|| file.to_path_buf())
    }

    /// The rendered manifests, for [`Source::Manifests`].
    pub(crate) fn manifests(&self) -> Option<&[SourceFile]> {
        match self {
            Source::Manifests { files, .. } => Some(files),
            _ => None,
        }
    }

    /// How a path of the previous checkout is shown: `origin/main:charts/app/templates/x.yaml`
    /// (git's own notation) rather than a temporary directory that is gone after the run.
    pub(crate) fn shown_prefix(&self) -> Option<(String, String)> {
        match self {
            Source::Git(w) => Some((
                format!("{}/", display_path(&w.path)),
                format!("{}:", w.spec),
            )),
            _ => None,
        }
    }
}

impl Worktree {
    fn add(spec: &str, top: PathBuf, commit: String) -> Result<Worktree> {
        use std::sync::atomic::{AtomicUsize, Ordering};
        static N: AtomicUsize = AtomicUsize::new(0);
        let tmp = std::env::temp_dir().join(format!(
            "chartguard-previous-{}-{}",
            std::process::id(),
            N.fetch_add(1, Ordering::SeqCst)
        ));
        std::fs::create_dir_all(&tmp)
            .with_context(|| format!("cannot create {}", tmp.display()))?;
        let tmp = tmp.canonicalize().unwrap_or(tmp);
        let path = tmp.join("tree");
        // Made before `worktree add` runs, so a failure below still removes what it left.
        let tree = Worktree {
            spec: spec.to_string(),
            commit,
            top,
            path,
            tmp,
        };
        let out = git(&tree.top)
            .args(["worktree", "add", "--detach", "--quiet"])
            .arg(&tree.path)
            .arg(&tree.commit)
            .output()
            .context("cannot run git")?;
        if !out.status.success() {
            bail!(
                "--previous {spec}: git worktree add failed: {}",
                String::from_utf8_lossy(&out.stderr).trim()
            );
        }
        Ok(tree)
    }

    /// `p` (a path of the current checkout) in the temporary checkout.
    fn map(&self, p: &Path) -> Option<PathBuf> {
        let canon = p.canonicalize().ok()?;
        let rel = canon.strip_prefix(&self.top).ok()?;
        Some(self.path.join(rel))
    }
}
