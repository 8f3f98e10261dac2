//! Sprig v3 and Helm's own functions, as Helm 3.17 and 4.1 register them: Sprig's
//! `TxtFuncMap()` minus `env`/`expandenv`, then Helm's additions and overrides
//! (pkg/engine/funcs.go, engine.go). Split by Sprig's source files.

use crate::func::{HelmVersion, Registry};

mod crypto;
pub use crypto::{current_rsa_keys, one_rsa_key_per_size, with_rsa_keys, RsaKeys};
mod dates;
mod defaults;
mod dicts;
mod encoding;
pub mod gofloat;
mod helm;
pub mod json;
mod lists;
mod math;
mod regex;
pub mod semver;
mod strings;
mod toml;
mod util;
pub mod yaml;
pub mod yamlv2;

pub use helm::{warn_wrap, WARN_END, WARN_START};

/// Registers every function Helm `version` offers templates.
pub fn register(reg: &mut Registry, version: HelmVersion) {
    strings::register(reg);
    lists::register(reg);
    dicts::register(reg);
    defaults::register(reg);
    math::register(reg);
    encoding::register(reg);
    crypto::register(reg);
    json::register(reg, version);
    yaml::register(reg, version);
    regex::register(reg);
    semver::register(reg);
    dates::register(reg);
    toml::register(reg);
    helm::register(reg);
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every key of Sprig v3.3.0's `genericMap` except `env` and `expandenv` (which Helm
    /// deletes), then Helm's additions.
    const SPRIG: &[&str] = &[
        "abbrev",
        "abbrevboth",
        "add",
        "add1",
        "add1f",
        "addf",
        "adler32sum",
        "ago",
        "all",
        "any",
        "append",
        "atoi",
        "b32dec",
        "b32enc",
        "b64dec",
        "b64enc",
        "base",
        "bcrypt",
        "biggest",
        "buildCustomCert",
        "camelcase",
        "cat",
        "ceil",
        "chunk",
        "clean",
        "coalesce",
        "compact",
        "concat",
        "contains",
        "date",
        "dateInZone",
        "dateModify",
        "date_in_zone",
        "date_modify",
        "decryptAES",
        "deepCopy",
        "deepEqual",
        "default",
        "derivePassword",
        "dict",
        "dig",
        "dir",
        "div",
        "divf",
        "duration",
        "durationRound",
        "empty",
        "encryptAES",
        "ext",
        "fail",
        "first",
        "float64",
        "floor",
        "fromJson",
        "genCA",
        "genCAWithKey",
        "genPrivateKey",
        "genSelfSignedCert",
        "genSelfSignedCertWithKey",
        "genSignedCert",
        "genSignedCertWithKey",
        "get",
        "getHostByName",
        "has",
        "hasKey",
        "hasPrefix",
        "hasSuffix",
        "hello",
        "htmlDate",
        "htmlDateInZone",
        "htpasswd",
        "indent",
        "initial",
        "initials",
        "int",
        "int64",
        "isAbs",
        "join",
        "kebabcase",
        "keys",
        "kindIs",
        "kindOf",
        "last",
        "list",
        "lower",
        "max",
        "maxf",
        "merge",
        "mergeOverwrite",
        "min",
        "minf",
        "mod",
        "mul",
        "mulf",
        "mustAppend",
        "mustChunk",
        "mustCompact",
        "mustDateModify",
        "mustDeepCopy",
        "mustFirst",
        "mustFromJson",
        "mustHas",
        "mustInitial",
        "mustLast",
        "mustMerge",
        "mustMergeOverwrite",
        "mustPrepend",
        "mustPush",
        "mustRegexFind",
        "mustRegexFindAll",
        "mustRegexMatch",
        "mustRegexReplaceAll",
        "mustRegexReplaceAllLiteral",
        "mustRegexSplit",
        "mustRest",
        "mustReverse",
        "mustSlice",
        "mustToDate",
        "mustToJson",
        "mustToPrettyJson",
        "mustToRawJson",
        "mustUniq",
        "mustWithout",
        "must_date_modify",
        "nindent",
        "nospace",
        "now",
        "omit",
        "osBase",
        "osClean",
        "osDir",
        "osExt",
        "osIsAbs",
        "pick",
        "pluck",
        "plural",
        "prepend",
        "push",
        "quote",
        "randAlpha",
        "randAlphaNum",
        "randAscii",
        "randBytes",
        "randInt",
        "randNumeric",
        "regexFind",
        "regexFindAll",
        "regexMatch",
        "regexQuoteMeta",
        "regexReplaceAll",
        "regexReplaceAllLiteral",
        "regexSplit",
        "repeat",
        "replace",
        "rest",
        "reverse",
        "round",
        "semver",
        "semverCompare",
        "seq",
        "set",
        "sha1sum",
        "sha256sum",
        "sha512sum",
        "shuffle",
        "slice",
        "snakecase",
        "sortAlpha",
        "split",
        "splitList",
        "splitn",
        "squote",
        "sub",
        "subf",
        "substr",
        "swapcase",
        "ternary",
        "title",
        "toDate",
        "toDecimal",
        "toJson",
        "toPrettyJson",
        "toRawJson",
        "toString",
        "toStrings",
        "trim",
        "trimAll",
        "trimPrefix",
        "trimSuffix",
        "trimall",
        "trunc",
        "tuple",
        "typeIs",
        "typeIsLike",
        "typeOf",
        "uniq",
        "unixEpoch",
        "unset",
        "until",
        "untilStep",
        "untitle",
        "upper",
        "urlJoin",
        "urlParse",
        "uuidv4",
        "values",
        "without",
        "wrap",
        "wrapWith",
    ];
    const HELM: &[&str] = &[
        "toToml",
        "fromToml",
        "toYaml",
        "toYamlPretty",
        "fromYaml",
        "fromYamlArray",
        "toJson",
        "mustToJson",
        "fromJson",
        "fromJsonArray",
        "include",
        "tpl",
        "required",
        "lookup",
        "fail",
        "getHostByName",
    ];

    #[test]
    fn every_helm_function_is_registered() {
        for v in [HelmVersion::V3, HelmVersion::V4] {
            let r = Registry::helm(v);
            for n in SPRIG.iter().chain(HELM) {
                assert!(r.contains(n), "{n} missing for {v:?}");
            }
            assert_eq!(r.contains("mustToYaml"), v == HelmVersion::V4);
            assert!(!r.contains("env") && !r.contains("expandenv"));
            let expected = SPRIG.len() + HELM.len() - 5 + usize::from(v == HelmVersion::V4);
            let extra: Vec<&str> = r
                .names()
                .filter(|n| !SPRIG.contains(n) && !HELM.contains(n) && *n != "mustToYaml")
                .collect();
            assert!(extra.is_empty(), "registered but not Helm's: {extra:?}");
            let _ = expected;
        }
    }
}

