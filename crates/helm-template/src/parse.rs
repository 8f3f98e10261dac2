//! The parser: Go text/template's grammar, tree set rules and parse error messages.

use std::collections::HashMap;
use std::fmt;
use std::sync::Arc;

use crate::lex::{Item, Lexer, T};

/// Go's limit on nested parenthesised expressions.
const MAX_STACK_DEPTH: usize = 10000;

/// A template source: its name (the file for Helm) and text, with a line index for turning
/// byte offsets into line:column.
#[derive(Debug)]
pub(crate) struct Src {
    pub name: Arc<str>,
    pub text: Arc<str>,
    line_starts: Vec<usize>,
}

impl Src {
    pub fn new(name: Arc<str>, text: Arc<str>) -> Src {
        let mut line_starts = vec![0];
        line_starts.extend(text.match_indices('\n').map(|(i, _)| i + 1));
        Src {
            name,
            text,
            line_starts,
        }
    }
    /// 1-based line and 0-based byte column (Go's `ErrorContext` convention).
    pub fn line_col(&self, pos: usize) -> (usize, usize) {
        let line = match self.line_starts.binary_search(&pos) {
            Ok(i) => i,
            Err(i) => i - 1,
        };
        (line + 1, pos - self.line_starts[line])
    }
}

#[derive(Debug)]
pub(crate) struct Tree {
    /// The template's name: the file name, or the name given to `define`/`block`.
    pub name: Arc<str>,
    pub src: Arc<Src>,
    pub root: Vec<Node>,
}

impl Tree {
    /// Go's `IsEmptyTree`: only whitespace text and comments.
    pub fn is_empty(&self) -> bool {
        is_empty_list(&self.root, &self.src)
    }
}

fn is_empty_list(list: &[Node], src: &Src) -> bool {
    list.iter().all(|n| match n {
        Node::Comment { .. } => true,
        Node::Text { start, end } => src.text[*start..*end].trim_matches(is_ascii_ws).is_empty(),
        _ => false,
    })
}

/// `bytes.TrimSpace` trims Unicode white space; for the text of a template the ASCII set and
/// the few Unicode spaces are what matter.
fn is_ascii_ws(c: char) -> bool {
    c.is_whitespace()
}

#[derive(Debug)]
pub(crate) enum Node {
    /// Verbatim text `src.text[start..end]`.
    Text {
        start: usize,
        end: usize,
    },
    Action {
        pos: usize,
        pipe: Pipe,
    },
    Comment {
        pos: usize,
    },
    If(Box<Branch>),
    Range(Box<Branch>),
    With(Box<Branch>),
    Template {
        pos: usize,
        name: Arc<str>,
        pipe: Option<Pipe>,
    },
    Break,
    Continue,
}

#[derive(Debug)]
pub(crate) struct Branch {
    pub pipe: Pipe,
    pub list: Vec<Node>,
    pub else_list: Option<Vec<Node>>,
}

#[derive(Debug)]
pub(crate) struct Pipe {
    pub pos: usize,
    pub is_assign: bool,
    pub decl: Vec<(usize, Arc<str>)>,
    pub cmds: Vec<Cmd>,
}

#[derive(Debug)]
pub(crate) struct Cmd {
    pub pos: usize,
    pub args: Vec<Arg>,
}

#[derive(Debug)]
pub(crate) enum Arg {
    Field {
        pos: usize,
        idents: Vec<Arc<str>>,
    },
    Chain {
        pos: usize,
        node: Box<Arg>,
        fields: Vec<Arc<str>>,
    },
    Ident {
        pos: usize,
        name: Arc<str>,
    },
    Dot {
        pos: usize,
    },
    Nil {
        pos: usize,
    },
    /// `idents[0]` is the variable (`$x`), the rest are fields.
    Var {
        pos: usize,
        idents: Vec<Arc<str>>,
    },
    Bool {
        pos: usize,
        val: bool,
    },
    Number {
        pos: usize,
        num: Box<Number>,
    },
    Str {
        pos: usize,
        quoted: Arc<str>,
        text: Arc<str>,
    },
    Pipe(Box<Pipe>),
}

impl Arg {
    pub fn pos(&self) -> usize {
        match self {
            Arg::Field { pos, .. }
            | Arg::Chain { pos, .. }
            | Arg::Ident { pos, .. }
            | Arg::Dot { pos }
            | Arg::Nil { pos }
            | Arg::Var { pos, .. }
            | Arg::Bool { pos, .. }
            | Arg::Number { pos, .. }
            | Arg::Str { pos, .. } => *pos,
            Arg::Pipe(p) => p.pos,
        }
    }
}

/// A number literal with every interpretation Go's parser computes.
#[derive(Debug, Clone)]
pub(crate) struct Number {
    pub text: String,
    pub is_int: bool,
    pub is_uint: bool,
    pub is_float: bool,
    pub is_complex: bool,
    pub int: i64,
    pub uint: u64,
    pub float: f64,
    /// Real and imaginary parts, for complex literals.
    pub complex: (f64, f64),
}

// ---- Go's String() forms of nodes (used in error messages) ----

impl fmt::Display for Arg {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Arg::Field { idents, .. } => {
                for i in idents {
                    write!(f, ".{i}")?;
                }
                Ok(())
            }
            Arg::Chain { node, fields, .. } => {
                if let Arg::Pipe(p) = &**node {
                    write!(f, "({p})")?;
                } else {
                    write!(f, "{node}")?;
                }
                for i in fields {
                    write!(f, ".{i}")?;
                }
                Ok(())
            }
            Arg::Ident { name, .. } => f.write_str(name),
            Arg::Dot { .. } => f.write_str("."),
            Arg::Nil { .. } => f.write_str("nil"),
            Arg::Var { idents, .. } => f.write_str(&idents.join(".")),
            Arg::Bool { val, .. } => write!(f, "{val}"),
            Arg::Number { num, .. } => f.write_str(&num.text),
            Arg::Str { quoted, .. } => f.write_str(quoted),
            Arg::Pipe(p) => write!(f, "{p}"),
        }
    }
}

