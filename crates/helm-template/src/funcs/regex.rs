//! Sprig's regex.go over the `regex` crate. Go's regexp is RE2: same syntax family,
//! leftmost-first matching and `$name` expansion as the regex crate. The one systematic
//! difference is that Go's `\d \s \w \b` are ASCII-only while the crate's are Unicode, so
//! patterns are rewritten to the ASCII classes before compiling.

use super::util::*;
use crate::func::{FuncError, Registry, Sig, Ty};
use crate::value::Value;

#[allow(unused_imports)]
use Ty::{Any, Bool, Float64, Int, MapAny, String as Str};

pub fn register(r: &mut Registry) {
    r.insert("regexMatch", Sig::new(&[Str, Str]), |_, a| {
        Ok(Value::bool(
            compile(s(&a[0]))
                .map(|re| re.is_match(s(&a[1])))
                .unwrap_or(false),
        ))
    });
    r.insert("mustRegexMatch", Sig::new(&[Str, Str]), |_, a| {
        Ok(Value::bool(compile(s(&a[0]))?.is_match(s(&a[1]))))
    });
    for (n, must) in [("regexFindAll", false), ("mustRegexFindAll", true)] {
        let f: crate::func::Func = if must {
            |_, a| find_all(&a, true)
        } else {
            |_, a| find_all(&a, false)
        };
        r.insert(n, Sig::new(&[Str, Str, Int]), f);
    }
    r.insert("regexFind", Sig::new(&[Str, Str]), |_, a| {
        let re = must_compile(s(&a[0]))?;
        string(re.find(s(&a[1])).map(|m| m.as_str()).unwrap_or(""))
    });
    r.insert("mustRegexFind", Sig::new(&[Str, Str]), |_, a| {
        let re = compile(s(&a[0]))?;
        string(re.find(s(&a[1])).map(|m| m.as_str()).unwrap_or(""))
    });
    r.insert("regexReplaceAll", Sig::new(&[Str, Str, Str]), |_, a| {
        let re = must_compile(s(&a[0]))?;
        string(re.replace_all(s(&a[1]), s(&a[2])).into_owned())
    });
    r.insert("mustRegexReplaceAll", Sig::new(&[Str, Str, Str]), |_, a| {
        let re = compile(s(&a[0]))?;
        string(re.replace_all(s(&a[1]), s(&a[2])).into_owned())
    });
    r.insert(
        "regexReplaceAllLiteral",
        Sig::new(&[Str, Str, Str]),
        |_, a| {
            let re = must_compile(s(&a[0]))?;
            string(
                re.replace_all(s(&a[1]), regex::NoExpand(s(&a[2])))
                    .into_owned(),
            )
        },
    );
    r.insert(
        "mustRegexReplaceAllLiteral",
        Sig::new(&[Str, Str, Str]),
        |_, a| {
            let re = compile(s(&a[0]))?;
            string(
                re.replace_all(s(&a[1]), regex::NoExpand(s(&a[2])))
                    .into_owned(),
            )
        },
    );
    r.insert("regexSplit", Sig::new(&[Str, Str, Int]), |_, a| {
        let re = must_compile(s(&a[0]))?;
        Ok(Value::string_list(split(&re, s(&a[0]), s(&a[1]), i(&a[2]))))
    });
    r.insert("mustRegexSplit", Sig::new(&[Str, Str, Int]), |_, a| {
        let re = compile(s(&a[0]))?;
        Ok(Value::string_list(split(&re, s(&a[0]), s(&a[1]), i(&a[2]))))
    });
    r.insert("regexQuoteMeta", Sig::new(&[Str]), |_, a| {
        string(quote_meta(s(&a[0])))
    });
}

