//! Terminal escape injection: an object name, a label or a template line may hold ESC and
//! other control characters (`\x1b]0;…` retitles the terminal, `\x1b[2J` clears it, `\r`
//! overwrites what was printed). Every human-facing text shows them as escapes instead,
//! with or without colour; the colour codes chartguard itself writes go through
//! [`WriteColor::set_color`], never through the text.

use codespan_reporting::term::termcolor::{ColorSpec, WriteColor};
use std::io::{self, Write};

/// `text` with control characters (C0 but newline and tab, DEL, C1) and the bidirectional
/// overrides that reorder what a reader sees written as `\xNN` / `\u{NNNN}`.
pub fn terminal_safe(text: &str) -> String {
    if !text.chars().any(needs_escape) {
        return text.to_string();
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if needs_escape(c) {
            if (c as u32) < 0x100 {
                out.push_str(&format!("\\x{:02x}", c as u32));
            } else {
                out.push_str(&format!("\\u{{{:04x}}}", c as u32));
            }
        } else {
            out.push(c);
        }
    }
    out
}

fn needs_escape(c: char) -> bool {
    (c.is_control() && c != '\n' && c != '\t')
        || matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

/// A [`WriteColor`] that escapes control characters in the text written to it and passes
/// colour changes through.
pub(crate) struct Escaping<'w, W: WriteColor> {
    pub(crate) inner: &'w mut W,
}

impl<W: WriteColor> Write for Escaping<'_, W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let text = String::from_utf8_lossy(buf);
        self.inner.write_all(terminal_safe(&text).as_bytes())?;
        Ok(buf.len())
    }
    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

impl<W: WriteColor> WriteColor for Escaping<'_, W> {
    fn supports_color(&self) -> bool {
        self.inner.supports_color()
    }
    fn set_color(&mut self, spec: &ColorSpec) -> io::Result<()> {
        self.inner.set_color(spec)
    }
    fn reset(&mut self) -> io::Result<()> {
        self.inner.reset()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_characters_are_shown_not_sent() {
        assert_eq!(
            terminal_safe("web\u{1b}]0;pwned\u{7}\r\u{9b}x\u{202e}"),
            "web\\x1b]0;pwned\\x07\\x0d\\x9bx\\u{202e}"
        );
        assert_eq!(terminal_safe("a\tb\nc ünïcode"), "a\tb\nc ünïcode");
    }

    #[test]
    fn colour_codes_pass_but_text_is_escaped() {
        use codespan_reporting::term::termcolor::{Buffer, Color};
        let mut buf = Buffer::ansi();
        let mut w = Escaping { inner: &mut buf };
        w.set_color(ColorSpec::new().set_fg(Some(Color::Red)))
            .unwrap();
        w.write_all("x\u{1b}[2Jy".as_bytes()).unwrap();
        w.reset().unwrap();
        let out = String::from_utf8(buf.into_inner()).unwrap();
        assert!(out.contains("x\\x1b[2Jy"), "{out:?}");
        assert!(out.starts_with('\u{1b}'), "{out:?}");
    }
}