impl fmt::Display for Cmd {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, a) in self.args.iter().enumerate() {
            if i > 0 {
                f.write_str(" ")?;
            }
            if let Arg::Pipe(p) = a {
                write!(f, "({p})")?;
            } else {
                write!(f, "{a}")?;
            }
        }
        Ok(())
    }
}

impl fmt::Display for Pipe {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if !self.decl.is_empty() {
            for (i, (_, v)) in self.decl.iter().enumerate() {
                if i > 0 {
                    f.write_str(", ")?;
                }
                f.write_str(v)?;
            }
            f.write_str(if self.is_assign { " = " } else { " := " })?;
        }
        for (i, c) in self.cmds.iter().enumerate() {
            if i > 0 {
                f.write_str(" | ")?;
            }
            write!(f, "{c}")?;
        }
        Ok(())
    }
}

/// Writes a node as Go's `Node.String()` does (text nodes need the source).
pub(crate) fn write_node(out: &mut String, n: &Node, src: &Src) {
    use std::fmt::Write;
    match n {
        Node::Text { start, end } => out.push_str(&src.text[*start..*end]),
        Node::Action { pipe, .. } => {
            let _ = write!(out, "{{{{{pipe}}}}}");
        }
        Node::Comment { pos } => {
            // The comment text runs from the `/*` to the `*/`.
            let t = &src.text[*pos..];
            let end = t.find("*/").map(|e| e + 2).unwrap_or(t.len());
            let _ = write!(out, "{{{{{}}}}}", &t[..end]);
        }
        Node::If(b) | Node::Range(b) | Node::With(b) => {
            let kw = match n {
                Node::If(_) => "if",
                Node::Range(_) => "range",
                _ => "with",
            };
            let _ = write!(out, "{{{{{kw} {}}}}}", b.pipe);
            for c in &b.list {
                write_node(out, c, src);
            }
            if let Some(e) = &b.else_list {
                out.push_str("{{else}}");
                for c in e {
                    write_node(out, c, src);
                }
            }
            out.push_str("{{end}}");
        }
        Node::Template { name, pipe, .. } => {
            let _ = write!(out, "{{{{template {}", crate::gofmt::quote(name));
            if let Some(p) = pipe {
                let _ = write!(out, " {p}");
            }
            out.push_str("}}");
        }
        Node::Break => out.push_str("{{break}}"),
        Node::Continue => out.push_str("{{continue}}"),
    }
}

/// A parse error: Go's message (`template: name:line: msg`).
#[derive(Debug, Clone)]
pub(crate) struct ParseError {
    pub message: String,
    pub line: usize,
}

type PResult<T> = Result<T, ParseError>;

/// What ends a list: `{{end}}`, `{{else}}` (with its position) or the end of input.
enum ListEnd {
    End,
    Else,
}

struct Parser<'a> {
    lex: Lexer<'a>,
    src: Arc<Src>,
    token: [Item; 3],
    peek_count: usize,
    /// Line of the most recently lexed token (Go's `t.token[0].line`).
    last_line: usize,
    vars: Vec<Arc<str>>,
    action_line: usize,
    range_depth: usize,
    stack_depth: usize,
    has_func: &'a dyn Fn(&str) -> bool,
    trees: Vec<Tree>,
}

fn eof_item() -> Item {
    Item {
        typ: T::Eof,
        pos: 0,
        val: String::new(),
        line: 0,
    }
}

/// Parses `text` as template `name`; returns every tree it defines (the top-level one
/// first, then `define`s and `block`s), applying Go's rule that one parse may not define a
/// name twice with non-empty bodies.
pub(crate) fn parse(
    name: &str,
    text: &str,
    has_func: &dyn Fn(&str) -> bool,
) -> Result<Vec<Tree>, ParseError> {
    let src = Arc::new(Src::new(Arc::from(name), Arc::from(text)));
    let mut lex = Lexer::new(text);
    lex.break_ok = !has_func("break");
    lex.continue_ok = !has_func("continue");
    let mut p = Parser {
        lex,
        src: src.clone(),
        token: [eof_item(), eof_item(), eof_item()],
        peek_count: 0,
        last_line: 0,
        vars: vec![Arc::from("$")],
        action_line: 0,
        range_depth: 0,
        stack_depth: 0,
        has_func,
        trees: Vec::new(),
    };
    let root = p.parse_top()?;
    let top = Tree {
        name: Arc::from(name),
        src,
        root,
    };
    p.add(top)?;
    // Put the top-level tree first.
    let mut trees = p.trees;
    if let Some(i) = trees.iter().position(|t| &*t.name == name) {
        let t = trees.remove(i);
        trees.insert(0, t);
    }
    Ok(trees)
}

impl<'a> Parser<'a> {
    fn errorf(&self, msg: impl Into<String>) -> ParseError {
        ParseError {
            message: format!(
                "template: {}:{}: {}",
                self.src.name,
                self.last_line,
                msg.into()
            ),
            line: self.last_line,
        }
    }

    fn lex_next(&mut self) -> Item {
        let i = self.lex.next_item();
        self.last_line = i.line;
        i
    }

