//! The lexer: Go text/template's tokens, trim markers and error messages.
//!
//! Delimiters are fixed to `{{`/`}}` (Helm never changes them). Positions are byte offsets
//! into the source; `line` is the 1-based line where the item starts, counted the way Go's
//! lexer counts (text trimmed by `-}}`/`{{-` still counts its newlines).

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum T {
    Error,
    Bool,
    Char,
    CharConstant,
    Comment,
    Complex,
    Assign,
    Declare,
    Eof,
    Field,
    Identifier,
    LeftDelim,
    LeftParen,
    Number,
    Pipe,
    RawString,
    RightDelim,
    RightParen,
    Space,
    String,
    Text,
    Variable,
    // Keywords (all sort after `Keyword`).
    Keyword,
    Block,
    Break,
    Continue,
    Dot,
    Define,
    Else,
    End,
    If,
    Nil,
    Range,
    Template,
    With,
}

#[derive(Clone, Debug)]
pub(crate) struct Item {
    pub typ: T,
    pub pos: usize,
    pub val: String,
    pub line: usize,
}

impl Item {
    /// Go's `item.String()`, used in "unexpected X in Y" messages.
    pub fn describe(&self) -> String {
        match self.typ {
            T::Eof => "EOF".into(),
            T::Error => self.val.clone(),
            t if t > T::Keyword => format!("<{}>", self.val),
            _ => {
                if self.val.chars().count() > 10 {
                    let short: String = self.val.chars().take(10).collect();
                    format!("{}...", crate::gofmt::quote(&short))
                } else {
                    crate::gofmt::quote(&self.val)
                }
            }
        }
    }
}

const LEFT: &str = "{{";
const RIGHT: &str = "}}";
const LEFT_COMMENT: &str = "/*";
const RIGHT_COMMENT: &str = "*/";

fn keyword(word: &str) -> Option<T> {
    Some(match word {
        "." => T::Dot,
        "block" => T::Block,
        "break" => T::Break,
        "continue" => T::Continue,
        "define" => T::Define,
        "else" => T::Else,
        "end" => T::End,
        "if" => T::If,
        "range" => T::Range,
        "nil" => T::Nil,
        "template" => T::Template,
        "with" => T::With,
        _ => return None,
    })
}

pub(crate) fn is_space(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\r' | '\n')
}

pub(crate) fn is_alnum(c: char) -> bool {
    c == '_' || c.is_alphabetic() || is_go_digit(c)
}

/// Go's `unicode.IsDigit` is the Nd category; Rust's `is_numeric` is wider (No, Nl), so
/// approximate Nd: ASCII digits, plus any numeric char that has a decimal value.
fn is_go_digit(c: char) -> bool {
    c.is_ascii_digit() || (!c.is_ascii() && is_nd(c))
}

fn is_nd(c: char) -> bool {
    // The start of each run of ten decimal digits (Unicode Nd) in the BMP blocks charts could
    // plausibly use; without a Unicode table crate this is the practical approximation.
    let u = c as u32;
    const ND_STARTS: &[u32] = &[
        0x0660, 0x06F0, 0x07C0, 0x0966, 0x09E6, 0x0A66, 0x0AE6, 0x0B66, 0x0BE6, 0x0C66, 0x0CE6,
        0x0D66, 0x0DE6, 0x0E50, 0x0ED0, 0x0F20, 0x1040, 0x1090, 0x17E0, 0x1810, 0x1946, 0x19D0,
        0x1A80, 0x1A90, 0x1B50, 0x1BB0, 0x1C40, 0x1C50, 0xA620, 0xA8D0, 0xA900, 0xA9D0, 0xA9F0,
        0xAA50, 0xABF0, 0xFF10,
    ];
    ND_STARTS.iter().any(|&s| u >= s && u < s + 10)
}

fn has_left_trim(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() >= 2 && b[0] == b'-' && is_space(b[1] as char)
}

fn has_right_trim(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() >= 2 && is_space(b[0] as char) && b[1] == b'-'
}

