//! The output of the formatter, and the comments that go with it.
//!
//! The layout (`layout.rs`) walks the tree and hands the printer each
//! token and punctuation mark in the order of the text; the printer checks
//! that it is the next piece of the text and writes it. Every comment
//! between the last piece written and this one is written first: a
//! comment that ended a line of code ends the line of the code before it
//! again, one on a line of its own gets a line of its own. So no comment is
//! dropped or moved past a token, whatever the layout does; and since a
//! comment is placed by the tokens around it, not by the spaces, the
//! output places it the same way when formatted again.
//!
//! Line breaks are asked for, not written: [`Printer::line`] says where
//! the next piece starts, and the break is made when it is written, with a
//! blank line before it if the text had one there and the place keeps
//! them. A comment where the layout has no line break (in `a == b`, say)
//! still ends its line, and the code goes on four columns in from the
//! line the layout last asked for. Trailing comments on consecutive lines
//! are aligned at the end.

use super::pieces::{Piece, What};
use super::WIDTH;
use crate::syntax::tree::Node;

pub(super) struct Printer<'a> {
    text: &'a str,
    pieces: &'a [Piece],
    /// The first piece not written yet.
    next: usize,
    /// Punctuation left out of the output (an optional comma), in order.
    dropped: Vec<usize>,
    out: String,
    /// Characters on the current line, and its indentation.
    col: usize,
    indent: usize,
    /// The current line holds something.
    content: bool,
    /// The current line ends in a comment.
    commented: bool,
    /// The indentation the layout last asked for: a line that a comment
    /// breaks goes on indented from it.
    base: usize,
    /// Where the next piece starts, if on a new line.
    pending: Option<Break>,
    /// Where each trailing comment starts in `out`.
    trailing: Vec<usize>,
    /// Inside an attempt to write something on one line (see [`Printer::flat`]).
    flat: u32,
    /// The attempt broke a line or met a comment.
    failed: bool,
    /// The layout and the pieces disagree: the output cannot be trusted.
    error: Option<String>,
}

#[derive(Debug, Clone, Copy)]
struct Break {
    indent: usize,
    /// A blank line in the text before the next piece is kept.
    blanks: bool,
}

/// The state to go back to when an attempt fails.
pub(super) struct Mark {
    out: usize,
    col: usize,
    indent: usize,
    content: bool,
    commented: bool,
    base: usize,
    pending: Option<Break>,
    next: usize,
    dropped: usize,
    trailing: usize,
    failed: bool,
}

