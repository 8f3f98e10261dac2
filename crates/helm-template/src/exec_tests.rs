//! Executor unit tests with a small function set of their own (the Sprig/Helm functions are
//! tested by the golden suite), so Go's semantics are checked independently of `funcs`.
//! Expected strings are Go's behaviour (text/template as of Go 1.23/1.25).

use std::sync::Arc;

use crate::func::{FuncError, Registry, Sig, Ty};
use crate::{Engine, ErrorKind, HelmVersion, Options, Value, ValuesPath};

fn registry() -> Registry {
    let mut r = Registry::empty();
    r.insert("include", Sig::new(&[Ty::String, Ty::Any]), |c, a| {
        let name = a[0].as_str().unwrap_or("").to_string();
        c.include(&name, a[1].clone())
    });
    r.insert("tpl", Sig::new(&[Ty::String, Ty::Any]), |c, a| {
        let src = a[0].as_str().unwrap_or("").to_string();
        c.tpl(&src, a[1].clone())
    });
    r.insert("upper", Sig::new(&[Ty::String]), |_, a| {
        Ok(Value::string(a[0].as_str().unwrap_or("").to_uppercase()))
    });
    r.insert(
        "default",
        Sig::variadic(&[Ty::Any], Ty::Any),
        |_, a| match a.get(1) {
            Some(v) if v.truth() => Ok(v.clone()),
            _ => Ok(a[0].clone()),
        },
    );
    r.insert("list", Sig::variadic(&[], Ty::Any), |_, a| {
        Ok(Value::list(a))
    });
    r.insert("dict", Sig::variadic(&[], Ty::Any), |_, a| {
        let m = Value::empty_map();
        for kv in a.chunks(2) {
            let k = crate::gofmt::sprint_value(&kv[0]);
            m.as_map()
                .unwrap()
                .insert(k.as_str(), kv.get(1).cloned().unwrap_or_default());
        }
        Ok(m)
    });
    r.insert(
        "set",
        Sig::new(&[Ty::MapAny, Ty::String, Ty::Any]),
        |_, a| {
            a[0].as_map()
                .unwrap()
                .insert(a[1].as_str().unwrap(), a[2].clone());
            Ok(a[0].clone())
        },
    );
    r.insert("hasKey", Sig::new(&[Ty::MapAny, Ty::String]), |_, a| {
        Ok(Value::bool(
            a[0].as_map().unwrap().get(a[1].as_str().unwrap()).is_some(),
        ))
    });
    r.insert("trunc", Sig::new(&[Ty::Int, Ty::String]), |_, a| {
        let n = match a[0].data {
            crate::Data::Int(n) => n as usize,
            _ => 0,
        };
        Ok(Value::string(
            a[1].as_str().unwrap().chars().take(n).collect::<String>(),
        ))
    });
    r.insert("fail", Sig::new(&[Ty::String]), |_, a| {
        Err(FuncError::new(format!(
            "HELM_ERR_START{}HELM_ERR_END",
            a[0].as_str().unwrap()
        )))
    });
    r.insert("add1", Sig::new(&[Ty::Any]), |_, a| match a[0].data {
        crate::Data::Int(i) | crate::Data::Int64(i) => Ok(Value::int64(i + 1)),
        crate::Data::Float(f) => Ok(Value::int64(f as i64 + 1)),
        _ => Ok(Value::int64(1)),
    });
    r
}

fn engine_with(opts: Options, templates: &[(&str, &str)]) -> Engine {
    let mut e = Engine::with_registry(opts, Arc::new(registry()));
    for (n, s) in templates {
        e.add_template(n, s)
            .unwrap_or_else(|e| panic!("parse {n}: {e}"));
    }
    e
}

fn values(json: &str) -> Value {
    let v: serde_json::Value = serde_json::from_str(json).unwrap();
    let vals = Value::from_json_values(&v, &ValuesPath::root());
    let top = Value::empty_map();
    top.as_map().unwrap().insert("Values", vals);
    top
}

fn render(src: &str, vals: &str) -> Result<String, String> {
    let e = engine_with(Options::default(), &[("t", src)]);
    e.render("t", values(vals))
        .map(|r| r.output)
        .map_err(|e| e.message)
}