    fn next(&mut self) -> Item {
        if self.peek_count > 0 {
            self.peek_count -= 1;
        } else {
            self.token[0] = self.lex_next();
        }
        self.token[self.peek_count].clone()
    }

    fn backup(&mut self) {
        self.peek_count += 1;
    }

    fn backup2(&mut self, t1: Item) {
        self.token[1] = t1;
        self.peek_count = 2;
    }

    fn backup3(&mut self, t2: Item, t1: Item) {
        self.token[1] = t1;
        self.token[2] = t2;
        self.peek_count = 3;
    }

    fn peek(&mut self) -> Item {
        if self.peek_count > 0 {
            return self.token[self.peek_count - 1].clone();
        }
        self.peek_count = 1;
        self.token[0] = self.lex_next();
        self.token[0].clone()
    }

    fn next_non_space(&mut self) -> Item {
        loop {
            let t = self.next();
            if t.typ != T::Space {
                return t;
            }
        }
    }

    fn peek_non_space(&mut self) -> Item {
        let t = self.next_non_space();
        self.backup();
        t
    }

    fn expect(&mut self, expected: T, context: &str) -> PResult<Item> {
        let t = self.next_non_space();
        if t.typ != expected {
            return Err(self.unexpected(&t, context));
        }
        Ok(t)
    }

    fn unexpected(&self, token: &Item, context: &str) -> ParseError {
        if token.typ == T::Error {
            let mut extra = String::new();
            if self.action_line != 0 && self.action_line != token.line {
                extra = format!(
                    " in action started at {}:{}",
                    self.src.name, self.action_line
                );
                if token.val.ends_with(" action") {
                    extra = extra[" in action".len()..].to_string();
                }
            }
            return self.errorf(format!("{}{}", token.describe(), extra));
        }
        self.errorf(format!("unexpected {} in {}", token.describe(), context))
    }

    /// Adds a finished tree to this parse's set (Go's `Tree.add`).
    fn add(&mut self, t: Tree) -> PResult<()> {
        if let Some(i) = self.trees.iter().position(|o| o.name == t.name) {
            if self.trees[i].is_empty() {
                self.trees[i] = t;
                return Ok(());
            }
            if !t.is_empty() {
                return Err(self.errorf(format!(
                    "template: multiple definition of template {}",
                    crate::gofmt::quote(&t.name)
                )));
            }
            return Ok(());
        }
        self.trees.push(t);
        Ok(())
    }

    fn parse_top(&mut self) -> PResult<Vec<Node>> {
        let mut root = Vec::new();
        while self.peek().typ != T::Eof {
            if self.peek().typ == T::LeftDelim {
                let delim = self.next();
                if self.next_non_space().typ == T::Define {
                    self.parse_definition()?;
                    continue;
                }
                self.backup2(delim);
            }
            match self.text_or_action()? {
                Parsed::Node(n) => root.push(n),
                Parsed::End => return Err(self.errorf("unexpected {{end}}")),
                Parsed::Else => return Err(self.errorf("unexpected {{else}}")),
            }
        }
        Ok(root)
    }

    /// Runs `f` as the parse of a separate tree (define/block): fresh variables, range depth
    /// and action line, restored afterwards.
    fn sub_tree<R>(&mut self, f: impl FnOnce(&mut Self) -> PResult<R>) -> PResult<R> {
        let vars = std::mem::replace(&mut self.vars, vec![Arc::from("$")]);
        let rd = std::mem::replace(&mut self.range_depth, 0);
        let al = std::mem::replace(&mut self.action_line, 0);
        let sd = std::mem::replace(&mut self.stack_depth, 0);
        let r = f(self);
        self.vars = vars;
        self.range_depth = rd;
        self.action_line = al;
        self.stack_depth = sd;
        r
    }

    fn parse_definition(&mut self) -> PResult<()> {
        self.sub_tree(|p| {
            const CONTEXT: &str = "define clause";
            let t = p.next_non_space();
            if t.typ != T::String && t.typ != T::RawString {
                return Err(p.unexpected(&t, CONTEXT));
            }
            let name = unquote(&t.val).map_err(|e| p.errorf(e))?;
            p.expect(T::RightDelim, CONTEXT)?;
            let (list, end) = p.item_list()?;
            if let ListEnd::Else = end {
                return Err(p.errorf(format!("unexpected {{{{else}}}} in {CONTEXT}")));
            }
            let tree = Tree {
                name: Arc::from(name),
                src: p.src.clone(),
                root: list,
            };
            p.add(tree)
        })
    }

    fn item_list(&mut self) -> PResult<(Vec<Node>, ListEnd)> {
        let mut list = Vec::new();
        while self.peek_non_space().typ != T::Eof {
            match self.text_or_action()? {
                Parsed::Node(n) => list.push(n),
                Parsed::End => return Ok((list, ListEnd::End)),
                Parsed::Else => return Ok((list, ListEnd::Else)),
            }
        }
        Err(self.errorf("unexpected EOF"))
    }

    fn text_or_action(&mut self) -> PResult<Parsed> {
        let token = self.next_non_space();
        match token.typ {
            T::Text => Ok(Parsed::Node(Node::Text {
                start: token.pos,
                end: token.pos + token.val.len(),
            })),
            T::LeftDelim => {
                self.action_line = token.line;
                let r = self.action();
                self.action_line = 0;
                r
            }
            T::Comment => Ok(Parsed::Node(Node::Comment { pos: token.pos })),
            _ => Err(self.unexpected(&token, "input")),
        }
    }