/// Go's ASCII-only Perl classes, spelled for the regex crate.
fn translate(p: &str) -> String {
    let mut out = String::with_capacity(p.len() + 8);
    let mut it = p.chars().peekable();
    let mut in_class = false;
    while let Some(c) = it.next() {
        if c == '\\' {
            let Some(n) = it.next() else {
                out.push(c);
                break;
            };
            let rep = match n {
                'd' => Some("[0-9]"),
                'D' => Some("[^0-9]"),
                's' => Some("[\\t\\n\\f\\r ]"),
                'S' => Some("[^\\t\\n\\f\\r ]"),
                'w' => Some("[0-9A-Za-z_]"),
                'W' => Some("[^0-9A-Za-z_]"),
                'b' if !in_class => Some("(?-u:\\b)"),
                'B' if !in_class => Some("(?-u:\\B)"),
                _ => None,
            };
            match rep {
                Some(r) => out.push_str(r),
                None => {
                    out.push('\\');
                    out.push(n);
                }
            }
            continue;
        }
        if c == '[' && !in_class {
            in_class = true;
            out.push(c);
            // A leading ']' (or '^]') is a literal inside the class.
            if it.peek() == Some(&'^') {
                out.push(it.next().unwrap());
            }
            if it.peek() == Some(&']') {
                out.push(it.next().unwrap());
            }
            continue;
        }
        if c == '[' && in_class && it.peek() == Some(&':') {
            // [:alpha:] inside a class: copy through to the closing ":]".
            out.push(c);
            for d in it.by_ref() {
                out.push(d);
                if d == ']' {
                    break;
                }
            }
            continue;
        }
        if c == ']' && in_class {
            in_class = false;
        }
        out.push(c);
    }
    out
}

fn compile(p: &str) -> Result<regex::Regex, FuncError> {
    regex::RegexBuilder::new(&translate(p))
        .size_limit(1 << 22)
        .build()
        .map_err(|e| FuncError::new(format!("error parsing regexp: {}: `{p}`", short_error(&e))))
}

/// Go's `regexp.MustCompile` panic text.
fn must_compile(p: &str) -> Result<regex::Regex, FuncError> {
    compile(p).map_err(|e| {
        FuncError::new(format!(
            "regexp: Compile({}): {}",
            super::strings::go_quote(p),
            e.message
        ))
    })
}

/// Go's regexp/syntax wording for the crate's most common errors.
fn short_error(e: &regex::Error) -> String {
    let txt = e.to_string();
    // The crate's message is multi-line with a caret diagram; keep the last "error:" line.
    let m = txt
        .lines()
        .rev()
        .find_map(|l| l.trim().strip_prefix("error: "))
        .unwrap_or("invalid regular expression");
    match m {
        "unclosed group" => "missing closing )",
        "unopened group" => "unexpected )",
        "unclosed character class" => "missing closing ]",
        "repetition operator missing expression" => "missing argument to repetition operator",
        "unrecognized escape sequence" => "invalid escape sequence",
        other => other,
    }
    .to_string()
}

fn find_all(a: &[Value], must: bool) -> R {
    let re = if must {
        compile(s(&a[0]))?
    } else {
        must_compile(s(&a[0]))?
    };
    let n = i(&a[2]);
    let it = re.find_iter(s(&a[1])).map(|m| m.as_str().to_string());
    let v: Vec<String> = if n < 0 {
        it.collect()
    } else {
        it.take(n as usize).collect()
    };
    Ok(Value::string_list(v))
}

/// Go's `Regexp.Split`.
fn split(re: &regex::Regex, expr: &str, x: &str, n: i64) -> Vec<String> {
    if n == 0 {
        return vec![];
    }
    if !expr.is_empty() && x.is_empty() {
        return vec![String::new()];
    }
    let matches: Vec<(usize, usize)> = re.find_iter(x).map(|m| (m.start(), m.end())).collect();
    let mut out = vec![];
    let (mut beg, mut end) = (0, 0);
    for (ms, me) in matches {
        if n > 0 && out.len() as i64 == n - 1 {
            break;
        }
        end = ms;
        if me != 0 {
            out.push(x[beg..end].to_string());
        }
        beg = me;
    }
    if end != x.len() {
        out.push(x[beg..].to_string());
    }
    out
}

/// Go's `regexp.QuoteMeta`.
fn quote_meta(x: &str) -> String {
    let mut out = String::with_capacity(x.len());
    for c in x.chars() {
        if "\\.+*?()|[]{}^$".contains(c) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn go_semantics() {
        let re = compile(r"\d+").unwrap();
        assert!(!re.is_match("٣"));
        assert_eq!(
            split(&compile("a").unwrap(), "a", "banana", -1),
            ["b", "n", "n", ""]
        );
        assert_eq!(
            split(&compile("z+").unwrap(), "z+", "pizza", 2),
            ["pi", "a"]
        );
        assert_eq!(quote_meta("1.5*x"), "1\\.5\\*x");
        let re = compile("a(x*)b").unwrap();
        assert_eq!(re.replace_all("-ab-axxb-", "${1}W"), "-W-xxW-");
        assert!(must_compile("(a").is_err());
    }
}
