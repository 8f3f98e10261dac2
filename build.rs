//! Embeds every file under `policies/` into the binary, so `chartguard` needs nothing beside it,
//! and records the git commit it was built from for `--version`.
use std::io::Write;
use std::path::{Path, PathBuf};

fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            walk(&path, out);
        } else if path
            .extension()
            .is_some_and(|e| e == "rego" || e == "yaml" || e == "yml")
        {
            out.push(path);
        }
    }
}

fn git(args: &[&str]) -> Option<String> {
    let out = std::process::Command::new("git").args(args).output().ok()?;
    let text = String::from_utf8(out.stdout).ok()?.trim().to_string();
    (out.status.success() && !text.is_empty()).then_some(text)
}

/// `CHARTGUARD_VERSION` for `--version`: `0.2.0 (1a2b3c4d5e6f 2026-11-30)`, the commit and
/// its date from the environment variable `CHARTGUARD_COMMIT` when set (a build from a source
/// archive has no .git), else from git, else the bare version (`cargo install` from crates.io).
fn commit() {
    println!("cargo:rerun-if-env-changed=CHARTGUARD_COMMIT");
    let commit = std::env::var("CHARTGUARD_COMMIT").ok().or_else(|| {
        git(&[
            "log",
            "-1",
            "--date=short",
            "--format=%h %cd",
            "--abbrev=12",
        ])
    });
    // Rebuild when HEAD moves, but only name files that exist: cargo reruns a build script on
    // every build while a rerun-if-changed path is missing (a packed ref), which would
    // recompile the crate for every test run.
    if let Some(head) = git(&["rev-parse", "--git-path", "HEAD"]) {
        let mut watch = vec![head];
        if let Some(branch) = git(&["symbolic-ref", "-q", "HEAD"]) {
            watch.extend(git(&["rev-parse", "--git-path", &branch]));
        }
        for path in watch {
            if Path::new(&path).exists() {
                let path = std::fs::canonicalize(&path).unwrap_or(PathBuf::from(path));
                println!("cargo:rerun-if-changed={}", path.display());
            }
        }
    }
    let version = std::env::var("CARGO_PKG_VERSION").unwrap_or_default();
    let version = match commit.filter(|c| !c.is_empty()) {
        Some(c) => format!("{version} ({c})"),
        None => version,
    };
    println!("cargo:rustc-env=CHARTGUARD_VERSION={version}");
}

fn main() {
    commit();
    let root = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").unwrap()).join("policies");
    println!("cargo:rerun-if-changed={}", root.display());
    let mut files = Vec::new();
    walk(&root, &mut files);
    files.sort();
    for f in &files {
        println!("cargo:rerun-if-changed={}", f.display());
        if let Some(dir) = f.parent() {
            println!("cargo:rerun-if-changed={}", dir.display());
        }
    }
    let out = PathBuf::from(std::env::var("OUT_DIR").unwrap()).join("bundled_policies.rs");
    let mut w = std::fs::File::create(out).unwrap();
    writeln!(
        w,
        "/// `(path relative to policies/, contents)` of every bundled policy file."
    )
    .unwrap();
    writeln!(w, "pub static BUNDLED: &[(&str, &str)] = &[").unwrap();
    for f in &files {
        let rel = f
            .strip_prefix(&root)
            .unwrap()
            .to_string_lossy()
            .replace('\\', "/");
        writeln!(
            w,
            "    ({rel:?}, include_str!({:?})),",
            f.display().to_string()
        )
        .unwrap();
    }
    writeln!(w, "];").unwrap();
}