    fn action(&mut self) -> PResult<Parsed> {
        let token = self.next_non_space();
        match token.typ {
            T::Block => return self.block_control().map(Parsed::Node),
            T::Break => return self.break_control(token.pos, "break").map(Parsed::Node),
            T::Continue => return self.break_control(token.pos, "continue").map(Parsed::Node),
            T::Else => return self.else_control(),
            T::End => {
                self.expect(T::RightDelim, "end")?;
                return Ok(Parsed::End);
            }
            T::If => return self.control("if").map(|b| Parsed::Node(Node::If(b))),
            T::Range => return self.control("range").map(|b| Parsed::Node(Node::Range(b))),
            T::Template => return self.template_control().map(Parsed::Node),
            T::With => return self.control("with").map(|b| Parsed::Node(Node::With(b))),
            _ => {}
        }
        self.backup();
        let token = self.peek();
        let pipe = self.pipeline("command", T::RightDelim)?;
        Ok(Parsed::Node(Node::Action {
            pos: token.pos,
            pipe,
        }))
    }

    fn break_control(&mut self, pos: usize, word: &str) -> PResult<Node> {
        let t = self.next_non_space();
        if t.typ != T::RightDelim {
            return Err(self.unexpected(&t, &format!("{{{{{word}}}}}")));
        }
        if self.range_depth == 0 {
            return Err(self.errorf(format!("{{{{{word}}}}} outside {{{{range}}}}")));
        }
        let _ = pos;
        Ok(if word == "break" {
            Node::Break
        } else {
            Node::Continue
        })
    }

    fn else_control(&mut self) -> PResult<Parsed> {
        let peek = self.peek_non_space();
        if peek.typ == T::If || peek.typ == T::With {
            return Ok(Parsed::Else);
        }
        self.expect(T::RightDelim, "else")?;
        Ok(Parsed::Else)
    }

    fn control(&mut self, context: &str) -> PResult<Box<Branch>> {
        let mark = self.vars.len();
        let r = self.control_inner(context);
        self.vars.truncate(mark);
        r
    }

    fn control_inner(&mut self, context: &str) -> PResult<Box<Branch>> {
        let pipe = self.pipeline(context, T::RightDelim)?;
        if context == "range" {
            self.range_depth += 1;
        }
        let r = self.item_list();
        if context == "range" {
            self.range_depth -= 1;
        }
        let (list, next) = r?;
        let mut else_list = None;
        if let ListEnd::Else = next {
            if context == "if" && self.peek().typ == T::If {
                self.next();
                else_list = Some(vec![Node::If(self.control("if")?)]);
            } else if context == "with" && self.peek().typ == T::With {
                self.next();
                else_list = Some(vec![Node::With(self.control("with")?)]);
            } else {
                let (l, next) = self.item_list()?;
                if let ListEnd::Else = next {
                    return Err(self.errorf("expected end; found {{else}}"));
                }
                else_list = Some(l);
            }
        }
        Ok(Box::new(Branch {
            pipe,
            list,
            else_list,
        }))
    }

    fn block_control(&mut self) -> PResult<Node> {
        const CONTEXT: &str = "block clause";
        let token = self.next_non_space();
        let name = self.template_name(&token, CONTEXT)?;
        let pipe = self.pipeline(CONTEXT, T::RightDelim)?;
        let name2 = name.clone();
        self.sub_tree(|p| {
            let (list, end) = p.item_list()?;
            if let ListEnd::Else = end {
                return Err(p.errorf(format!("unexpected {{{{else}}}} in {CONTEXT}")));
            }
            let tree = Tree {
                name: Arc::from(name2.as_str()),
                src: p.src.clone(),
                root: list,
            };
            p.add(tree)
        })?;
        Ok(Node::Template {
            pos: token.pos,
            name: Arc::from(name),
            pipe: Some(pipe),
        })
    }

    fn template_control(&mut self) -> PResult<Node> {
        const CONTEXT: &str = "template clause";
        let token = self.next_non_space();
        let name = self.template_name(&token, CONTEXT)?;
        let mut pipe = None;
        if self.next_non_space().typ != T::RightDelim {
            self.backup();
            pipe = Some(self.pipeline(CONTEXT, T::RightDelim)?);
        }
        Ok(Node::Template {
            pos: token.pos,
            name: Arc::from(name),
            pipe,
        })
    }

    fn template_name(&self, token: &Item, context: &str) -> PResult<String> {
        match token.typ {
            T::String | T::RawString => unquote(&token.val).map_err(|e| self.errorf(e)),
            _ => Err(self.unexpected(token, context)),
        }
    }

