//! Chart semantics on small charts written here (expected outputs checked against Helm 3.17.2
//! and 4.1.4 by hand when written; the corpus and the repository's charts are compared
//! with the real Helm by scripts/render-diff.sh and chartguard's tests/render_diff.rs).

use helm_chart::{render, Request, SetKind};
use helm_template::HelmVersion;
use std::path::{Path, PathBuf};

fn chart(name: &str, files: &[(&str, &str)]) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("helm-chart-test-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    for (path, text) in files {
        let p = dir.join(path);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    }
    dir
}

fn out(dir: &Path, helm: HelmVersion, sets: &[&str]) -> Result<String, String> {
    let mut req = Request::new(helm);
    req.sets = sets.iter().map(|s| (SetKind::Set, s.to_string())).collect();
    render(dir, &req).map(|o| o.text).map_err(|f| f.message)
}

const PARENT: &str = "apiVersion: v2\nname: app\nversion: 1.0.0\ndependencies:\n  - name: sub\n    version: 0.1.0\n    condition: sub.enabled\n    import-values:\n      - child: shared\n        parent: imported\n  - name: sub\n    alias: other\n    version: 0.1.0\n    tags: [extra]\n";

#[test]
fn subcharts_values_and_order() {
    let dir = chart(
        "deps",
        &[
            ("Chart.yaml", PARENT),
            ("values.yaml", "global:\n  g: parent\nsub:\n  enabled: true\nkeep: 1\ndrop: 2\ntags:\n  extra: false\n"),
            (
                "templates/cm.yaml",
                "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ .Release.Name }}\ndata:\n  imported: {{ with .Values.imported }}{{ .x | quote }}{{ end }}\n  keep: {{ .Values.keep | quote }}\n  drop: {{ hasKey .Values \"drop\" | quote }}\n",
            ),
            ("templates/_helpers.tpl", "{{ define \"x\" }}parent{{ end }}"),
            ("templates/NOTES.txt", "notes {{ .Release.Name }}"),
            ("charts/sub/Chart.yaml", "apiVersion: v2\nname: sub\nversion: 0.1.0\n"),
            ("charts/sub/values.yaml", "shared:\n  x: from-sub\nname: sub-default\n"),
            (
                "charts/sub/templates/svc.yaml",
                "apiVersion: v1\nkind: Service\nmetadata:\n  name: {{ .Chart.Name }}-{{ .Values.name }}-{{ .Values.global.g }}-{{ include \"x\" . }}\n",
            ),
        ],
    );
    for helm in [HelmVersion::V3, HelmVersion::V4] {
        let text = out(&dir, helm, &["drop=null"]).unwrap();
        // Service (kind order) after ConfigMap; the `other` alias is off (tag false);
        // the parent's define wins; import-values brought sub's shared.x; null deleted `drop`.
        assert_eq!(
            text,
            "---\n# Source: app/templates/cm.yaml\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: release-name\ndata:\n  imported: \"from-sub\"\n  keep: \"1\"\n  drop: \"false\"\n---\n# Source: app/charts/sub/templates/svc.yaml\napiVersion: v1\nkind: Service\nmetadata:\n  name: sub-sub-default-parent-parent\n",
            "{helm:?}"
        );
        let text = out(&dir, helm, &["tags.extra=true", "sub.enabled=false"]).unwrap();
        assert!(
            text.contains("name: other-sub-default-parent-parent"),
            "{text}"
        );
        assert!(!text.contains("# Source: app/charts/sub/"), "{text}");
    }
}

