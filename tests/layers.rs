//! Data flows one way through src/: render → parse → evaluate → findings → report. This test
//! keeps it so: each module may name (`crate::…`) only modules of an earlier layer, so a
//! dependency loop cannot come back unnoticed. A new module gets a row in `LAYERS`.

use std::path::Path;

/// Module (top-level file or folder under src/, `cli/args` and `cli/settings` apart) and
/// its layer; a module may import only modules of a lower layer.
const LAYERS: &[(&str, u32)] = &[
    ("model", 0),
    ("files", 0),
    ("shard", 0),
    ("parallel", 0),
    ("yaml", 1),
    ("credentials", 1),
    ("cli/args", 1),
    ("redact", 2),
    ("provenance", 2),
    ("render", 3),
    ("parse", 4),
    ("suppress", 5),
    ("upgrade", 5),
    ("evaluate", 6),
    ("rules", 7),
    ("findings", 7),
    ("values", 7),
    ("pipeline", 8),
    ("report", 9),
    ("cli/settings", 9),
    ("lint", 10),
    ("cli/show", 10),
    ("serve", 10),
    ("commands", 11),
];

fn layer(module: &str) -> u32 {
    LAYERS
        .iter()
        .find(|(m, _)| *m == module)
        .map(|(_, l)| *l)
        .unwrap_or_else(|| panic!("module `{module}` has no row in LAYERS (tests/layers.rs)"))
}

/// `cli/args.rs` → `cli/args`, `evaluate/input.rs` → `evaluate`, `lint.rs` → `lint`.
fn module_of(rel: &Path) -> Option<String> {
    let parts: Vec<String> = rel
        .iter()
        .map(|p| p.to_string_lossy().trim_end_matches(".rs").to_string())
        .collect();
    match parts.as_slice() {
        [only] if only == "main" || only == "lib" => None,
        [first, second, ..] if first == "cli" && second != "mod" => Some(format!("cli/{second}")),
        [first, ..] if first == "cli" => None,
        [first, ..] => Some(first.clone()),
        [] => None,
    }
}

/// The modules a file names as `crate::x` (and `crate::cli::y`), also inside `use` groups.
fn imports(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    for (i, _) in text.match_indices("crate::") {
        let rest = &text[i + "crate::".len()..];
        let name: String = rest
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
            .collect();
        if name == "cli" {
            let sub: String = rest["cli::".len().min(rest.len())..]
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                .collect();
            out.push(format!("cli/{sub}"));
        } else if !name.is_empty() {
            out.push(name);
        }
    }
    out
}

fn rust_files(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    for e in std::fs::read_dir(dir).unwrap().flatten() {
        let p = e.path();
        if p.is_dir() {
            rust_files(&p, out);
        } else if p.extension().is_some_and(|x| x == "rs") {
            out.push(p);
        }
    }
}

#[test]
fn no_module_imports_a_later_stage() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    let mut wrong = Vec::new();
    for f in &files {
        let rel = f.strip_prefix(&src).unwrap();
        let Some(module) = module_of(rel) else {
            continue;
        };
        let text = std::fs::read_to_string(f).unwrap();
        // Unit tests may build their input with any stage.
        let code = text.split("\n#[cfg(test)]\nmod tests").next().unwrap_or("");
        for target in imports(code) {
            if target != module && layer(&target) >= layer(&module) {
                wrong.push(format!("{} imports {target}", rel.display()));
            }
        }
    }
    wrong.sort();
    wrong.dedup();
    assert!(
        wrong.is_empty(),
        "imports against the flow:\n{}",
        wrong.join("\n")
    );
}