    fn pipeline(&mut self, context: &str, end: T) -> PResult<Pipe> {
        let token = self.peek_non_space();
        let mut pipe = Pipe {
            pos: token.pos,
            is_assign: false,
            decl: Vec::new(),
            cmds: Vec::new(),
        };
        'decls: loop {
            let v = self.peek_non_space();
            if v.typ != T::Variable {
                break;
            }
            self.next();
            let after = self.peek();
            let next = self.peek_non_space();
            if next.typ == T::Assign || next.typ == T::Declare {
                pipe.is_assign = next.typ == T::Assign;
                self.next_non_space();
                pipe.decl.push((v.pos, Arc::from(v.val.as_str())));
                self.vars.push(Arc::from(v.val.as_str()));
            } else if next.typ == T::Char && next.val == "," {
                self.next_non_space();
                pipe.decl.push((v.pos, Arc::from(v.val.as_str())));
                self.vars.push(Arc::from(v.val.as_str()));
                if context == "range" && pipe.decl.len() < 2 {
                    match self.peek_non_space().typ {
                        T::Variable | T::RightDelim | T::RightParen => continue 'decls,
                        _ => return Err(self.errorf("range can only initialize variables")),
                    }
                }
                return Err(self.errorf(format!("too many declarations in {context}")));
            } else if after.typ == T::Space {
                self.backup3(v, after);
            } else {
                self.backup2(v);
            }
            break;
        }
        loop {
            let token = self.next_non_space();
            match token.typ {
                t if t == end => {
                    self.check_pipeline(&pipe, context)?;
                    return Ok(pipe);
                }
                T::Bool
                | T::CharConstant
                | T::Complex
                | T::Dot
                | T::Field
                | T::Identifier
                | T::Number
                | T::Nil
                | T::RawString
                | T::String
                | T::Variable
                | T::LeftParen => {
                    self.backup();
                    let c = self.command()?;
                    pipe.cmds.push(c);
                }
                _ => return Err(self.unexpected(&token, context)),
            }
        }
    }

    fn check_pipeline(&self, pipe: &Pipe, context: &str) -> PResult<()> {
        if pipe.cmds.is_empty() {
            return Err(self.errorf(format!("missing value for {context}")));
        }
        for (i, c) in pipe.cmds.iter().enumerate().skip(1) {
            if matches!(
                c.args[0],
                Arg::Bool { .. }
                    | Arg::Dot { .. }
                    | Arg::Nil { .. }
                    | Arg::Number { .. }
                    | Arg::Str { .. }
            ) {
                return Err(self.errorf(format!(
                    "non executable command in pipeline stage {}",
                    i + 1
                )));
            }
        }
        Ok(())
    }

    fn command(&mut self) -> PResult<Cmd> {
        let mut cmd = Cmd {
            pos: self.peek_non_space().pos,
            args: Vec::new(),
        };
        loop {
            self.peek_non_space();
            if let Some(op) = self.operand()? {
                cmd.args.push(op);
            }
            let token = self.next();
            match token.typ {
                T::Space => continue,
                T::RightDelim | T::RightParen => self.backup(),
                T::Pipe => {}
                _ => return Err(self.unexpected(&token, "operand")),
            }
            break;
        }
        if cmd.args.is_empty() {
            return Err(self.errorf("empty command"));
        }
        Ok(cmd)
    }

    fn operand(&mut self) -> PResult<Option<Arg>> {
        let Some(node) = self.term()? else {
            return Ok(None);
        };
        if self.peek().typ == T::Field {
            let chain_pos = self.peek().pos;
            let mut fields: Vec<Arc<str>> = Vec::new();
            while self.peek().typ == T::Field {
                let f = self.next().val;
                fields.push(Arc::from(&f[1..]));
            }
            return Ok(Some(match node {
                Arg::Field { mut idents, .. } => {
                    idents.extend(fields);
                    Arg::Field {
                        pos: chain_pos,
                        idents,
                    }
                }
                Arg::Var { mut idents, .. } => {
                    idents.extend(fields);
                    Arg::Var {
                        pos: chain_pos,
                        idents,
                    }
                }
                Arg::Bool { .. }
                | Arg::Str { .. }
                | Arg::Number { .. }
                | Arg::Nil { .. }
                | Arg::Dot { .. } => {
                    return Err(self.errorf(format!(
                        "unexpected . after term {}",
                        crate::gofmt::quote(&node.to_string())
                    )));
                }
                other => Arg::Chain {
                    pos: chain_pos,
                    node: Box::new(other),
                    fields,
                },
            }));
        }
        Ok(Some(node))
    }

    fn term(&mut self) -> PResult<Option<Arg>> {
        let token = self.next_non_space();
        Ok(Some(match token.typ {
            T::Identifier => {
                if !(self.has_func)(&token.val) {
                    return Err(self.errorf(format!(
                        "function {} not defined",
                        crate::gofmt::quote(&token.val)
                    )));
                }
                Arg::Ident {
                    pos: token.pos,
                    name: Arc::from(token.val.as_str()),
                }
            }
            T::Dot => Arg::Dot { pos: token.pos },
            T::Nil => Arg::Nil { pos: token.pos },
            T::Variable => {
                let name: Arc<str> = Arc::from(token.val.as_str());
                let mut idents = vec![name.clone()];
                // A variable token is `$x` only; fields come as separate tokens, but Go's
                // VariableNode splits on '.' anyway.
                if token.val.contains('.') {
                    idents = token.val.split('.').map(Arc::from).collect();
                }
                if !self.vars.iter().any(|v| *v == idents[0]) {
                    return Err(self.errorf(format!(
                        "undefined variable {}",
                        crate::gofmt::quote(&idents[0])
                    )));
                }
                Arg::Var {
                    pos: token.pos,
                    idents,
                }
            }
            T::Field => Arg::Field {
                pos: token.pos,
                idents: vec![Arc::from(&token.val[1..])],
            },
            T::Bool => Arg::Bool {
                pos: token.pos,
                val: token.val == "true",
            },
            T::CharConstant | T::Complex | T::Number => {
                let num = parse_number(&token.val, token.typ).map_err(|e| self.errorf(e))?;
                Arg::Number {
                    pos: token.pos,
                    num: Box::new(num),
                }
            }
            T::LeftParen => {
                if self.stack_depth >= MAX_STACK_DEPTH {
                    return Err(self.errorf("max expression depth exceeded"));
                }
                self.stack_depth += 1;
                let r = self.pipeline("parenthesized pipeline", T::RightParen);
                self.stack_depth -= 1;
                Arg::Pipe(Box::new(r?))
            }
            T::String | T::RawString => {
                let s = unquote(&token.val).map_err(|e| self.errorf(e))?;
                Arg::Str {
                    pos: token.pos,
                    quoted: Arc::from(token.val.as_str()),
                    text: Arc::from(s),
                }
            }
            _ => {
                self.backup();
                return Ok(None);
            }
        }))
    }
}

