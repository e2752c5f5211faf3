//! Named source texts and byte spans into them.
//!
//! Every location in proviso is a [`Span`]: a byte range into a [`Source`]
//! that is shared by reference, so any diagnostic can render its own snippet
//! without a side table. Line and column numbers are computed only at the
//! edges (short output, machine formats).

use std::fmt;
use std::ops::Range;
use std::sync::Arc;

/// A file's name, as shown to the user, and its full text.
#[derive(Debug)]
pub struct Source {
    pub name: String,
    pub text: String,
}

impl Source {
    pub fn new(name: impl Into<String>, text: impl Into<String>) -> Arc<Source> {
        Arc::new(Source {
            name: name.into(),
            text: text.into(),
        })
    }

    /// 1-based line and 1-based column (counted in characters) of a byte
    /// offset. Offsets inside a character or past the end are clamped.
    pub fn line_col(&self, offset: usize) -> (usize, usize) {
        let offset = clamp_to_char_boundary(&self.text, offset);
        let before = self.text.get(..offset).unwrap_or("");
        let line = before.matches('\n').count() + 1;
        let line_start = before.rfind('\n').map_or(0, |i| i + 1);
        let col = before.get(line_start..).unwrap_or("").chars().count() + 1;
        (line, col)
    }
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
}
