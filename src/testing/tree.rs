//! YAML as a tree of nodes that remember where they were written: test
//! files, the manifests they patch, and the patched manifests written back
//! out as YAML for the checker.
//!
//! Nodes are read from the same events as manifests (aliases expanded
//! within the reader's budget), so a test file cannot cost more than a
//! manifest of its size.

use crate::diagnostics::Diag;
use crate::manifest::path::{Path, Seg};
use crate::manifest::yaml::{tag_name, Node as Event, Reader, Style};
use crate::source::{Source, Span};
use std::sync::Arc;

#[derive(Debug, Clone)]
pub struct Node {
    pub kind: Kind,
    /// Where it was written: a test file or a base manifest.
    pub span: Span,
}

#[derive(Debug, Clone)]
pub enum Kind {
    /// Keys with where each was written, in order.
    Map(Vec<(String, Span, Node)>),
    Seq(Vec<Node>),
    Scalar {
        text: String,
        style: Style,
        tag: Option<String>,
    },
}

impl Node {
    /// A plain scalar's text, or a quoted one's.
    pub fn scalar(&self) -> Option<&str> {
        match &self.kind {
            Kind::Scalar { text, .. } => Some(text),
            _ => None,
        }
    }

    /// `null`, `~` or nothing, unquoted and untagged.
    pub fn is_null(&self) -> bool {
        matches!(&self.kind, Kind::Scalar { text, style: Style::Plain, tag: None }
            if matches!(text.as_str(), "" | "~" | "null" | "Null" | "NULL"))
    }

    pub fn get(&self, key: &str) -> Option<&Node> {
        match &self.kind {
            Kind::Map(entries) => entries.iter().find(|(k, _, _)| k == key).map(|(_, _, v)| v),
            _ => None,
        }
    }

    /// The deepest node on `path`: where a value at that path was written,
    /// or, for a value the node does not hold, its nearest parent.
    pub fn deepest(&self, path: &Path) -> &Node {
        let mut at = self;
        for seg in path.segs() {
            let next = match (seg, &at.kind) {
                (Seg::Key(k), Kind::Map(_)) => at.get(k),
                (Seg::Index(i), Kind::Seq(items)) => items.get(*i),
                _ => None,
            };
            match next {
                Some(n) => at = n,
                None => break,
            }
        }
        at
    }

    /// What kind of value it is, in a message.
    pub fn what(&self) -> &'static str {
        match &self.kind {
            Kind::Map(_) => "a mapping",
            Kind::Seq(_) => "a list",
            Kind::Scalar { .. } => "a scalar",
        }
    }
}

/// Reads the one document of `src` as a tree.
pub fn read(src: &Arc<Source>) -> Result<Option<Node>, Diag> {
    let mut reader = Reader::new(&src.text);
    let mut stack: Vec<Frame> = Vec::new();
    let mut root: Option<Node> = None;
    let err = |range: std::ops::Range<usize>, message: String, help: Option<String>| {
        Diag::new(&Span::new(src, range), message).help_opt(help)
    };
    loop {
        let item = reader
            .next_item()
            .map_err(|e| err(e.range, format!("invalid YAML: {}", e.message), e.help))?;
        let range = item.range.clone();
        let node = match item.node {
            Event::StreamEnd => break,
            Event::DocumentStart | Event::DocumentEnd => {
                if root.is_some() && matches!(item.node, Event::DocumentStart) {
                    return Err(err(
                        range,
                        "a second YAML document: this file must hold one".into(),
                        Some(
                            "remove the `---` and what follows, or move it to its own file".into(),
                        ),
                    ));
                }
                continue;
            }
            Event::MappingStart { ref tag } | Event::SequenceStart { ref tag } => {
                if let Some(t) = tag {
                    return Err(err(
                        range,
                        format!(
                            "a tag (`{}`) on a collection is not allowed here",
                            tag_name(t)
                        ),
                        Some("remove the tag".into()),
                    ));
                }
                let map = matches!(item.node, Event::MappingStart { .. });
                stack.push(Frame {
                    map,
                    start: range.start,
                    items: Vec::new(),
                    keys: Vec::new(),
                    pending_key: None,
                });
                continue;
            }
            Event::MappingEnd | Event::SequenceEnd => {
                let Some(frame) = stack.pop() else { continue };
                let span = Span::new(src, frame.start.min(range.start)..range.end);
                let kind = if frame.map {
                    Kind::Map(
                        frame
                            .keys
                            .into_iter()
                            .zip(frame.items)
                            .map(|((k, ks), v)| (k, ks, v))
                            .collect(),
                    )
                } else {
                    Kind::Seq(frame.items)
                };
                Node { kind, span }
            }
            Event::Scalar { text, style, tag } => Node {
                kind: Kind::Scalar {
                    text: text.into_owned(),
                    style,
                    tag: tag.map(|t| tag_name(&t)),
                },
                span: Span::new(src, range),
            },
        };
        match stack.last_mut() {
            None => root = Some(node),
            Some(frame) if frame.map => match frame.pending_key.take() {
                None => {
                    let Kind::Scalar { text, .. } = &node.kind else {
                        return Err(err(
                            node.span.range(),
                            "a key must be a plain word, not a collection".into(),
                            None,
                        ));
                    };
                    if frame.keys.iter().any(|(k, _)| k == text) {
                        return Err(err(
                            node.span.range(),
                            format!("the key `{text}` is given twice"),
                            Some("keep one".into()),
                        ));
                    }
                    frame.pending_key = Some((text.clone(), node.span.clone()));
                }
                Some(key) => {
                    frame.keys.push(key);
                    frame.items.push(node);
                }
            },
            Some(frame) => frame.items.push(node),
        }
    }
    Ok(root)
}