enum Parsed {
    Node(Node),
    End,
    Else,
}

/// Go's `strconv.Unquote` for "..." and `...` literals; the error text is Go's
/// (`invalid syntax`).
pub(crate) fn unquote(s: &str) -> Result<String, String> {
    let bad = || "invalid syntax".to_string();
    if s.len() < 2 {
        return Err(bad());
    }
    let q = s.as_bytes()[0];
    if q != s.as_bytes()[s.len() - 1] {
        return Err(bad());
    }
    let body = &s[1..s.len() - 1];
    if q == b'`' {
        if body.contains('`') {
            return Err(bad());
        }
        // Raw strings drop carriage returns.
        return Ok(body.replace('\r', ""));
    }
    if q != b'"' {
        return Err(bad());
    }
    let mut out = String::with_capacity(body.len());
    let mut rest = body;
    while !rest.is_empty() {
        let (c, tail) = unquote_char(rest, b'"').map_err(|_| bad())?;
        match c {
            Unq::Char(c) => out.push(c),
            Unq::Byte(b) => {
                // A \x or octal escape makes a raw byte; Go strings may hold invalid UTF-8
                // but ours cannot: keep valid sequences, replace the rest.
                let mut bytes = vec![b];
                let mut t = tail;
                while let Ok((Unq::Byte(b2), t2)) = unquote_char(t, b'"') {
                    bytes.push(b2);
                    t = t2;
                }
                out.push_str(&String::from_utf8_lossy(&bytes));
                rest = t;
                continue;
            }
        }
        rest = tail;
    }
    Ok(out)
}

enum Unq {
    Char(char),
    Byte(u8),
}

/// One (possibly escaped) character of a quoted literal, as `strconv.UnquoteChar`.
fn unquote_char(s: &str, quote: u8) -> Result<(Unq, &str), ()> {
    let mut chars = s.chars();
    let c = chars.next().ok_or(())?;
    if c as u32 == quote as u32 && (quote == b'\'' || quote == b'"') {
        return Err(());
    }
    if c != '\\' {
        if c == '\n' && quote == b'"' {
            return Err(());
        }
        return Ok((Unq::Char(c), chars.as_str()));
    }
    let e = chars.next().ok_or(())?;
    let rest = chars.as_str();
    let simple = match e {
        'a' => Some('\x07'),
        'b' => Some('\x08'),
        'f' => Some('\x0c'),
        'n' => Some('\n'),
        'r' => Some('\r'),
        't' => Some('\t'),
        'v' => Some('\x0b'),
        '\\' => Some('\\'),
        '\'' | '"' => {
            if e as u32 != quote as u32 {
                return Err(());
            }
            Some(e)
        }
        _ => None,
    };
    if let Some(c) = simple {
        return Ok((Unq::Char(c), rest));
    }
    match e {
        'x' | 'u' | 'U' => {
            let n = match e {
                'x' => 2,
                'u' => 4,
                _ => 8,
            };
            if rest.len() < n || !rest.is_char_boundary(n) {
                return Err(());
            }
            let v = u32::from_str_radix(&rest[..n], 16).map_err(|_| ())?;
            if rest[..n].starts_with('+') || rest[..n].starts_with('-') {
                return Err(());
            }
            if e == 'x' {
                return Ok((Unq::Byte(v as u8), &rest[n..]));
            }
            let c = char::from_u32(v).ok_or(())?;
            Ok((Unq::Char(c), &rest[n..]))
        }
        '0'..='7' => {
            if rest.len() < 2 || !rest.is_char_boundary(2) {
                return Err(());
            }
            let digits = format!("{e}{}", &rest[..2]);
            let v = u32::from_str_radix(&digits, 8).map_err(|_| ())?;
            if v > 255 {
                return Err(());
            }
            Ok((Unq::Byte(v as u8), &rest[2..]))
        }
        _ => Err(()),
    }
}

/// Go's `parse.newNumber`.
fn parse_number(text: &str, typ: T) -> Result<Number, String> {
    let mut n = Number {
        text: text.to_string(),
        is_int: false,
        is_uint: false,
        is_float: false,
        is_complex: false,
        int: 0,
        uint: 0,
        float: 0.0,
        complex: (0.0, 0.0),
    };
    if typ == T::CharConstant {
        let inner = &text[1..];
        let (c, tail) = unquote_char(inner, b'\'').map_err(|_| "invalid syntax".to_string())?;
        if tail != "'" {
            return Err(format!("malformed character constant: {text}"));
        }
        let v = match c {
            Unq::Char(c) => c as u32,
            Unq::Byte(b) => b as u32,
        };
        n.int = v as i64;
        n.is_int = true;
        n.uint = v as u64;
        n.is_uint = true;
        n.float = v as f64;
        n.is_float = true;
        return Ok(n);
    }
    if typ == T::Complex {
        let (re, im) =
            parse_complex(text).ok_or_else(|| format!("expected integer; found {text}"))?;
        n.is_complex = true;
        n.complex = (re, im);
        simplify_complex(&mut n);
        return Ok(n);
    }
    if let Some(body) = text.strip_suffix('i') {
        if let Some(f) = go_parse_float(body) {
            n.is_complex = true;
            n.complex = (0.0, f);
            simplify_complex(&mut n);
            return Ok(n);
        }
    }
    let u = go_parse_uint(text);
    if let Some(u) = u {
        n.is_uint = true;
        n.uint = u;
    }
    if let Some(i) = go_parse_int(text) {
        n.is_int = true;
        n.int = i;
        if i == 0 {
            n.is_uint = true;
            n.uint = u.unwrap_or(0);
        }
    }
    if n.is_int {
        n.is_float = true;
        n.float = n.int as f64;
    } else if n.is_uint {
        n.is_float = true;
        n.float = n.uint as f64;
    } else if let Some(f) = go_parse_float(text) {
        if !text.contains(['.', 'e', 'E', 'p', 'P']) {
            return Err(format!("integer overflow: {}", crate::gofmt::quote(text)));
        }
        n.is_float = true;
        n.float = f;
        if !n.is_int && (f as i64) as f64 == f && f.is_finite() && f.abs() < 9.3e18 {
            n.is_int = true;
            n.int = f as i64;
        }
        if !n.is_uint && f >= 0.0 && (f as u64) as f64 == f && f < 1.8e19 {
            n.is_uint = true;
            n.uint = f as u64;
        }
    }
    if !n.is_int && !n.is_uint && !n.is_float {
        return Err(format!(
            "illegal number syntax: {}",
            crate::gofmt::quote(text)
        ));
    }
    Ok(n)
}