impl<'a> Printer<'a> {
    pub fn new(text: &'a str, pieces: &'a [Piece]) -> Printer<'a> {
        Printer {
            text,
            pieces,
            next: 0,
            dropped: Vec::new(),
            out: String::with_capacity(text.len() + text.len() / 8),
            col: 0,
            indent: 0,
            content: false,
            commented: false,
            base: 0,
            pending: None,
            trailing: Vec::new(),
            flat: 0,
            failed: false,
            error: None,
        }
    }

    pub fn source(&self) -> &'a str {
        self.text
    }

    /// The column the next piece starts at, if nothing comes between.
    pub fn col(&self) -> usize {
        self.pending.map_or(self.col, |b| b.indent)
    }

    /// The indentation of the line the next piece goes on.
    pub fn line_indent(&self) -> usize {
        self.pending.map_or(self.indent, |b| b.indent)
    }

    /// The next piece starts a line at `indent`.
    pub fn line(&mut self, indent: usize, blanks: bool) {
        if self.flat > 0 {
            self.failed = true;
            return;
        }
        self.pending = Some(Break { indent, blanks });
        self.base = indent;
    }

    /// One space, unless a line break comes first.
    pub fn space(&mut self) {
        if self.pending.is_none() {
            self.put(" ");
        }
    }

    /// Text of the layout's own (a comma the text left out, padding).
    pub fn text(&mut self, s: &str) {
        self.write(s, false);
    }

    /// Spaces up to `col`, at least one.
    pub fn pad_to(&mut self, col: usize) {
        if self.pending.is_none() {
            let n = col.saturating_sub(self.col).max(1);
            self.put(&" ".repeat(n));
        }
    }

    /// Writes the token `node` as `shown`.
    pub fn token(&mut self, node: &Node, shown: &str) {
        let Some(i) = self.next_piece() else {
            return self.fail(format!(
                "no piece left for the token at {}",
                node.range.start
            ));
        };
        match self.pieces.get(i) {
            Some(p) if p.what == What::Token && p.range == node.range => {}
            _ => return self.fail(format!("the token at {} is out of order", node.range.start)),
        }
        self.emit(i, shown);
    }

    /// Writes the punctuation mark that comes next in the text.
    pub fn punct(&mut self, c: char) {
        let Some(i) = self.next_piece().filter(|&i| self.is(i, c)) else {
            return self.fail(format!("`{c}` is not where the layout expects it"));
        };
        let mut buf = [0; 4];
        self.emit(i, c.encode_utf8(&mut buf));
    }

    /// Leaves out the punctuation mark `c` if it comes next; the comments
    /// before it stay, to be written before what follows.
    pub fn drop_punct(&mut self, c: char) {
        if let Some(i) = self.next_piece().filter(|&i| self.is(i, c)) {
            self.dropped.push(i);
        }
    }

    /// Where the first punctuation mark `c` at or after byte `from` of the
    /// text starts.
    pub fn find_punct(&self, c: char, from: usize) -> Option<usize> {
        self.pieces
            .get(self.next..)?
            .iter()
            .find(|p| p.range.start >= from && p.what == What::Punct(c))
            .map(|p| p.range.start)
    }

    /// Where the piece last written ends in the text.
    pub fn last_end(&self) -> usize {
        self.next
            .checked_sub(1)
            .and_then(|i| self.pieces.get(i))
            .map_or(0, |p| p.range.end)
    }

    /// Whether comments come before the next piece.
    pub fn comments_ahead(&self) -> bool {
        let end = self.next_piece().unwrap_or(self.pieces.len());
        (self.next..end).any(|i| self.is_comment(i))
    }

    /// Writes the comments before the next piece, each on a line of its
    /// own at `indent` (a trailing one stays where it is): the comments at
    /// the end of a block, before its closing bracket.
    pub fn comments_here(&mut self, indent: usize, blanks: bool) {
        if self.comments_ahead() {
            self.line(indent, blanks);
            let end = self.next_piece().unwrap_or(self.pieces.len());
            self.comments_before(end);
        }
    }

    /// Tries `f` on one line: true if it wrote no line break and no comment
    /// and ends by column [`WIDTH`]; otherwise nothing is written. The
    /// comments before it are written first, outside the attempt.
    pub fn flat(&mut self, f: impl FnOnce(&mut Printer<'a>)) -> bool {
        let end = self.next_piece().unwrap_or(self.pieces.len());
        self.comments_before(end);
        let mark = self.mark();
        self.flat += 1;
        f(self);
        self.flat -= 1;
        let fits = !self.failed && self.col <= WIDTH && self.error.is_none();
        if !fits {
            self.reset(mark);
        }
        fits
    }

    pub fn mark(&self) -> Mark {
        Mark {
            out: self.out.len(),
            col: self.col,
            indent: self.indent,
            content: self.content,
            commented: self.commented,
            base: self.base,
            pending: self.pending,
            next: self.next,
            dropped: self.dropped.len(),
            trailing: self.trailing.len(),
            failed: self.failed,
        }
    }

    pub fn reset(&mut self, m: Mark) {
        self.out.truncate(m.out);
        self.col = m.col;
        self.indent = m.indent;
        self.content = m.content;
        self.commented = m.commented;
        self.base = m.base;
        self.pending = m.pending;
        self.next = m.next;
        self.dropped.truncate(m.dropped);
        self.trailing.truncate(m.trailing);
        self.failed = m.failed;
    }

    /// The output, once every piece is written: the comments left at the
    /// end of the file too. Fails if the layout left out a piece.
    pub fn finish(mut self) -> Result<String, String> {
        self.comments_here(0, true);
        if let Some(e) = self.error.take() {
            return Err(e);
        }
        if let Some(i) = self.next_piece() {
            let at = self.pieces.get(i).map_or(0, |p| p.range.start);
            return Err(format!("the text at {at} was not written"));
        }
        let mut out = align_trailing(&self.out, &self.trailing);
        if !out.is_empty() {
            out.push('\n');
        }
        Ok(out)
    }

    fn fail(&mut self, why: String) {
        if self.error.is_none() {
            self.error = Some(why);
        }
    }

    fn is(&self, i: usize, c: char) -> bool {
        self.pieces.get(i).is_some_and(|p| p.what == What::Punct(c))
    }

    fn is_comment(&self, i: usize) -> bool {
        self.pieces.get(i).is_some_and(|p| p.what == What::Comment)
    }

    fn is_dropped(&self, i: usize) -> bool {
        // Pieces are dropped in order, so those not yet passed are last.
        self.dropped
            .iter()
            .rev()
            .take_while(|&&d| d >= self.next)
            .any(|&d| d == i)
    }

    /// The next token or punctuation mark to write.
    fn next_piece(&self) -> Option<usize> {
        (self.next..self.pieces.len()).find(|&i| !self.is_comment(i) && !self.is_dropped(i))
    }

    fn emit(&mut self, i: usize, shown: &str) {
        self.comments_before(i);
        let blank = self.pieces.get(i).is_some_and(|p| p.blank_before);
        self.write(shown, blank);
        self.next = i + 1;
    }

    /// Writes the comments among the pieces before `end`.
    fn comments_before(&mut self, end: usize) {
        while self.next < end {
            let i = self.next;
            self.next += 1;
            if let Some(piece) = self.pieces.get(i).filter(|p| p.what == What::Comment) {
                self.comment(piece);
            }
        }
    }

    fn comment(&mut self, piece: &Piece) {
        if self.flat > 0 {
            self.failed = true;
        }
        let text = self.text.get(piece.range.clone()).unwrap_or("").trim_end();
        let next_line = Break {
            indent: self.base + 4,
            blanks: false,
        };
        if !piece.own_line && self.content && !self.commented {
            // It ended the line of the code before it, and still does.
            self.trailing.push(self.out.len());
            self.put(" ");
            self.put(text);
            self.pending.get_or_insert(next_line);
        } else {
            let at = *self.pending.get_or_insert(next_line);
            self.write(text, piece.blank_before);
            self.pending = Some(at);
        }
        self.commented = true;
    }

    /// Writes `s`, after the line break asked for, if any.
    fn write(&mut self, s: &str, blank: bool) {
        if let Some(b) = self.pending.take() {
            if !self.out.is_empty() {
                if self.content {
                    self.out.push('\n');
                }
                if b.blanks && blank {
                    self.out.push('\n');
                }
            }
            self.col = 0;
            self.content = false;
            self.indent = b.indent;
            self.put(&" ".repeat(b.indent));
        }
        self.put(s);
        self.content = true;
        self.commented = false;
    }

    fn put(&mut self, s: &str) {
        self.out.push_str(s);
        match s.rfind('\n') {
            // A token that holds a line break (a template whose `{ }`
            // spans lines) is written as it is.
            Some(at) => self.col = s.get(at + 1..).map_or(0, |t| t.chars().count()),
            None => self.col += s.chars().count(),
        }
    }
}