fn ok(src: &str, vals: &str) -> String {
    render(src, vals).unwrap_or_else(|e| panic!("{src}: {e}"))
}

#[test]
fn text_trim_and_comments() {
    assert_eq!(ok("a  {{- \"b\" -}}  c", "{}"), "abc");
    assert_eq!(ok("a {{/* x */}} b", "{}"), "a  b");
    assert_eq!(ok("a\n  {{- /* x */ -}}\n  b", "{}"), "ab");
}

#[test]
fn fields_and_missing_keys() {
    assert_eq!(ok("{{ .Values.a.b }}", r#"{"a":{"b":"x"}}"#), "x");
    // Helm removes `<no value>`.
    assert_eq!(ok("[{{ .Values.nope }}]", "{}"), "[]");
    assert_eq!(
        render("{{ .Values.a.b }}", "{}").unwrap_err(),
        "template: t:1:10: executing \"t\" at <.Values.a.b>: nil pointer evaluating interface {}.b"
    );
    assert_eq!(
        render("{{ .Values.a.b }}", r#"{"a":"s"}"#).unwrap_err(),
        "template: t:1:10: executing \"t\" at <.Values.a.b>: can't evaluate field b in type interface {}"
    );
    // Through a variable the nil is invalid: no error, `<no value>` (removed).
    assert_eq!(ok("{{ $x := .Values.a }}[{{ $x.b }}]", "{}"), "[]");
}

#[test]
fn numbers_print_like_go() {
    assert_eq!(ok("{{ .Values.n }}", r#"{"n":1000000}"#), "1e+06");
    assert_eq!(ok("{{ .Values.n }}", r#"{"n":3}"#), "3");
    assert_eq!(ok("{{ .Values.n }}", r#"{"n":1.5}"#), "1.5");
    assert_eq!(
        ok("{{ 3 }} {{ 3.0 }} {{ 1e3 }} {{ 0x10 }}", "{}"),
        "3 3 1000 16"
    );
    assert_eq!(
        ok(
            "{{ printf \"%d %v %T\" 3 .Values.n .Values.n }}",
            r#"{"n":3}"#
        ),
        "3 3 float64"
    );
    assert_eq!(
        ok("{{ .Values }}", r#"{"b":[1,"x",null],"a":{"c":true}}"#),
        "map[a:map[c:true] b:[1 x <nil>]]"
    );
}

#[test]
fn conditionals() {
    let t = "{{ if .Values.a }}A{{ else if .Values.b }}B{{ else }}C{{ end }}";
    assert_eq!(ok(t, r#"{"a":1}"#), "A");
    assert_eq!(ok(t, r#"{"b":"x"}"#), "B");
    assert_eq!(ok(t, r#"{"a":0,"b":""}"#), "C");
    let w = "{{ with .Values.a }}{{ . }}{{ else with .Values.b }}b={{ . }}{{ else }}none{{ end }}";
    assert_eq!(ok(w, r#"{"a":"x"}"#), "x");
    assert_eq!(ok(w, r#"{"b":"y"}"#), "b=y");
    assert_eq!(ok(w, "{}"), "none");
    assert_eq!(
        ok(
            "{{ if and .Values.a (not .Values.b) }}y{{ end }}",
            r#"{"a":1}"#
        ),
        "y"
    );
    // and/or return the deciding value and short-circuit (the missing key is not an error).
    assert_eq!(ok("{{ or .Values.x \"d\" }}", "{}"), "d");
    assert_eq!(ok("{{ and 1 0 2 }}", "{}"), "0");
    assert_eq!(ok("{{ or 0 \"\" }}", "{}"), "");
}

#[test]
fn ranges() {
    assert_eq!(
        ok(
            "{{ range .Values.l }}[{{ . }}]{{ end }}",
            r#"{"l":[1,"a"]}"#
        ),
        "[1][a]"
    );
    assert_eq!(
        ok(
            "{{ range $k, $v := .Values.m }}{{ $k }}={{ $v }};{{ end }}",
            r#"{"m":{"b":2,"a":1}}"#
        ),
        "a=1;b=2;"
    );
    assert_eq!(
        ok(
            "{{ range $i, $v := .Values.l }}{{ $i }}{{ $v }}{{ end }}",
            r#"{"l":["x","y"]}"#
        ),
        "0x1y"
    );
    assert_eq!(
        ok(
            "{{ range .Values.l }}x{{ else }}empty{{ end }}",
            r#"{"l":[]}"#
        ),
        "empty"
    );
    assert_eq!(
        ok("{{ range .Values.nope }}x{{ else }}empty{{ end }}", "{}"),
        "empty"
    );
    assert_eq!(ok("{{ range 3 }}{{ . }}{{ end }}", "{}"), "012");
    assert_eq!(
        ok("{{ range $i := 5 }}{{ if eq $i 1 }}{{ continue }}{{ end }}{{ if eq $i 3 }}{{ break }}{{ end }}{{ $i }}{{ end }}", "{}"),
        "02"
    );
    assert_eq!(
        render("{{ range .Values.n }}{{ end }}", r#"{"n":3}"#).unwrap_err(),
        "template: t:1:16: executing \"t\" at <.Values.n>: range can't iterate over 3"
    );
    // Variables declared inside the body are scoped to one iteration; `=` assigns outside.
    assert_eq!(
        ok(
            "{{ $x := 0 }}{{ range .Values.l }}{{ $x = . }}{{ end }}{{ $x }}",
            r#"{"l":["a","b"]}"#
        ),
        "b"
    );
}

#[test]
fn comparisons_follow_go_kinds() {
    assert_eq!(ok("{{ eq .Values.n 3.0 }}", r#"{"n":3}"#), "true");
    assert_eq!(ok("{{ eq 1 2 3 1 }}", "{}"), "true");
    assert_eq!(ok("{{ eq .Values.nope \"x\" }}", "{}"), "false");
    assert_eq!(
        ok("{{ lt 1 2 }} {{ ge \"b\" \"a\" }} {{ ne 1 1 }}", "{}"),
        "true true false"
    );
    let e = render("{{ eq .Values.n 3 }}", r#"{"n":3}"#).unwrap_err();
    assert_eq!(
        e,
        "template: t:1:3: executing \"t\" at <eq .Values.n 3>: error calling eq: incompatible types for comparison: float64 and int"
    );
    let o = Options {
        helm: HelmVersion::V3,
        ..Options::default()
    };
    let eng = engine_with(o, &[("t", "{{ eq .Values.n 3 }}")]);
    let e = eng.render("t", values(r#"{"n":3}"#)).unwrap_err().message;
    assert!(
        e.ends_with("error calling eq: incompatible types for comparison"),
        "{e}"
    );
}

#[test]
fn builtins() {
    assert_eq!(
        ok("{{ len .Values.l }} {{ len \"héllo\" }}", r#"{"l":[1,2]}"#),
        "2 6"
    );
    assert_eq!(
        ok(
            "{{ index .Values.l 1 }} {{ index .Values.m \"a\" \"b\" }}",
            r#"{"l":[1,2],"m":{"a":{"b":"c"}}}"#
        ),
        "2 c"
    );
    assert_eq!(
        ok(
            "{{ slice \"abcdef\" 1 3 }} {{ slice .Values.l 1 }}",
            r#"{"l":[1,2,3]}"#
        ),
        "bc [2 3]"
    );
    assert_eq!(
        ok("{{ print 1 2 \"a\" 3 }}|{{ println \"x\" }}", "{}"),
        "1 2a3|x\n"
    );
    assert_eq!(
        ok(
            "{{ html \"<a&'b'>\" }} {{ js \"a'b=c\" }} {{ urlquery \"a b&c\" }}",
            "{}"
        ),
        "&lt;a&amp;&#39;b&#39;&gt; a\\'b\\u003Dc a+b%26c"
    );
    assert_eq!(
        ok("{{ printf \"%s-%05.1f\" \"x\" 3.14159 }}", "{}"),
        "x-003.1"
    );
    assert_eq!(
        render("{{ len .Values.nope }}", "{}").unwrap_err(),
        "template: t:1:3: executing \"t\" at <len .Values.nope>: error calling len: len of nil pointer"
    );
    assert_eq!(
        render("{{ index .Values.nope \"a\" }}", "{}").unwrap_err(),
        "template: t:1:3: executing \"t\" at <index .Values.nope \"a\">: error calling index: index of untyped nil"
    );
}

#[test]
fn argument_types_like_go() {
    assert_eq!(
        render("{{ upper .Values.nope }}", "{}").unwrap_err(),
        "template: t:1:16: executing \"t\" at <.Values.nope>: wrong type for value; expected string; got interface {}"
    );
    assert_eq!(
        render("{{ .Values.nope | upper }}", "{}").unwrap_err(),
        "template: t:1:18: executing \"t\" at <upper>: invalid value; expected string"
    );
    assert_eq!(
        render("{{ upper 3 }}", "{}").unwrap_err(),
        "template: t:1:9: executing \"t\" at <3>: expected string; found 3"
    );
    assert_eq!(
        render("{{ upper .Values.n }}", r#"{"n":1}"#).unwrap_err(),
        "template: t:1:16: executing \"t\" at <.Values.n>: wrong type for value; expected string; got float64"
    );
    assert_eq!(
        render("{{ upper }}", "{}").unwrap_err(),
        "template: t:1:3: executing \"t\" at <upper>: wrong number of args for upper: want 1 got 0"
    );
    assert_eq!(
        render("{{ hasKey .Values.nope \"a\" }}", "{}").unwrap_err(),
        "template: t:1:17: executing \"t\" at <.Values.nope>: wrong type for value; expected map[string]interface {}; got interface {}"
    );
    assert_eq!(ok("{{ hasKey (.Values.nope) \"a\" }}", "{}"), "false");
    assert_eq!(ok("{{ .Values.s | trunc 2 }}", r#"{"s":"abc"}"#), "ab");
    assert_eq!(
        render("{{ .Values.nope | trunc 2 }}", "{}").unwrap_err(),
        "template: t:1:24: executing \"t\" at <2>: invalid value; expected string"
    );
}

#[test]
fn variables_and_pipelines() {
    assert_eq!(ok("{{ $a := \"x\" }}{{ $a = \"y\" }}{{ $a }}", "{}"), "y");
    assert_eq!(ok("{{ \"abc\" | upper | printf \"%s!\" }}", "{}"), "ABC!");
    assert_eq!(ok("{{ (dict \"a\" \"b\").a }}", "{}"), "b");
    assert_eq!(
        ok(
            "{{ $.Values.a }}{{ with .Values.m }}{{ $.Values.a }}{{ end }}",
            r#"{"a":"x","m":1}"#
        ),
        "xx"
    );
    let mut e = Engine::with_registry(Options::default(), Arc::new(registry()));
    assert_eq!(
        e.add_template("t", "{{ \"x\" | 3 }}").unwrap_err().message,
        "template: t:1: non executable command in pipeline stage 2"
    );
}

#[test]
fn define_template_block() {
    let e = engine_with(
        Options::default(),
        &[
            ("c/_h.tpl", "{{ define \"h\" }}<{{ .x }}>{{ end }}{{ define \"e\" }}{{ end }}"),
            ("c/t.yaml", "{{ template \"h\" (dict \"x\" 1) }}{{ block \"b\" . }}B{{ end }}{{ include \"h\" (dict \"x\" 2) | upper }}"),
        ],
    );
    let r = e.render("c/t.yaml", values("{}")).unwrap();
    assert_eq!(r.output, "<1>B<2>");
    let e2 = engine_with(Options::default(), &[("t", "{{ template \"nope\" }}")]);
    assert_eq!(
        e2.render("t", values("{}")).unwrap_err().message,
        "template: t:1:12: executing \"t\" at <{{template \"nope\"}}>: template \"nope\" not defined"
    );
    // The later definition wins, but an empty one never replaces a body.
    let e3 = engine_with(
        Options::default(),
        &[
            ("a", "{{ define \"x\" }}A{{ end }}"),
            ("b", "{{ define \"x\" }}B{{ end }}"),
            ("c", "{{ define \"x\" }} {{ end }}{{ template \"x\" }}"),
        ],
    );
    assert_eq!(e3.render("c", values("{}")).unwrap().output, "B");
}

#[test]
fn include_errors_and_recursion_limit() {
    let e = engine_with(
        Options::default(),
        &[
            ("c/_h.tpl", "{{ define \"r\" }}{{ include \"r\" . }}{{ end }}{{ define \"f\" }}\n  {{ fail \"boom\" }}{{ end }}"),
            ("c/a.yaml", "{{ include \"r\" . }}"),
            ("c/b.yaml", "x: {{ include \"f\" . }}"),
            ("c/n.yaml", "{{ include \"nope\" . }}"),
        ],
    );
    let err = e.render("c/a.yaml", values("{}")).unwrap_err().message;
    assert!(
        err.ends_with("error calling include: rendering template has a nested reference name: r: unable to execute template"),
        "{}",
        &err[err.len().saturating_sub(300)..]
    );
    assert_eq!(
        e.render("c/b.yaml", values("{}")).unwrap_err().message,
        "template: c/b.yaml:1:6: executing \"c/b.yaml\" at <include \"f\" .>: error calling include: template: c/_h.tpl:2:5: executing \"f\" at <fail \"boom\">: error calling fail: HELM_ERR_STARTboomHELM_ERR_END"
    );
    assert_eq!(
        e.render("c/n.yaml", values("{}")).unwrap_err().message,
        "template: c/n.yaml:1:3: executing \"c/n.yaml\" at <include \"nope\" .>: error calling include: template: no template \"nope\" associated with template \"gotpl\""
    );
}

#[test]
fn tpl_sees_defines_and_strips_no_value() {
    let e = engine_with(
        Options::default(),
        &[
            ("c/_h.tpl", "{{ define \"h\" }}H{{ end }}"),
            ("c/t.yaml", "{{ tpl .Values.t . }}|{{ tpl \"{{ define \\\"h\\\" }}X{{ end }}{{ include \\\"h\\\" . }}\" . }}|{{ include \"h\" . }}"),
        ],
    );
    let r = e
        .render(
            "c/t.yaml",
            values(r#"{"t":"{{ include \"h\" . }}-{{ .Values.nope }}-{{ .Values.t | len }}"}"#),
        )
        .unwrap();
    assert_eq!(r.output, "H--60|X|H");
    let e2 = engine_with(Options::default(), &[("t", "{{ tpl \"{{ .x\" . }}")]);
    assert_eq!(
        e2.render("t", values("{}")).unwrap_err().message,
        "template: t:1:3: executing \"t\" at <tpl \"{{ .x\" .>: error calling tpl: cannot parse template \"{{ .x\": template: gotpl:1: unclosed action"
    );
}

#[test]
fn maps_are_shared_references() {
    let e = engine_with(
        Options::default(),
        &[
            ("a", "{{ $_ := set .Values \"x\" \"set\" }}"),
            ("b", "{{ .Values.x }}"),
        ],
    );
    let data = values("{}");
    e.render("a", data.clone()).unwrap();
    assert_eq!(e.render("b", data).unwrap().output, "set");
}

#[test]
fn strict_mode() {
    let o = Options {
        strict: true,
        ..Options::default()
    };
    let e = engine_with(o, &[("t", "{{ .Values.nope }}")]);
    assert_eq!(
        e.render("t", values("{}")).unwrap_err().message,
        "template: t:1:10: executing \"t\" at <.Values.nope>: map has no entry for key \"nope\""
    );
}

#[test]
fn budgets_stop_runaway_templates() {
    let o = Options {
        max_steps: 10_000,
        ..Options::default()
    };
    let e = engine_with(
        o,
        &[(
            "t",
            "{{ define \"x\" }}{{ template \"x\" . }}{{ end }}{{ template \"x\" . }}",
        )],
    );
    let err = e.render("t", values("{}")).unwrap_err();
    assert_eq!(err.kind, ErrorKind::Budget);
    let o = Options {
        max_output_bytes: 1000,
        ..Options::default()
    };
    let e = engine_with(o, &[("t", "{{ range 100000 }}xxxxxxxxxx{{ end }}")]);
    assert_eq!(
        e.render("t", values("{}")).unwrap_err().kind,
        ErrorKind::Budget
    );
}

#[test]
fn deep_include_recursion_does_not_overflow() {
    // 1001 nested includes of one name are allowed by Helm; run them on a small stack.
    let h = std::thread::Builder::new()
        .stack_size(256 * 1024)
        .spawn(|| {
            let e = engine_with(
                Options::default(),
                &[("t", "{{ define \"r\" }}{{ if gt (len .) 0 }}{{ include \"r\" (slice . 1) }}{{ end }}x{{ end }}{{ include \"r\" .Values.l }}")],
            );
            let l: Vec<String> = (0..1000).map(|_| "1".to_string()).collect();
            let json = format!("{{\"l\":[{}]}}", l.join(","));
            e.render("t", values(&json)).map(|r| r.output.len())
        })
        .unwrap();
    assert_eq!(h.join().unwrap().unwrap(), 1001);
}

#[test]
fn provenance_spans() {
    let e = engine_with(
        Options::default(),
        &[
            ("c/_h.tpl", "{{ define \"img\" }}{{ .Values.image.repo }}:{{ .Values.image.tag | default \"latest\" }}{{ end }}"),
            ("c/t.yaml", "image: {{ include \"img\" . }}\nname: {{ .Values.name | upper }}\n"),
        ],
    );
    let r = e
        .render(
            "c/t.yaml",
            values(r#"{"image":{"repo":"nginx","tag":"1.2"},"name":"web"}"#),
        )
        .unwrap();
    assert_eq!(r.output, "image: nginx:1.2\nname: WEB\n");
    let find = |needle: &str| {
        let at = r.output.find(needle).unwrap();
        r.spans
            .iter()
            .find(|s| s.range.start <= at && at < s.range.end)
            .unwrap()
            .clone()
    };
    let tag = find("1.2");
    assert_eq!(
        tag.values
            .paths()
            .iter()
            .map(|p| p.to_string())
            .collect::<Vec<_>>(),
        vec!["image.tag"]
    );
    assert_eq!(&*tag.origin.pos.template, "c/_h.tpl");
    let frames: Vec<_> = tag
        .origin
        .stack
        .frames()
        .map(|f| f.name.to_string())
        .collect();
    assert_eq!(frames, vec!["img"]);
    assert_eq!(tag.origin.stack.frames().next().unwrap().call_site.line, 1);
    let name = find("WEB");
    assert_eq!(name.values.paths()[0].to_string(), "name");
    assert_eq!((name.origin.pos.line, name.origin.pos.col), (2, 10));
    let text = find("name:");
    assert!(text.origin.verbatim && text.values.is_empty());
    // Spans cover the output exactly, in order.
    let mut at = 0;
    for s in &r.spans {
        assert_eq!(s.range.start, at);
        at = s.range.end;
    }
    assert_eq!(at, r.output.len());
}

#[test]
fn provenance_through_tpl_and_no_value_removal() {
    let e = engine_with(
        Options::default(),
        &[("t", "a{{ .Values.nope }}b {{ tpl .Values.t . }}")],
    );
    let r = e
        .render("t", values(r#"{"t":"x-{{ .Values.v }}","v":"y"}"#))
        .unwrap();
    assert_eq!(r.output, "ab x-y");
    let b = r.spans.iter().find(|s| s.range.contains(&1)).unwrap();
    assert_eq!(&r.output[b.range.clone()], "b ");
    let x = r.spans.iter().find(|s| s.range.contains(&3)).unwrap();
    assert_eq!(x.values.paths()[0].to_string(), "t");
    let y = r.spans.iter().find(|s| s.range.contains(&5)).unwrap();
    assert_eq!(y.values.paths()[0].to_string(), "v");
}

#[test]
fn helm_error_formats() {
    let e = engine_with(
        Options::default(),
        &[
            (
                "golden/templates/_helpers.tpl",
                "{{ define \"smoke.h2\" }}{{- /* x */ -}}{{ .a.b }}{{ end }}",
            ),
            (
                "golden/templates/case.yaml",
                "{{ include \"smoke.h2\" .Values }}",
            ),
            ("golden/templates/nil.yaml", "{{ .Values.missing.x.y }}"),
            ("golden/templates/req.yaml", "{{ fail \"need it\" }}"),
        ],
    );
    let f = "golden/templates/case.yaml";
    let err = e.render(f, values("{}")).unwrap_err();
    assert_eq!(
        err.helm_message(HelmVersion::V4, f),
        "golden/templates/case.yaml:1:3\n  executing \"golden/templates/case.yaml\" at <include \"smoke.h2\" .Values>:\n    error calling include:\ngolden/templates/_helpers.tpl:1:43\n  executing \"smoke.h2\" at <.a.b>:\n    nil pointer evaluating interface {}.b"
    );
    assert_eq!(err.helm_message(HelmVersion::V3, f), err.message);
    let err = e
        .render("golden/templates/nil.yaml", values("{}"))
        .unwrap_err();
    assert_eq!(
        err.helm_message(HelmVersion::V4, ""),
        "golden/templates/nil.yaml:1:10\n  executing \"golden/templates/nil.yaml\" at <.Values.missing.x.y>:\n    nil pointer evaluating interface {}.x"
    );
    let err = e
        .render("golden/templates/req.yaml", values("{}"))
        .unwrap_err();
    assert_eq!(
        err.helm_message(HelmVersion::V3, ""),
        "execution error at (golden/templates/req.yaml:1:3): need it"
    );
    let mut e2 = Engine::with_registry(Options::default(), Arc::new(registry()));
    let err = e2
        .add_template("golden/templates/case.yaml", "{{ env \"x\" }}")
        .unwrap_err();
    assert_eq!(
        err.helm_message(HelmVersion::V4, ""),
        "parse error at (golden/templates/case.yaml:1): function \"env\" not defined"
    );
}

#[test]
fn range_elements_are_interface_values() {
    // Elements of a []interface{} stay interface values in dot and in range variables.
    for t in [
        "{{ range .Values.l }}{{ upper . }}{{ end }}",
        "{{ range $v := .Values.l }}{{ upper $v }}{{ end }}",
    ] {
        let e = render(t, r#"{"l":[null]}"#).unwrap_err();
        assert!(
            e.ends_with("wrong type for value; expected string; got interface {}"),
            "{e}"
        );
    }
    let e = render(
        "{{ range $v := .Values.l }}{{ $v.x }}{{ end }}",
        r#"{"l":[null]}"#,
    )
    .unwrap_err();
    assert!(e.ends_with("nil pointer evaluating interface {}.x"), "{e}");
    // After a pipeline the value is unwrapped: no value, no error.
    assert_eq!(
        ok(
            "{{ range .Values.l }}{{ $x := . }}[{{ $x.y }}]{{ end }}",
            r#"{"l":[null]}"#
        ),
        "[]"
    );
}

#[test]
fn provenance_through_printf_per_argument() {
    let e = engine_with(
        Options::default(),
        &[(
            "t",
            "image: {{ printf \"%s:%s\" .Values.repo .Values.tag }}",
        )],
    );
    let r = e
        .render("t", values(r#"{"repo":"nginx","tag":"1.2"}"#))
        .unwrap();
    assert_eq!(r.output, "image: nginx:1.2");
    let at = |i: usize| {
        let s = r.spans.iter().find(|s| s.range.contains(&i)).unwrap();
        s.values
            .paths()
            .iter()
            .map(|p| p.to_string())
            .collect::<Vec<_>>()
    };
    assert_eq!(at(7), vec!["repo"]);
    assert_eq!(at(12), Vec::<String>::new());
    assert_eq!(at(13), vec!["tag"]);
}

#[test]
fn engine_and_results_cross_threads() {
    // Parsed templates are shared by renders on several threads; results and errors travel.
    fn send_sync<T: Send + Sync>() {}
    send_sync::<Engine>();
    send_sync::<crate::Rendered>();
    send_sync::<crate::Error>();
}

#[test]
fn template_recursion_stops_at_go_limit() {
    let e = engine_with(
        Options::default(),
        &[(
            "t",
            "{{ define \"x\" }}{{ template \"x\" . }}{{ end }}{{ template \"x\" . }}",
        )],
    );
    let err = e.render("t", values("{}")).unwrap_err();
    assert!(
        err.message
            .ends_with("exceeded maximum template depth (100000)"),
        "{}",
        err.message
    );
}
