//! `.helmignore` as Helm reads it (`pkg/ignore/rules.go`). Not the `ignore` crate: Helm's
//! rules are not gitignore's. A pattern is matched with Go's `filepath.Match` against the
//! base name when it has no `/`, against the whole path when it has one; a leading `/`
//! anchors at the chart root; `**` is an error; `!` negates (and a negated rule that does not
//! match ignores the file, Helm's own reading); a trailing `/` matches directories only.

#[derive(Default)]
pub struct Rules {
    patterns: Vec<Pattern>,
}

struct Pattern {
    rule: String,
    negate: bool,
    must_dir: bool,
    kind: Kind,
}

enum Kind {
    Root,
    Path,
    Base,
}

impl Rules {
    pub fn parse(text: &str) -> Result<Rules, String> {
        let mut r = Rules::default();
        for line in text.lines() {
            r.add(line)?;
        }
        Ok(r)
    }

    /// Helm's `AddDefaults`: dotfiles under templates/ are never loaded.
    pub fn add_defaults(&mut self) {
        let _ = self.add("templates/.?*");
    }

    fn add(&mut self, rule: &str) -> Result<(), String> {
        let rule = rule.trim();
        if rule.is_empty() || rule.starts_with('#') {
            return Ok(());
        }
        if rule.contains("**") {
            return Err("double-star (**) syntax is not supported".into());
        }
        if go_match(rule, "abc").is_err() {
            return Err("syntax error in pattern".into());
        }
        let mut rule = rule;
        let negate = rule.starts_with('!');
        if negate {
            rule = &rule[1..];
        }
        let must_dir = rule.ends_with('/');
        if must_dir {
            rule = rule.trim_end_matches('/');
        }
        let kind = if rule.starts_with('/') {
            rule = rule.trim_start_matches('/');
            Kind::Root
        } else if rule.contains('/') {
            Kind::Path
        } else {
            Kind::Base
        };
        self.patterns.push(Pattern {
            rule: rule.to_string(),
            negate,
            must_dir,
            kind,
        });
        Ok(())
    }

    /// `Rules.Ignore(path, fi)`.
    pub fn ignore(&self, path: &str, is_dir: bool) -> bool {
        if path.is_empty() || path == "." || path == "./" {
            return false;
        }
        for p in &self.patterns {
            let m = |n: &str| go_match(&p.rule, n).unwrap_or(false);
            let matched = match p.kind {
                Kind::Root | Kind::Path => m(path),
                Kind::Base => m(path.rsplit('/').next().unwrap_or(path)),
            };
            if p.negate {
                if p.must_dir && !is_dir {
                    return true;
                }
                if !matched {
                    return true;
                }
                continue;
            }
            if p.must_dir && !is_dir {
                continue;
            }
            if matched {
                return true;
            }
        }
        false
    }
}

/// Go's `filepath.Match` on `/`-separated paths: `*` (no `/`), `?`, `[…]` classes with `^`
/// negation and ranges, `\` escapes. Err on a malformed pattern.
pub fn go_match(pattern: &str, name: &str) -> Result<bool, ()> {
    let p: Vec<char> = pattern.chars().collect();
    let n: Vec<char> = name.chars().collect();
    fn rec(p: &[char], n: &[char]) -> Result<bool, ()> {
        if p.is_empty() {
            return Ok(n.is_empty());
        }
        match p[0] {
            '*' => {
                // Stars collapse; a star never crosses '/'.
                let rest = &p[1..];
                let mut i = 0;
                loop {
                    if rec(rest, &n[i..])? {
                        return Ok(true);
                    }
                    if i >= n.len() || n[i] == '/' {
                        // Validate the rest of the pattern like Go does.
                        rec(rest, &[]).map(|_| false)?;
                        return Ok(false);
                    }
                    i += 1;
                }
            }
            '?' => {
                if n.is_empty() || n[0] == '/' {
                    return Ok(false);
                }
                rec(&p[1..], &n[1..])
            }
            '[' => {
                let mut i = 1;
                let negated = p.get(1) == Some(&'^');
                if negated {
                    i += 1;
                }
                let c = n.first().copied();
                let mut matched = false;
                let mut first = true;
                loop {
                    let Some(&ch) = p.get(i) else { return Err(()) };
                    if ch == ']' && !first {
                        i += 1;
                        break;
                    }
                    first = false;
                    let (lo, ni) = class_char(p, i)?;
                    i = ni;
                    let mut hi = lo;
                    if p.get(i) == Some(&'-') {
                        let (h, ni) = class_char(p, i + 1)?;
                        hi = h;
                        i = ni;
                    }
                    if let Some(c) = c {
                        if lo <= c && c <= hi {
                            matched = true;
                        }
                    }
                }
                match c {
                    Some(c) if c != '/' && matched != negated => rec(&p[i..], &n[1..]),
                    _ => {
                        rec(&p[i..], &[]).map(|_| false)?;
                        Ok(false)
                    }
                }
            }
            '\\' => {
                let Some(&e) = p.get(1) else { return Err(()) };
                if n.first() == Some(&e) {
                    rec(&p[2..], &n[1..])
                } else {
                    Ok(false)
                }
            }
            c => {
                if n.first() == Some(&c) {
                    rec(&p[1..], &n[1..])
                } else {
                    Ok(false)
                }
            }
        }
    }
    fn class_char(p: &[char], i: usize) -> Result<(char, usize), ()> {
        match p.get(i) {
            None | Some('-') | Some(']') => Err(()),
            Some('\\') => p.get(i + 1).map(|&c| (c, i + 2)).ok_or(()),
            Some(&c) => Ok((c, i + 1)),
        }
    }
    rec(&p, &n)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn helmignore() {
        let mut r = Rules::parse("# c\n*.md\n/ci/\ndocs/*.txt\n").unwrap();
        r.add_defaults();
        assert!(r.ignore("README.md", false));
        assert!(r.ignore("sub/x.md", false));
        assert!(r.ignore("ci", true));
        assert!(!r.ignore("ci", false));
        assert!(r.ignore("docs/a.txt", false));
        assert!(!r.ignore("x/docs/a.txt", false));
        assert!(r.ignore("templates/.hidden", false));
        assert!(!r.ignore("templates/a.yaml", false));
        assert!(Rules::parse("a/**/b").is_err());
        assert!(go_match("[a-c]x", "bx").unwrap());
        assert!(!go_match("*", "a/b").unwrap());
    }
}
