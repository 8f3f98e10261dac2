//! Embeds every file under `policies/` into the binary, so `chartguard` needs nothing beside it.
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

fn main() {
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
