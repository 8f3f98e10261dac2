//! A template source cut into what Helm copies verbatim and what it evaluates, with byte
//! ranges: for tools that edit a template's text and must know what an edit at a given
//! place does to the output (chartguard puts marker comments into a copy of a chart and
//! needs to know, before rendering, where a comment cannot change or break the output).
//!
//! The source is checked with the real parser first, so the pieces follow the grammar Helm
//! uses (trim markers, comments, `define`/`block` bodies, strings containing `}}`), not a
//! textual guess.

use crate::lex::{Lexer, T};

/// One piece of a template source: `source[start..end]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Piece {
    pub start: usize,
    pub end: usize,
    pub kind: Kind,
    /// Inside a `{{ define }}` or `{{ block }}` body: its text is output wherever the
    /// template is included, not here.
    pub in_define: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Kind {
    /// Text copied to the output as it is. The range excludes whitespace a trim marker
    /// (`{{-`, `-}}`) removes.
    Text,
    /// `{{ … }}` or `{{/* … */}}`, delimiters included.
    Action(Action),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Action {
    /// `{{-`: removes the white space before it.
    pub trim_left: bool,
    /// `-}}`: removes the white space after it.
    pub trim_right: bool,
    pub what: What,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum What {
    /// `{{/* … */}}`: outputs nothing.
    Comment,
    /// A control word: `if`, `else`, `end`, `range`, `with`, `define`, `block`, `template`,
    /// `break`, `continue`, with the name a `define`/`block`/`template` gives.
    Keyword {
        word: &'static str,
        name: Option<String>,
    },
    /// A pipeline that declares or assigns a variable (`$x := …`): outputs nothing.
    Assign,
    /// A pipeline whose value is output: each command's function (None when the command is
    /// not a function call, e.g. `.Values.x`) and its first argument when that is a string
    /// literal (`include "name" .`).
    Output { commands: Vec<Command> },
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Command {
    pub func: Option<String>,
    pub first_string: Option<String>,
}

/// The pieces of `text` in source order, or the parse error Helm would report.
pub fn outline(name: &str, text: &str) -> Result<Vec<Piece>, String> {
    // Which functions exist does not change the shape; `break`/`continue` are keywords.
    crate::parse::parse(name, text, &|f| !matches!(f, "break" | "continue"))
        .map_err(|e| e.message)?;
    let mut lex = Lexer::new(text);
    lex.emit_comment = true;
    let bytes = text.as_bytes();
    let mut pieces = Vec::new();
    // Open blocks, and whether each is a define/block body.
    let mut open: Vec<bool> = Vec::new();
    loop {
        let item = lex.next_item();
        match item.typ {
            T::Eof => break,
            T::Error => return Err(item.val),
            T::Text => pieces.push(Piece {
                start: item.pos,
                end: item.pos + item.val.len(),
                kind: Kind::Text,
                in_define: open.iter().any(|d| *d),
            }),
            T::Comment => {
                // The item is `/* … */`; the delimiters and trim markers are around it.
                let trim_left = item.pos >= 4
                    && &bytes[item.pos - 4..item.pos - 2] == b"{{"
                    && bytes[item.pos - 2] == b'-'
                    && crate::lex::is_space(bytes[item.pos - 1] as char);
                let start = item.pos - if trim_left { 4 } else { 2 };
                let mut end = item.pos + item.val.len();
                let trim_right = bytes
                    .get(end)
                    .is_some_and(|b| crate::lex::is_space(*b as char))
                    && bytes[end + 1..].starts_with(b"-}}");
                if trim_right {
                    end += 2;
                }
                pieces.push(Piece {
                    start,
                    end: end + 2,
                    kind: Kind::Action(Action {
                        trim_left,
                        trim_right,
                        what: What::Comment,
                    }),
                    in_define: open.iter().any(|d| *d),
                });
            }
            T::LeftDelim => {
                let start = item.pos;
                let trim_left = bytes.get(start + 2) == Some(&b'-')
                    && bytes
                        .get(start + 3)
                        .is_some_and(|b| crate::lex::is_space(*b as char));
                let in_define = open.iter().any(|d| *d);
                let mut tokens = Vec::new();
                let end = loop {
                    let t = lex.next_item();
                    match t.typ {
                        T::RightDelim => break t.pos + 2,
                        T::Eof | T::Error => return Err("unclosed action".into()),
                        T::Space => {}
                        _ => tokens.push(t),
                    }
                };
                let trim_right = end >= 5
                    && bytes[end - 3] == b'-'
                    && crate::lex::is_space(bytes[end - 4] as char);
                let what = classify(&tokens);
                if let What::Keyword { word, .. } = &what {
                    match *word {
                        "if" | "range" | "with" => open.push(false),
                        "define" | "block" => open.push(true),
                        "end" => {
                            open.pop();
                        }
                        _ => {}
                    }
                }
                pieces.push(Piece {
                    start,
                    end,
                    kind: Kind::Action(Action {
                        trim_left,
                        trim_right,
                        what,
                    }),
                    in_define,
                });
            }
            _ => {}
        }
    }
    Ok(pieces)
}

fn classify(tokens: &[crate::lex::Item]) -> What {
    let Some(first) = tokens.first() else {
        return What::Output {
            commands: Vec::new(),
        };
    };
    let word = match first.typ {
        T::If => Some("if"),
        T::Else => Some("else"),
        T::End => Some("end"),
        T::Range => Some("range"),
        T::With => Some("with"),
        T::Define => Some("define"),
        T::Block => Some("block"),
        T::Template => Some("template"),
        T::Break => Some("break"),
        T::Continue => Some("continue"),
        _ => None,
    };
    if let Some(word) = word {
        let name = tokens
            .get(1)
            .filter(|t| matches!(t.typ, T::String | T::RawString))
            .and_then(|t| crate::parse::unquote(&t.val).ok());
        return What::Keyword { word, name };
    }
    if first.typ == T::Variable
        && tokens
            .get(1)
            .is_some_and(|t| matches!(t.typ, T::Declare | T::Assign))
    {
        return What::Assign;
    }
    let mut commands = Vec::new();
    let mut depth = 0i32;
    let mut at_start = true;
    for (i, t) in tokens.iter().enumerate() {
        if t.typ == T::Pipe && depth == 0 {
            at_start = true;
            continue;
        }
        if at_start && depth == 0 {
            let func = (t.typ == T::Identifier).then(|| t.val.clone());
            let first_string = tokens
                .get(i + 1)
                .filter(|n| matches!(n.typ, T::String | T::RawString))
                .and_then(|n| crate::parse::unquote(&n.val).ok());
            commands.push(Command { func, first_string });
        }
        at_start = false;
        match t.typ {
            T::LeftParen => depth += 1,
            T::RightParen => depth -= 1,
            _ => {}
        }
    }
    What::Output { commands }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shown(text: &str) -> Vec<String> {
        outline("t", text)
            .unwrap()
            .iter()
            .map(|p| {
                let s = &text[p.start..p.end];
                match &p.kind {
                    Kind::Text => format!("T{}{s:?}", if p.in_define { "d" } else { "" }),
                    Kind::Action(a) => format!(
                        "A{}{}{s}",
                        if a.trim_left { "<" } else { "" },
                        if a.trim_right { ">" } else { "" }
                    ),
                }
            })
            .collect()
    }

    #[test]
    fn pieces_follow_trim_markers_comments_and_defines() {
        assert_eq!(
            shown("a: {{ .x }}\n  {{- if .y -}}\n b\n{{ end }}{{/* c */}}\n{{- /* d */ -}}\n{{ define \"n\" }}x{{ end }}z"),
            vec![
                "T\"a: \"",
                "A{{ .x }}",
                // `{{-` trims "\n  " away: no text between the actions.
                "A<>{{- if .y -}}",
                "T\"b\\n\"",
                "A{{ end }}",
                "A{{/* c */}}",
                "A<>{{- /* d */ -}}",
                "A{{ define \"n\" }}",
                "Td\"x\"",
                "A{{ end }}",
                "T\"z\"",
            ]
        );
    }

    #[test]
    fn actions_say_what_they_output() {
        let p = outline(
            "t",
            "{{ include \"a.labels\" . | nindent 4 }}{{ $x := 1 }}{{ template \"b\" . }}{{ (.x) }}",
        )
        .unwrap();
        let what: Vec<&What> = p
            .iter()
            .map(|p| match &p.kind {
                Kind::Action(a) => &a.what,
                Kind::Text => unreachable!(),
            })
            .collect();
        assert_eq!(
            what,
            vec![
                &What::Output {
                    commands: vec![
                        Command {
                            func: Some("include".into()),
                            first_string: Some("a.labels".into())
                        },
                        Command {
                            func: Some("nindent".into()),
                            first_string: None
                        }
                    ]
                },
                &What::Assign,
                &What::Keyword {
                    word: "template",
                    name: Some("b".into())
                },
                &What::Output {
                    commands: vec![Command {
                        func: None,
                        first_string: None
                    }]
                },
            ]
        );
    }

    #[test]
    fn a_template_that_does_not_parse_is_an_error() {
        assert!(outline("t", "{{ if .x }}").is_err());
        assert!(outline("t", "{{ .x ").is_err());
    }
}