struct Frame {
    map: bool,
    start: usize,
    items: Vec<Node>,
    keys: Vec<(String, Span)>,
    pending_key: Option<(String, Span)>,
}

/// The tree as block YAML, typed as it was written: unquoted scalars stay
/// unquoted where that reads the same, others are double-quoted.
pub fn emit(node: &Node) -> String {
    let mut out = String::new();
    match &node.kind {
        Kind::Scalar { .. } => {
            out.push_str(&scalar(node));
            out.push('\n');
        }
        _ => block(node, 0, &mut out),
    }
    out
}

fn block(node: &Node, indent: usize, out: &mut String) {
    let pad = " ".repeat(indent);
    match &node.kind {
        Kind::Map(entries) => {
            for (k, _, v) in entries {
                out.push_str(&pad);
                out.push_str(&key(k));
                out.push(':');
                value(v, indent, out);
            }
        }
        Kind::Seq(items) => {
            for v in items {
                out.push_str(&pad);
                out.push('-');
                value(v, indent, out);
            }
        }
        Kind::Scalar { .. } => {
            out.push_str(&pad);
            out.push_str(&scalar(node));
            out.push('\n');
        }
    }
}

fn value(v: &Node, indent: usize, out: &mut String) {
    match &v.kind {
        Kind::Map(e) if e.is_empty() => out.push_str(" {}\n"),
        Kind::Seq(s) if s.is_empty() => out.push_str(" []\n"),
        Kind::Map(_) | Kind::Seq(_) => {
            out.push('\n');
            block(v, indent + 2, out);
        }
        Kind::Scalar { .. } => {
            let s = scalar(v);
            if !s.is_empty() {
                out.push(' ');
                out.push_str(&s);
            }
            out.push('\n');
        }
    }
}

fn key(k: &str) -> String {
    let plain = k
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && k.chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.' | '/'));
    if plain {
        k.to_string()
    } else {
        quoted(k)
    }
}

fn scalar(node: &Node) -> String {
    let Kind::Scalar { text, style, tag } = &node.kind else {
        return String::new();
    };
    let body = if *style == Style::Plain && plain_safe(text) {
        text.clone()
    } else if *style == Style::Plain && text.is_empty() {
        String::new()
    } else {
        quoted(text)
    };
    match tag {
        Some(t) => format!("{t} {body}"),
        None => body,
    }
}

/// A string as a YAML scalar that reads back as that string: plain when
/// it can be, else double-quoted (`"#inbox"`, `"null"`, `"007"`).
pub fn string_scalar(text: &str) -> String {
    if plain_safe(text) && crate::manifest::load::plain_is_text(text) {
        text.to_string()
    } else {
        quoted(text)
    }
}

/// Whether a scalar written unquoted reads back as the same text.
fn plain_safe(text: &str) -> bool {
    let Some(first) = text.chars().next() else {
        return false;
    };
    let starts_badly = matches!(
        first,
        '?' | ':'
            | ','
            | '['
            | ']'
            | '{'
            | '}'
            | '#'
            | '&'
            | '*'
            | '!'
            | '|'
            | '>'
            | '\''
            | '"'
            | '%'
            | '@'
            | '`'
            | ' '
    ) || (first == '-'
        && !text
            .chars()
            .nth(1)
            .is_some_and(|c| c.is_ascii_digit() || c == '.'));
    !starts_badly
        && !text.ends_with([' ', ':'])
        && !text.contains(": ")
        && !text.contains(" #")
        && !text.chars().any(|c| c.is_control())
}

/// A double-quoted YAML string.
fn quoted(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            c if c.is_control() || matches!(c, '\u{2028}' | '\u{2029}' | '\u{feff}') => {
                out.push_str(&format!("\\u{:04X}", u32::from(c)))
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}
