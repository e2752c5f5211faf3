//! Named source texts and byte spans into them.
//!
//! Every location in proviso is a [`Span`]: a byte range into a [`Source`]
//! that is shared by reference, so any diagnostic can render its own snippet
//! without a side table. Line and column numbers are computed only at the
//! edges (short output, machine formats), from a table of line starts that
//! each source builds once, on first use.

use std::fmt;
use std::ops::Range;
use std::sync::{Arc, OnceLock};

/// A file's name, as shown to the user, and its full text.
#[derive(Debug)]
pub struct Source {
    pub name: String,
    pub text: String,
    /// The byte offset at which each line starts; lines end at `\n`.
    lines: OnceLock<Vec<usize>>,
}

impl Source {
    pub fn new(name: impl Into<String>, text: impl Into<String>) -> Arc<Source> {
        Arc::new(Source {
            name: name.into(),
            text: text.into(),
            lines: OnceLock::new(),
        })
    }

    /// The byte offset of the start of every line, in order; the first is 0.
    pub fn line_starts(&self) -> &[usize] {
        self.lines.get_or_init(|| line_starts(&self.text))
    }

    /// 1-based line and 1-based column (counted in characters) of a byte
    /// offset. Offsets inside a character or past the end are clamped.
    /// Only the offset's own line is scanned, so a file with many findings
    /// costs a binary search for each.
    pub fn line_col(&self, offset: usize) -> (usize, usize) {
        let offset = clamp_to_char_boundary(&self.text, offset);
        let starts = self.line_starts();
        let line = line_of(starts, offset);
        let line_start = starts.get(line).copied().unwrap_or(0);
        let col = self
            .text
            .get(line_start..offset)
            .map_or(0, |s| s.chars().count());
        (line + 1, col + 1)
    }
}

fn line_starts(text: &str) -> Vec<usize> {
    let breaks = text.bytes().enumerate().filter(|&(_, b)| b == b'\n');
    std::iter::once(0)
        .chain(breaks.map(|(i, _)| i + 1))
        .collect()
}

/// The 0-based line of a byte offset, given the line starts: the last line
/// that starts at or before it. A line's `\n` belongs to the line it ends.
pub fn line_of(starts: &[usize], offset: usize) -> usize {
    starts
        .partition_point(|&start| start <= offset)
        .saturating_sub(1)
}

fn clamp_to_char_boundary(text: &str, offset: usize) -> usize {
    let mut offset = offset.min(text.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    offset
}

/// A byte range in a named source. Equality ignores the location, so AST
/// nodes that carry spans compare by meaning.
#[derive(Clone)]
pub struct Span {
    pub src: Arc<Source>,
    pub start: usize,
    pub end: usize,
}

impl Span {
    pub fn new(src: &Arc<Source>, range: Range<usize>) -> Span {
        let start = clamp_to_char_boundary(&src.text, range.start);
        let end = clamp_to_char_boundary(&src.text, range.end.max(start));
        Span {
            src: Arc::clone(src),
            start,
            end,
        }
    }

    pub fn range(&self) -> Range<usize> {
        self.start..self.end
    }

    pub fn text(&self) -> &str {
        self.src.text.get(self.start..self.end).unwrap_or("")
    }

    /// The smallest span covering both.
    pub fn to(&self, other: &Span) -> Span {
        Span {
            src: Arc::clone(&self.src),
            start: self.start.min(other.start),
            end: self.end.max(other.end),
        }
    }

    pub fn start_line_col(&self) -> (usize, usize) {
        self.src.line_col(self.start)
    }

    pub fn end_line_col(&self) -> (usize, usize) {
        self.src.line_col(self.end)
    }

    pub fn miette(&self) -> miette::SourceSpan {
        (self.start, self.end - self.start).into()
    }
}

impl PartialEq for Span {
    fn eq(&self, _: &Span) -> bool {
        true
    }
}

impl fmt::Debug for Span {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}@{}..{}", self.src.name, self.start, self.end)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_col_counts_characters_not_bytes() {
        let src = Source::new("m.yaml", "name: Zoë\nid: ü-x\n");
        let offset = src.text.find("x").unwrap();
        assert_eq!(src.line_col(offset), (2, 7));
        let offset = src.text.find("Zo").unwrap();
        assert_eq!(src.line_col(offset), (1, 7));
    }

    #[test]
    fn line_col_finds_the_line_among_many() {
        let mut text = String::new();
        for i in 0..1000 {
            text.push_str(&format!("k{i}: \"Zoë 💬 ü\"\n"));
        }
        let src = Source::new("m.yaml", text.as_str());
        let offset = text.find("k537:").unwrap();
        assert_eq!(src.line_col(offset), (538, 1));
        let offset = offset + text[offset..].find('ü').unwrap();
        assert_eq!(src.line_col(offset), (538, 14));
        // Inside `ü`: the start of the character.
        assert_eq!(src.line_col(offset + 1), (538, 14));
        // The newline belongs to the line it ends.
        let offset = offset + text[offset..].find('\n').unwrap();
        assert_eq!(src.line_col(offset), (538, 16));
        assert_eq!(src.line_col(offset + 1), (539, 1));
        assert_eq!(src.line_col(text.len()), (1001, 1));
        assert_eq!(src.line_col(usize::MAX), (1001, 1));
        let empty = Source::new("e.yaml", "");
        assert_eq!(empty.line_col(0), (1, 1));
        assert_eq!(empty.line_col(5), (1, 1));
    }
}
