//! A policy text as the formatter reads it: every piece in order. The
//! tokens come from the concrete syntax tree; the gaps between them hold
//! only white space, punctuation and `//` comments (the grammar skips
//! comments, so they are not in the tree), which are read here. A `//`
//! inside a string is part of the string's token, and never seen as a
//! comment.

use crate::syntax::tree::Node;
use std::ops::Range;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum What {
    /// A token of the tree.
    Token,
    /// One of `{ } [ ] ( ) < > : , =`.
    Punct(char),
    /// `// ...`, up to the end of its line.
    Comment,
}

#[derive(Debug, Clone)]
pub(super) struct Piece {
    pub what: What,
    pub range: Range<usize>,
    /// A line break comes before it in the text (or nothing does): for a
    /// comment, whether it has a line of its own rather than ending the
    /// line of the code before it.
    pub own_line: bool,
    /// A blank line comes before it.
    pub blank_before: bool,
}

/// The pieces of a text whose tree is `tree`. Fails, naming the place, if a
/// gap holds something that is neither punctuation nor a comment, which
/// would mean the tree missed a token.
pub(super) fn pieces(tree: &Node, text: &str) -> Result<Vec<Piece>, String> {
    let mut tokens = Vec::new();
    tokens_of(tree, &mut tokens);
    let mut out = Vec::new();
    let mut at = 0;
    for range in tokens {
        gap(text, at, range.start, &mut out)?;
        push(&mut out, text, What::Token, range.clone());
        at = range.end;
    }
    gap(text, at, text.len(), &mut out)?;
    Ok(out)
}

fn tokens_of(node: &Node, out: &mut Vec<Range<usize>>) {
    if node.kind.is_token() {
        out.push(node.range.clone());
    } else {
        node.children.iter().for_each(|c| tokens_of(c, out));
    }
}

fn gap(text: &str, start: usize, end: usize, out: &mut Vec<Piece>) -> Result<(), String> {
    let bytes = text.as_bytes();
    let mut i = start;
    while i < end {
        let Some(&b) = bytes.get(i) else { break };
        match b {
            b' ' | b'\t' | b'\r' | b'\n' => i += 1,
            b'/' if bytes.get(i + 1) == Some(&b'/') => {
                let len = text
                    .get(i..end)
                    .and_then(|rest| rest.find('\n'))
                    .unwrap_or(end - i);
                push(out, text, What::Comment, i..i + len);
                i += len;
            }
            b'{' | b'}' | b'[' | b']' | b'(' | b')' | b'<' | b'>' | b':' | b',' | b'=' => {
                push(out, text, What::Punct(char::from(b)), i..i + 1);
                i += 1;
            }
            _ => return Err(format!("unexpected text at byte {i}")),
        }
    }
    Ok(())
}

fn push(out: &mut Vec<Piece>, text: &str, what: What, range: Range<usize>) {
    let from = out.last().map_or(0, |p| p.range.end);
    let between = text.get(from..range.start).unwrap_or("");
    let breaks = between.matches('\n').count();
    out.push(Piece {
        what,
        own_line: out.is_empty() || breaks > 0,
        blank_before: breaks > 1,
        range,
    });
}

/// The text of each comment in order, without the white space that ends
/// its line: what `proviso fmt` must keep.
pub(super) fn comments<'t>(pieces: &[Piece], text: &'t str) -> Vec<&'t str> {
    pieces
        .iter()
        .filter(|p| p.what == What::Comment)
        .map(|p| text.get(p.range.clone()).unwrap_or("").trim_end())
        .collect()
}