/// `out` with each run of trailing comments on consecutive lines aligned
/// one space past the longest code among them, and no line ending in
/// white space.
fn align_trailing(out: &str, trailing: &[usize]) -> String {
    let mut lines: Vec<(String, Option<String>)> = Vec::new();
    let mut start = 0;
    let mut marks = trailing.iter().peekable();
    for line in out.split('\n') {
        let end = start + line.len();
        while marks.next_if(|&&at| at < start).is_some() {}
        let at = marks.next_if(|&&at| at <= end);
        let (code, comment) = match at.and_then(|&at| line.split_at_checked(at - start)) {
            Some((code, comment)) => (code.trim_end(), Some(comment.trim().to_string())),
            None => (line.trim_end(), None),
        };
        lines.push((code.to_string(), comment));
        start = end + 1;
    }
    let mut out = String::with_capacity(out.len());
    let mut i = 0;
    while i < lines.len() {
        let run = lines.get(i..).map_or(0, |rest| {
            rest.iter().take_while(|(_, c)| c.is_some()).count()
        });
        let width = lines
            .get(i..i + run)
            .into_iter()
            .flatten()
            .map(|(code, _)| code.chars().count())
            .max()
            .unwrap_or(0);
        for (code, comment) in lines.get(i..i + run.max(1)).into_iter().flatten() {
            out.push_str(code);
            if let Some(comment) = comment {
                let pad = if code.is_empty() {
                    0
                } else {
                    width + 1 - code.chars().count()
                };
                out.push_str(&" ".repeat(pad));
                out.push_str(comment);
            }
            out.push('\n');
        }
        i += run.max(1);
    }
    out.pop();
    out
}

#[cfg(test)]
mod tests {
    use super::align_trailing;

    #[test]
    fn trailing_comments_on_consecutive_lines_line_up() {
        let out = "a {\n  title     // c\n  x // d\n  long line // e\n\n  y // f";
        let at: Vec<usize> = ["// c", "// d", "// e", "// f"]
            .iter()
            .map(|c| out.find(c).unwrap() - 1)
            .collect();
        assert_eq!(
            align_trailing(out, &at),
            "a {\n  title     // c\n  x         // d\n  long line // e\n\n  y // f"
        );
    }
}