fn trim_right_len(s: &str) -> usize {
    s.len() - s.trim_end_matches(is_space).len()
}

fn trim_left_len(s: &str) -> usize {
    s.len() - s.trim_start_matches(is_space).len()
}

pub(crate) struct Lexer<'a> {
    input: &'a str,
    pos: usize,
    start: usize,
    at_eof: bool,
    paren_depth: i32,
    line: usize,
    start_line: usize,
    inside_action: bool,
    pub break_ok: bool,
    pub continue_ok: bool,
    pub emit_comment: bool,
    done: bool,
}

enum St {
    Text,
    LeftDelim,
    Comment,
    RightDelim,
    Inside,
    Space,
    Identifier,
    Field,
    Variable,
    Char,
    Number,
    Quote,
    RawQuote,
}

impl<'a> Lexer<'a> {
    pub fn new(input: &'a str) -> Lexer<'a> {
        Lexer {
            input,
            pos: 0,
            start: 0,
            at_eof: false,
            paren_depth: 0,
            line: 1,
            start_line: 1,
            inside_action: false,
            break_ok: true,
            continue_ok: true,
            emit_comment: false,
            done: false,
        }
    }

    fn rest(&self) -> &'a str {
        &self.input[self.pos..]
    }

    fn next(&mut self) -> Option<char> {
        if self.pos >= self.input.len() {
            self.at_eof = true;
            return None;
        }
        let c = self.rest().chars().next().unwrap_or('\0');
        self.pos += c.len_utf8();
        if c == '\n' {
            self.line += 1;
        }
        Some(c)
    }

    fn peek(&mut self) -> Option<char> {
        if self.pos >= self.input.len() {
            return None;
        }
        self.rest().chars().next()
    }

    fn backup(&mut self) {
        if !self.at_eof && self.pos > 0 {
            let c = self.input[..self.pos].chars().next_back().unwrap_or('\0');
            self.pos -= c.len_utf8();
            if c == '\n' {
                self.line -= 1;
            }
        }
    }

    fn this_item(&mut self, typ: T) -> Item {
        let i = Item {
            typ,
            pos: self.start,
            val: self.input[self.start..self.pos].to_string(),
            line: self.start_line,
        };
        self.start = self.pos;
        self.start_line = self.line;
        i
    }

    fn ignore(&mut self) {
        self.line += self.input[self.start..self.pos].matches('\n').count();
        self.start = self.pos;
        self.start_line = self.line;
    }

    fn accept(&mut self, valid: &str) -> bool {
        match self.next() {
            Some(c) if valid.contains(c) => true,
            _ => {
                self.backup();
                false
            }
        }
    }

    fn accept_run(&mut self, valid: &str) {
        while let Some(c) = self.next() {
            if !valid.contains(c) {
                break;
            }
        }
        self.backup();
    }

    fn error(&mut self, msg: String) -> Item {
        let i = Item {
            typ: T::Error,
            pos: self.start,
            val: msg,
            line: self.start_line,
        };
        self.done = true;
        i
    }

    fn at_right_delim(&self) -> (bool, bool) {
        let r = self.rest();
        if has_right_trim(r) && r[2..].starts_with(RIGHT) {
            return (true, true);
        }
        (r.starts_with(RIGHT), false)
    }

    fn at_terminator(&mut self) -> bool {
        match self.peek() {
            None => true,
            Some(c) if is_space(c) => true,
            Some('.' | ',' | '|' | ':' | ')' | '(') => true,
            _ => self.rest().starts_with(RIGHT),
        }
    }

