//! Where each value of a loaded manifest is written, recorded by the
//! loader as it builds the value, and looked up by path for findings.
//!
//! The tree mirrors the schema-typed value: a record has one child per
//! declared field (in declaration order, empty where the field is absent),
//! a list one per item, a map one per entry. Nodes are stored flat, each
//! collection's children side by side, so recording costs one push per
//! value and nothing is allocated per node.

use super::path::{Path, Seg};
use crate::schema::Types;
use std::ops::Range;

/// What a finding points at.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum At {
    /// The key of the entry at the path.
    Key,
    /// The value at the path.
    Value,
}

const NONE: u32 = u32::MAX;
const LIST: u32 = u32::MAX - 1;
const MAP: u32 = u32::MAX - 2;

/// One value's place in the text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SpanNode {
    key: (u32, u32),
    value: (u32, u32),
    first: u32,
    len: u32,
    /// The record type of a record, or `LIST`, `MAP`, `NONE`.
    kind: u32,
}

impl SpanNode {
    /// A field that is not in the text.
    pub const ABSENT: SpanNode = SpanNode {
        key: (NONE, NONE),
        value: (NONE, NONE),
        first: 0,
        len: 0,
        kind: NONE,
    };

    pub fn leaf(range: &Range<usize>) -> SpanNode {
        SpanNode {
            value: pair(range),
            ..SpanNode::ABSENT
        }
    }

    pub fn with_key(mut self, key: &Range<usize>) -> SpanNode {
        self.key = pair(key);
        self
    }

    pub fn key(&self) -> Option<Range<usize>> {
        range(self.key)
    }

    pub fn value(&self) -> Option<Range<usize>> {
        range(self.value)
    }
}

fn pair(r: &Range<usize>) -> (u32, u32) {
    match (u32::try_from(r.start), u32::try_from(r.end)) {
        (Ok(s), Ok(e)) => (s, e),
        _ => (NONE, NONE),
    }
}

fn range((s, e): (u32, u32)) -> Option<Range<usize>> {
    (s != NONE).then_some(s as usize..e as usize)
}

/// The places of every value of one manifest.
#[derive(Debug, Clone, Default)]
pub struct Spans {
    nodes: Vec<SpanNode>,
    /// Children of collections not yet complete.
    open: Vec<SpanNode>,
}

/// A collection being recorded: where its children start on the stack.
#[derive(Debug, Clone, Copy)]
pub struct Mark(usize);

impl Spans {
    /// Starts a collection's children.
    pub fn begin(&mut self) -> Mark {
        Mark(self.open.len())
    }

    /// Starts a record's children: one empty slot per field.
    pub fn begin_record(&mut self, fields: usize) -> Mark {
        let mark = Mark(self.open.len());
        self.open
            .extend(std::iter::repeat_n(SpanNode::ABSENT, fields));
        mark
    }

    /// Adds the next child of the innermost collection.
    pub fn push(&mut self, node: SpanNode) {
        self.open.push(node);
    }

    /// Fills the slot of a record's field.
    pub fn set(&mut self, mark: Mark, index: usize, node: SpanNode) {
        if let Some(slot) = self.open.get_mut(mark.0 + index) {
            *slot = node;
        }
    }

    /// The children recorded since `mark`.
    pub fn children(&self, mark: Mark) -> &[SpanNode] {
        self.open.get(mark.0..).unwrap_or(&[])
    }

    /// Ends a collection; returns its node. `record` is its record type.
    pub fn end(
        &mut self,
        mark: Mark,
        range: &Range<usize>,
        record: Option<usize>,
        map: bool,
    ) -> SpanNode {
        let first = self.nodes.len();
        let len = self.open.len().saturating_sub(mark.0);
        self.nodes.extend(self.open.drain(mark.0..));
        let kind = match record {
            Some(rid) => u32::try_from(rid).unwrap_or(NONE),
            None if map => MAP,
            None => LIST,
        };
        SpanNode {
            key: (NONE, NONE),
            value: pair(range),
            first: u32::try_from(first).unwrap_or(NONE),
            len: u32::try_from(len).unwrap_or(0),
            kind,
        }
    }

    /// Stores the root; the tree is complete.
    pub fn finish(mut self, root: SpanNode) -> Spans {
        self.nodes.push(root);
        self.open = Vec::new();
        self
    }

    /// The `index`-th child of a collection.
    pub fn child(&self, node: &SpanNode, index: usize) -> Option<&SpanNode> {
        if index >= node.len as usize {
            return None;
        }
        self.nodes.get(node.first as usize + index)
    }

    /// The node of the value at `path`, if it is in the text.
    pub fn find(&self, types: &Types, text: &str, path: &Path) -> Option<&SpanNode> {
        let mut node = self.nodes.last()?;
        for seg in path.segs() {
            node = match (seg, node.kind) {
                (Seg::Index(i), LIST) => self.child(node, *i)?,
                (Seg::Key(k), MAP) => (0..node.len as usize)
                    .filter_map(|i| self.child(node, i))
                    .find(|c| {
                        c.key()
                            .and_then(|r| text.get(r))
                            .is_some_and(|t| unquote(t) == k)
                    })?,
                (Seg::Key(_), NONE | LIST) => return None,
                (Seg::Key(k), rid) => {
                    let (index, _) = types.record(rid as usize)?.field(k)?;
                    self.child(node, index)?
                }
                (Seg::Index(_), _) => return None,
            };
            node.value()?;
        }
        Some(node)
    }

    /// Where to point for a path. A value that spans several lines (a
    /// mapping or a list) is pointed at by its key, or by its first line.
    /// A path not in the text points at the nearest enclosing key.
    pub fn locate(&self, types: &Types, text: &str, path: &Path, at: At) -> Option<Range<usize>> {
        let Some(node) = self.find(types, text, path) else {
            return path
                .parent()
                .and_then(|p| self.locate(types, text, &p, At::Key));
        };
        let value = node.value()?;
        match at {
            At::Key => node.key().or_else(|| Some(first_line(text, value))),
            At::Value => Some(anchor(text, node.key(), value)),
        }
    }
}

/// A map key as written, without its quotes.
fn unquote(t: &str) -> &str {
    t.strip_prefix('"')
        .and_then(|t| t.strip_suffix('"'))
        .or_else(|| t.strip_prefix('\'').and_then(|t| t.strip_suffix('\'')))
        .unwrap_or(t)
}

/// The first line of a range.
pub fn first_line(text: &str, range: Range<usize>) -> Range<usize> {
    let end = text
        .get(range.start..range.end)
        .and_then(|t| t.find('\n'))
        .map_or(range.end, |i| range.start + i);
    range.start..end
}

/// Where to point for a value: the value itself when it is on one line,
/// else its key, else its first line.
pub fn anchor(text: &str, key: Option<Range<usize>>, value: Range<usize>) -> Range<usize> {
    let multi_line = text.get(value.clone()).is_some_and(|t| t.contains('\n'));
    match (multi_line, key) {
        (false, _) => value,
        (true, Some(key)) => key,
        (true, None) => first_line(text, value),
    }
}