#[test]
fn helm_failures() {
    let dir = chart(
        "fail",
        &[
            (
                "Chart.yaml",
                "apiVersion: v2\nname: bad\nversion: 1.0.0\nkubeVersion: \">=1.40.0\"\n",
            ),
            (
                "templates/a.yaml",
                "x: {{ required \"need x\" .Values.x }}\n",
            ),
        ],
    );
    assert_eq!(
        out(&dir, HelmVersion::V3, &[]).unwrap_err(),
        "chart requires kubeVersion: >=1.40.0 which is incompatible with Kubernetes v1.32.0"
    );
    std::fs::write(
        dir.join("Chart.yaml"),
        "apiVersion: v2\nname: bad\nversion: 1.0.0\n",
    )
    .unwrap();
    assert_eq!(
        out(&dir, HelmVersion::V4, &[]).unwrap_err(),
        "execution error at (bad/templates/a.yaml:1:6): need x"
    );
    std::fs::write(dir.join("templates/a.yaml"), "- a\n").unwrap();
    assert_eq!(
        out(&dir, HelmVersion::V3, &[]).unwrap_err(),
        "YAML parse error on bad/templates/a.yaml: error unmarshaling JSON: while decoding JSON: json: cannot unmarshal array into Go value of type releaseutil.SimpleHead"
    );
    std::fs::write(
        dir.join("Chart.yaml"),
        "apiVersion: v2\nname: bad\nversion: 1.0.0\ntype: library\n",
    )
    .unwrap();
    assert_eq!(
        out(&dir, HelmVersion::V4, &[]).unwrap_err(),
        "library charts are not installable"
    );
}

#[test]
fn hooks_crds_and_helmignore() {
    let dir = chart(
        "hooks",
        &[
            ("Chart.yaml", "apiVersion: v2\nname: h\nversion: 1.0.0\n"),
            (".helmignore", "*.md\n"),
            ("templates/README.md", "not yaml: [\n"),
            ("crds/crd.yaml", "kind: CustomResourceDefinition\n"),
            (
                "templates/all.yaml",
                "kind: Job\nmetadata:\n  annotations:\n    helm.sh/hook: pre-install\n---\nkind: Pod\nmetadata:\n  annotations:\n    helm.sh/hook: test\n---\nkind: Secret\n---\nkind: X\nmetadata:\n  annotations:\n    helm.sh/hook: crd-install\n",
            ),
        ],
    );
    let mut req = Request::new(HelmVersion::V4);
    req.include_crds = true;
    req.skip_tests = true;
    let o = render(&dir, &req).unwrap();
    assert_eq!(
        o.text,
        "---\n# Source: h/crds/crd.yaml\nkind: CustomResourceDefinition\n\n---\n# Source: h/templates/all.yaml\nkind: Secret\n---\n# Source: h/templates/all.yaml\nkind: Job\nmetadata:\n  annotations:\n    helm.sh/hook: pre-install\n"
    );
    assert!(o.warnings.iter().any(|w| w.contains("crd-install")));
    // Each line of a document knows its template line.
    let secret = o.text.lines().position(|l| l == "kind: Secret").unwrap();
    assert_eq!(o.lines[secret].as_ref().map(|l| l.line), Some(11));
}

/// A chart of hooks only: Helm prints one empty line before them, and each line's record
/// stays with its own line (it was one line early: findings on helm-test pods of a
/// tests-only chart sat one line below their key).
#[test]
fn hooks_only_lines_keep_their_template_lines() {
    let dir = chart(
        "hooks-only",
        &[
            ("Chart.yaml", "apiVersion: v2\nname: t\nversion: 1.0.0\n"),
            (
                "templates/test.yaml",
                "# a comment\nkind: Pod\nmetadata:\n  annotations:\n    helm.sh/hook: test\n",
            ),
        ],
    );
    let o = render(&dir, &Request::new(HelmVersion::V4)).unwrap();
    assert!(
        o.text
            .starts_with("\n---\n# Source: t/templates/test.yaml\n"),
        "{}",
        o.text
    );
    assert_eq!(o.lines.len(), o.text.lines().count());
    for (i, want) in [("kind: Pod", 2), ("    helm.sh/hook: test", 5)] {
        let at = o.text.lines().position(|l| l == i).unwrap();
        assert_eq!(o.lines[at].as_ref().map(|l| l.line), Some(want), "{i}");
    }
}