    /// The next item; after an error or EOF, keeps returning EOF.
    pub fn next_item(&mut self) -> Item {
        if self.done {
            return Item {
                typ: T::Eof,
                pos: self.pos,
                val: "EOF".into(),
                line: self.start_line,
            };
        }
        let mut st = if self.inside_action {
            St::Inside
        } else {
            St::Text
        };
        loop {
            let r = match st {
                St::Text => self.lex_text(),
                St::LeftDelim => self.lex_left_delim(),
                St::Comment => self.lex_comment(),
                St::RightDelim => Ok(self.lex_right_delim()),
                St::Inside => self.lex_inside(),
                St::Space => Ok(self.lex_space()),
                St::Identifier => Ok(self.lex_identifier()),
                St::Field => Ok(self.lex_field_or_var(T::Field)),
                St::Variable => Ok(self.lex_variable()),
                St::Char => Ok(self.lex_char()),
                St::Number => Ok(self.lex_number()),
                St::Quote => Ok(self.lex_quote()),
                St::RawQuote => Ok(self.lex_raw_quote()),
            };
            match r {
                Ok(item) => {
                    if item.typ == T::Eof || item.typ == T::Error {
                        self.done = true;
                    }
                    return item;
                }
                Err(next) => st = next,
            }
        }
    }

    fn lex_text(&mut self) -> Result<Item, St> {
        if let Some(x) = self.rest().find(LEFT) {
            if x > 0 {
                self.pos += x;
                let mut trim = 0;
                let delim_end = self.pos + LEFT.len();
                if has_left_trim(&self.input[delim_end..]) {
                    trim = trim_right_len(&self.input[self.start..self.pos]);
                }
                self.pos -= trim;
                self.line += self.input[self.start..self.pos].matches('\n').count();
                let i = self.this_item(T::Text);
                self.pos += trim;
                self.ignore();
                if !i.val.is_empty() {
                    return Ok(i);
                }
            }
            return Err(St::LeftDelim);
        }
        self.pos = self.input.len();
        if self.pos > self.start {
            self.line += self.input[self.start..self.pos].matches('\n').count();
            return Ok(self.this_item(T::Text));
        }
        Ok(self.this_item(T::Eof))
    }

    fn lex_left_delim(&mut self) -> Result<Item, St> {
        self.pos += LEFT.len();
        let trim = has_left_trim(self.rest());
        let after = if trim { 2 } else { 0 };
        if self.input[self.pos + after..].starts_with(LEFT_COMMENT) {
            self.pos += after;
            self.ignore();
            return Err(St::Comment);
        }
        let i = self.this_item(T::LeftDelim);
        self.inside_action = true;
        self.pos += after;
        self.ignore();
        self.paren_depth = 0;
        Ok(i)
    }

    fn lex_comment(&mut self) -> Result<Item, St> {
        self.pos += LEFT_COMMENT.len();
        let Some(x) = self.rest().find(RIGHT_COMMENT) else {
            return Ok(self.error("unclosed comment".into()));
        };
        self.pos += x + RIGHT_COMMENT.len();
        let (delim, trim) = self.at_right_delim();
        if !delim {
            return Ok(self.error("comment ends before closing delimiter".into()));
        }
        self.line += self.input[self.start..self.pos].matches('\n').count();
        let i = self.this_item(T::Comment);
        if trim {
            self.pos += 2;
        }
        self.pos += RIGHT.len();
        if trim {
            self.pos += trim_left_len(self.rest());
        }
        self.ignore();
        if self.emit_comment {
            return Ok(i);
        }
        Err(St::Text)
    }

    fn lex_right_delim(&mut self) -> Item {
        let (_, trim) = self.at_right_delim();
        if trim {
            self.pos += 2;
            self.ignore();
        }
        self.pos += RIGHT.len();
        let i = self.this_item(T::RightDelim);
        if trim {
            self.pos += trim_left_len(self.rest());
            self.ignore();
        }
        self.inside_action = false;
        i
    }