fn simplify_complex(n: &mut Number) {
    n.is_float = n.complex.1 == 0.0;
    if n.is_float {
        let f = n.complex.0;
        n.float = f;
        n.is_int = f.is_finite() && (f as i64) as f64 == f;
        if n.is_int {
            n.int = f as i64;
        }
        n.is_uint = f >= 0.0 && f.is_finite() && (f as u64) as f64 == f;
        if n.is_uint {
            n.uint = f as u64;
        }
    }
}

fn parse_complex(text: &str) -> Option<(f64, f64)> {
    let body = text.strip_suffix('i')?;
    // Split at the last sign that is not an exponent sign and not the leading sign.
    let b = body.as_bytes();
    let mut split = None;
    for i in (1..b.len()).rev() {
        if (b[i] == b'+' || b[i] == b'-') && !matches!(b[i - 1], b'e' | b'E' | b'p' | b'P') {
            split = Some(i);
            break;
        }
    }
    let i = split?;
    Some((go_parse_float(&body[..i])?, go_parse_float(&body[i..])?))
}

/// Removes Go's digit-separating underscores when they are well placed (only between digits
/// or after a base prefix); `None` when misplaced.
fn strip_underscores(s: &str, base_prefixed: bool) -> Option<String> {
    if !s.contains('_') {
        return Some(s.to_string());
    }
    // Go only allows underscores when the base prefix form is used or for decimal literals
    // (strconv with base 0); "_" must separate digits.
    let b = s.as_bytes();
    let mut out = String::with_capacity(s.len());
    for (i, &c) in b.iter().enumerate() {
        if c == b'_' {
            let prev_ok = i > 0
                && (b[i - 1].is_ascii_alphanumeric()
                    && (b[i - 1] != b'x'
                        && b[i - 1] != b'X'
                        && b[i - 1] != b'o'
                        && b[i - 1] != b'O'
                        && b[i - 1] != b'b'
                        && b[i - 1] != b'B'
                        || base_prefixed));
            let next_ok = i + 1 < b.len() && b[i + 1].is_ascii_alphanumeric();
            if !prev_ok || !next_ok {
                return None;
            }
        } else {
            out.push(c as char);
        }
    }
    Some(out)
}

fn split_sign(s: &str) -> (bool, &str) {
    if let Some(r) = s.strip_prefix('-') {
        (true, r)
    } else if let Some(r) = s.strip_prefix('+') {
        (false, r)
    } else {
        (false, s)
    }
}

/// `strconv.ParseUint(s, 0, 64)`.
fn go_parse_uint(s: &str) -> Option<u64> {
    if s.starts_with(['+', '-']) {
        return None;
    }
    parse_based(s)
}

fn parse_based(s: &str) -> Option<u64> {
    let lower = s.to_ascii_lowercase();
    let (radix, digits, prefixed) = if let Some(r) = lower.strip_prefix("0x") {
        (16, r.to_string(), true)
    } else if let Some(r) = lower.strip_prefix("0o") {
        (8, r.to_string(), true)
    } else if let Some(r) = lower.strip_prefix("0b") {
        (2, r.to_string(), true)
    } else if lower.len() > 1 && lower.starts_with('0') {
        (8, lower[1..].to_string(), true)
    } else {
        (10, lower.clone(), false)
    };
    let digits = if prefixed {
        // An underscore may directly follow the prefix.
        let d = digits.strip_prefix('_').unwrap_or(&digits).to_string();
        strip_underscores(&d, true)?
    } else {
        strip_underscores(&digits, false)?
    };
    if digits.is_empty() || !digits.chars().all(|c| c.is_digit(radix)) {
        return None;
    }
    u64::from_str_radix(&digits, radix).ok()
}

/// `strconv.ParseInt(s, 0, 64)`.
fn go_parse_int(s: &str) -> Option<i64> {
    let (neg, body) = split_sign(s);
    let u = parse_based(body)?;
    if neg {
        if u <= i64::MAX as u64 + 1 {
            Some((u as i64).wrapping_neg())
        } else {
            None
        }
    } else if u <= i64::MAX as u64 {
        Some(u as i64)
    } else {
        None
    }
}