#[cfg(test)]
mod provenance_tests {
    use crate::provenance::ValuesPath;
    use crate::{Engine, Options, Value};

    /// The output bytes of `src` attributed to each values path.
    fn attributed(src: &str, values: serde_json::Value) -> (String, Vec<(String, String)>) {
        let mut e = Engine::new(Options::default());
        e.add_template("c/templates/x.yaml", src).unwrap();
        let vals = Value::from_json_values(&values, &ValuesPath::root());
        let mut top = std::collections::BTreeMap::new();
        top.insert(std::rc::Rc::from("Values"), vals);
        let r = e.render("c/templates/x.yaml", Value::map(top)).unwrap();
        let spans = r
            .spans
            .iter()
            .filter(|s| !s.values.paths().is_empty())
            .map(|s| {
                (
                    r.output[s.range.clone()].to_string(),
                    format!("{:?}", s.values.paths()),
                )
            })
            .collect();
        (r.output, spans)
    }

    #[test]
    fn to_yaml_alone() {
        let (out, spans) = attributed(
            "{{ toYaml .Values.image }}",
            serde_json::json!({"image": {"repository": "nginx", "tag": "1.25"}}),
        );
        assert_eq!(out, "repository: nginx\ntag: \"1.25\"");
        assert!(
            spans.contains(&("nginx".into(), "[image.repository]".into())),
            "{spans:?}"
        );
    }

    #[test]
    fn to_json_keeps_each_scalars_values_path() {
        let (out, spans) = attributed(
            "{{ toJson .Values }}",
            serde_json::json!({"a": [1, "x"], "b": {}}),
        );
        assert_eq!(out, r#"{"a":[1,"x"],"b":{}}"#);
        assert!(
            spans.contains(&("\"x\"".into(), "[a[1]]".into())),
            "{spans:?}"
        );
        assert!(spans.contains(&("{}".into(), "[b]".into())), "{spans:?}");
    }

    #[test]
    fn to_yaml_and_nindent_keep_each_scalars_values_path() {
        let (out, spans) = attributed(
            "spec:{{ toYaml .Values.image | nindent 2 }}",
            serde_json::json!({"image": {"repository": "nginx", "tag": "1.25"}}),
        );
        assert_eq!(out, "spec:\n  repository: nginx\n  tag: \"1.25\"");
        assert!(
            spans.contains(&("nginx".into(), "[image.repository]".into())),
            "{spans:?}"
        );
        assert!(
            spans.contains(&("\"1.25\"".into(), "[image.tag]".into())),
            "{spans:?}"
        );
    }
}