    fn lex_inside(&mut self) -> Result<Item, St> {
        let (delim, _) = self.at_right_delim();
        if delim {
            if self.paren_depth == 0 {
                return Err(St::RightDelim);
            }
            return Ok(self.error("unclosed left paren".into()));
        }
        let Some(r) = self.next() else {
            return Ok(self.error("unclosed action".into()));
        };
        match r {
            c if is_space(c) => {
                self.backup();
                Err(St::Space)
            }
            '=' => Ok(self.this_item(T::Assign)),
            ':' => {
                if self.next() != Some('=') {
                    return Ok(self.error("expected :=".into()));
                }
                Ok(self.this_item(T::Declare))
            }
            '|' => Ok(self.this_item(T::Pipe)),
            '"' => Err(St::Quote),
            '`' => Err(St::RawQuote),
            '$' => Err(St::Variable),
            '\'' => Err(St::Char),
            '.' => {
                let b = self.input.as_bytes().get(self.pos).copied();
                match b {
                    Some(d) if d.is_ascii_digit() => {
                        self.backup();
                        Err(St::Number)
                    }
                    Some(_) => Err(St::Field),
                    None => {
                        self.backup();
                        Err(St::Number)
                    }
                }
            }
            '+' | '-' | '0'..='9' => {
                self.backup();
                Err(St::Number)
            }
            c if is_alnum(c) => {
                self.backup();
                Err(St::Identifier)
            }
            '(' => {
                self.paren_depth += 1;
                Ok(self.this_item(T::LeftParen))
            }
            ')' => {
                self.paren_depth -= 1;
                if self.paren_depth < 0 {
                    return Ok(self.error("unexpected right paren".into()));
                }
                Ok(self.this_item(T::RightParen))
            }
            c if c.is_ascii() && !c.is_ascii_control() => Ok(self.this_item(T::Char)),
            c => Ok(self.error(format!(
                "unrecognized character in action: {}",
                crate::gofmt::unicode_hash_u(c)
            ))),
        }
    }

    fn lex_space(&mut self) -> Item {
        let mut n = 0;
        while let Some(c) = self.peek() {
            if !is_space(c) {
                break;
            }
            self.next();
            n += 1;
        }
        let back = &self.input[self.pos - 1..];
        if has_right_trim(back) && back[2..].starts_with(RIGHT) {
            self.backup();
            if n == 1 {
                return self.lex_right_delim();
            }
        }
        self.this_item(T::Space)
    }

    fn lex_identifier(&mut self) -> Item {
        loop {
            match self.next() {
                Some(c) if is_alnum(c) => {}
                r => {
                    self.backup();
                    let word = &self.input[self.start..self.pos];
                    if !self.at_terminator() {
                        return self.error(format!("bad character {}", unicode_or_eof(r)));
                    }
                    if let Some(k) = keyword(word) {
                        if (k == T::Break && !self.break_ok)
                            || (k == T::Continue && !self.continue_ok)
                        {
                            return self.this_item(T::Identifier);
                        }
                        return self.this_item(k);
                    }
                    if word.starts_with('.') {
                        return self.this_item(T::Field);
                    }
                    if word == "true" || word == "false" {
                        return self.this_item(T::Bool);
                    }
                    return self.this_item(T::Identifier);
                }
            }
        }
    }

    fn lex_variable(&mut self) -> Item {
        if self.at_terminator() {
            return self.this_item(T::Variable);
        }
        self.lex_field_or_var(T::Variable)
    }

    fn lex_field_or_var(&mut self, typ: T) -> Item {
        if self.at_terminator() {
            return self.this_item(if typ == T::Variable {
                T::Variable
            } else {
                T::Dot
            });
        }
        let mut r;
        loop {
            r = self.next();
            match r {
                Some(c) if is_alnum(c) => {}
                _ => {
                    self.backup();
                    break;
                }
            }
        }
        if !self.at_terminator() {
            return self.error(format!("bad character {}", unicode_or_eof(r)));
        }
        self.this_item(typ)
    }

    fn lex_char(&mut self) -> Item {
        loop {
            match self.next() {
                Some('\\') => match self.next() {
                    Some(c) if c != '\n' => {}
                    _ => return self.error("unterminated character constant".into()),
                },
                None | Some('\n') => return self.error("unterminated character constant".into()),
                Some('\'') => break,
                _ => {}
            }
        }
        self.this_item(T::CharConstant)
    }