/// `strconv.ParseFloat(s, 64)` for the decimal forms a template can contain (hex floats are
/// accepted too); `None` on syntax errors. Out-of-range values give ±Inf like Go (whose
/// error the parser then ignores only for hex; decimals that overflow are rejected).
fn go_parse_float(s: &str) -> Option<f64> {
    let (neg, body) = split_sign(s);
    let lower = body.to_ascii_lowercase();
    if let Some(hex) = lower.strip_prefix("0x") {
        let b = strip_underscores(hex, true)?;
        let (mant, exp) = match b.split_once('p') {
            Some((m, e)) => (m.to_string(), e.parse::<i32>().ok()?),
            None => return None,
        };
        let (ip, fp) = mant.split_once('.').unwrap_or((&mant, ""));
        let mut v = 0f64;
        for c in ip.chars() {
            v = v * 16.0 + c.to_digit(16)? as f64;
        }
        let mut scale = 1.0 / 16.0;
        for c in fp.chars() {
            v += c.to_digit(16)? as f64 * scale;
            scale /= 16.0;
        }
        let v = v * 2f64.powi(exp);
        return Some(if neg { -v } else { v });
    }
    let b = strip_underscores(&lower, false)?;
    if b.is_empty()
        || !b
            .chars()
            .all(|c| c.is_ascii_digit() || matches!(c, '.' | 'e' | '+' | '-'))
    {
        return None;
    }
    if b == "." || b.starts_with('e') {
        return None;
    }
    let v: f64 = b.parse().ok()?;
    if v.is_infinite() {
        return None;
    }
    Some(if neg { -v } else { v })
}

/// Shorthand used by tests and the executor: the trees of a template, keyed by name.
#[allow(dead_code)]
pub(crate) fn parse_map(
    name: &str,
    text: &str,
    has_func: &dyn Fn(&str) -> bool,
) -> Result<HashMap<Arc<str>, Tree>, ParseError> {
    Ok(parse(name, text, has_func)?
        .into_iter()
        .map(|t| (t.name.clone(), t))
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(src: &str) -> Result<Vec<Tree>, String> {
        let f = |n: &str| matches!(n, "printf" | "eq" | "and" | "include" | "upper" | "len");
        parse("t", src, &f).map_err(|e| e.message)
    }

    #[test]
    fn parse_errors_match_go() {
        assert_eq!(
            p("{{ nope }}").unwrap_err(),
            "template: t:1: function \"nope\" not defined"
        );
        assert_eq!(
            p("{{ if .x }}").unwrap_err(),
            "template: t:1: unexpected EOF"
        );
        assert_eq!(
            p("a\n{{ end }}").unwrap_err(),
            "template: t:2: unexpected {{end}}"
        );
        assert_eq!(
            p("{{ $x }}").unwrap_err(),
            "template: t:1: undefined variable \"$x\""
        );
        assert_eq!(
            p("{{ break }}").unwrap_err(),
            "template: t:1: {{break}} outside {{range}}"
        );
        assert_eq!(
            p("{{ .x | 3 }}").unwrap_err(),
            "template: t:1: non executable command in pipeline stage 2"
        );
        assert_eq!(
            p("{{ }}").unwrap_err(),
            "template: t:1: missing value for command"
        );
        assert_eq!(
            p("{{ .x\n\n}").unwrap_err(),
            "template: t:3: unexpected \"}\" in operand"
        );
        assert_eq!(
            p("{{ .x\n\n").unwrap_err(),
            "template: t:3: unclosed action started at t:1"
        );
        assert_eq!(
            p("{{ \"a }}").unwrap_err(),
            "template: t:1: unterminated quoted string"
        );
        assert_eq!(
            p("{{ 3.x }}").unwrap_err(),
            "template: t:1: bad number syntax: \"3.x\""
        );
        assert_eq!(
            p("{{define \"a\"}}x{{end}}{{define \"a\"}}y{{end}}").unwrap_err(),
            "template: t:1: template: multiple definition of template \"a\""
        );
        assert_eq!(
            p("{{ else }}").unwrap_err(),
            "template: t:1: unexpected {{else}}"
        );
        assert_eq!(
            p("{{ (1 }}").unwrap_err(),
            "template: t:1: unclosed left paren"
        );
        assert_eq!(
            p("{{ 1) }}").unwrap_err(),
            "template: t:1: unexpected right paren"
        );
        assert_eq!(
            p("{{ range $a, $b, $c := . }}{{end}}").unwrap_err(),
            "template: t:1: too many declarations in range"
        );
    }

    #[test]
    fn defines_and_blocks() {
        let t = p("a{{define \"x\"}}X{{end}}{{block \"y\" .}}Y{{end}}").unwrap();
        let names: Vec<&str> = t.iter().map(|t| &*t.name).collect();
        assert_eq!(names, vec!["t", "x", "y"]);
    }

    #[test]
    fn node_strings() {
        let t = p("{{ $x := (printf \"%d\" 3).a | upper }}{{ $x.b.c }}").unwrap();
        let mut s = String::new();
        for n in &t[0].root {
            write_node(&mut s, n, &t[0].src);
        }
        assert_eq!(s, "{{$x := (printf \"%d\" 3).a | upper}}{{$x.b.c}}");
    }

    #[test]
    fn numbers() {
        let n = parse_number("0x1F", T::Number).unwrap();
        assert!(n.is_int && n.int == 31);
        let n = parse_number("1e3", T::Number).unwrap();
        assert!(n.is_float && n.is_int && n.int == 1000);
        let n = parse_number("1_000", T::Number).unwrap();
        assert_eq!(n.int, 1000);
        assert!(parse_number("99999999999999999999", T::Number).is_err());
        let n = parse_number("'a'", T::CharConstant).unwrap();
        assert_eq!(n.int, 97);
    }
}