    fn lex_number(&mut self) -> Item {
        if !self.scan_number() {
            let s = self.input[self.start..self.pos].to_string();
            return self.error(format!("bad number syntax: {}", crate::gofmt::quote(&s)));
        }
        if let Some('+' | '-') = self.peek() {
            if !self.scan_number() || !self.input[..self.pos].ends_with('i') {
                let s = self.input[self.start..self.pos].to_string();
                return self.error(format!("bad number syntax: {}", crate::gofmt::quote(&s)));
            }
            return self.this_item(T::Complex);
        }
        self.this_item(T::Number)
    }

    fn scan_number(&mut self) -> bool {
        self.accept("+-");
        let mut digits = "0123456789_";
        if self.accept("0") {
            if self.accept("xX") {
                digits = "0123456789abcdefABCDEF_";
            } else if self.accept("oO") {
                digits = "01234567_";
            } else if self.accept("bB") {
                digits = "01_";
            }
        }
        self.accept_run(digits);
        if self.accept(".") {
            self.accept_run(digits);
        }
        if digits.len() == 11 && self.accept("eE") {
            self.accept("+-");
            self.accept_run("0123456789_");
        }
        if digits.len() == 23 && self.accept("pP") {
            self.accept("+-");
            self.accept_run("0123456789_");
        }
        self.accept("i");
        if let Some(c) = self.peek() {
            if is_alnum(c) {
                self.next();
                return false;
            }
        }
        true
    }

    fn lex_quote(&mut self) -> Item {
        loop {
            match self.next() {
                Some('\\') => match self.next() {
                    Some(c) if c != '\n' => {}
                    _ => return self.error("unterminated quoted string".into()),
                },
                None | Some('\n') => return self.error("unterminated quoted string".into()),
                Some('"') => break,
                _ => {}
            }
        }
        self.this_item(T::String)
    }

    fn lex_raw_quote(&mut self) -> Item {
        loop {
            match self.next() {
                None => return self.error("unterminated raw quoted string".into()),
                Some('`') => break,
                _ => {}
            }
        }
        self.this_item(T::RawString)
    }
}

fn unicode_or_eof(r: Option<char>) -> String {
    match r {
        Some(c) => crate::gofmt::unicode_hash_u(c),
        // Go formats eof (-1) with %#U as "U+FFFFFFFFFFFFFFFF".
        None => "U+FFFFFFFFFFFFFFFF".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn items(src: &str) -> Vec<(T, String)> {
        let mut l = Lexer::new(src);
        let mut out = Vec::new();
        loop {
            let i = l.next_item();
            let end = matches!(i.typ, T::Eof | T::Error);
            out.push((i.typ, i.val));
            if end {
                break;
            }
        }
        out
    }

    #[test]
    fn trim_markers() {
        assert_eq!(
            items("a  {{- 3 -}}  b"),
            vec![
                (T::Text, "a".into()),
                (T::LeftDelim, "{{".into()),
                (T::Number, "3".into()),
                (T::RightDelim, "}}".into()),
                (T::Text, "b".into()),
                (T::Eof, "".into()),
            ]
        );
        // `{{-3}}` is the number -3, not a trim marker.
        assert_eq!(items("{{-3}}")[1], (T::Number, "-3".into()));
    }

    #[test]
    fn comments_and_errors() {
        assert_eq!(items("x{{/* c */}}y")[1], (T::Text, "y".into()));
        assert_eq!(items("{{/* c ")[0], (T::Error, "unclosed comment".into()));
        assert_eq!(items("{{ .x ")[4], (T::Error, "unclosed action".into()));
        assert_eq!(
            items("{{ \"a }}")[2],
            (T::Error, "unterminated quoted string".into())
        );
    }

    #[test]
    fn fields_and_vars() {
        let i = items("{{ $x := .Values.a }}");
        assert_eq!(i[2], (T::Variable, "$x".into()));
        assert_eq!(i[4], (T::Declare, ":=".into()));
        assert_eq!(i[6], (T::Field, ".Values".into()));
        assert_eq!(i[7], (T::Field, ".a".into()));
    }
}
