//! Named source texts and byte spans into them.
//!
//! Every location in proviso is a [`Span`]: a byte range into a [`Source`]
//! that is shared by reference, so any diagnostic can render its own snippet
//! without a side table. Line and column numbers are computed only at the
//! edges (short output, machine formats), from a table of line starts that
//! each source builds once, on first use.

use std::fmt;
use std::fmt::Write as _;
use std::ops::Range;
use std::sync::{Arc, OnceLock};

/// A file's name, as shown to the user, and its full text.
#[derive(Debug)]
pub struct Source {
    pub name: String,
    pub text: String,
    /// The byte offset at which each line starts; lines end at `\n`.
    lines: OnceLock<Vec<usize>>,
    /// The text as a terminal may show it; `None` when it has nothing to
    /// replace, which is the common case.
    shown: OnceLock<Option<Shown>>,
    /// Columns at byte checkpoints, for columns far into long lines.
    chars: OnceLock<Vec<Checkpoint>>,
}

/// Bytes between character-count checkpoints: a column on a line longer
/// than this is found from the nearest checkpoint, not from the line's
/// start, so many findings on one long line cost no more than elsewhere.
const CHECKPOINT: usize = 256;

/// How the names of the shipped policy files begin
/// (`builtin:ftc2012.proviso`): they are compiled into proviso, not files
/// of the user's.
pub const BUILTIN_PREFIX: &str = "builtin:";

impl Source {
    /// Whether this is a shipped policy file, compiled into proviso.
    pub fn is_builtin(&self) -> bool {
        self.name.starts_with(BUILTIN_PREFIX)
    }

    pub fn new(name: impl Into<String>, text: impl Into<String>) -> Arc<Source> {
        Arc::new(Source {
            name: name.into(),
            text: text.into(),
            lines: OnceLock::new(),
            shown: OnceLock::new(),
            chars: OnceLock::new(),
        })
    }

    /// The checkpoint table: every [`CHECKPOINT`] bytes or so, a byte
    /// offset and its column on its line in each unit. Built once, on the
    /// first column asked for far into a long line.
    fn checkpoints(&self) -> &[Checkpoint] {
        self.chars.get_or_init(|| {
            let mut table = Vec::with_capacity(self.text.len() / CHECKPOINT + 1);
            let mut next = CHECKPOINT;
            let mut at = Checkpoint::default();
            for (i, c) in self.text.char_indices() {
                if i >= next {
                    table.push(Checkpoint { byte: i, ..at });
                    next = i + CHECKPOINT;
                }
                at = if c == '\n' {
                    Checkpoint {
                        byte: i + 1,
                        ..Checkpoint::default()
                    }
                } else {
                    at.after(c)
                };
            }
            table
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
        self.line_column(offset, ColumnUnit::Chars)
    }

    /// 1-based line and 1-based column of a byte offset, the column
    /// counted in `unit`. Offsets inside a character or past the end are
    /// clamped. At most a few hundred bytes are scanned: from the line's
    /// start, or on a long line from the nearest checkpoint before the
    /// offset.
    pub fn line_column(&self, offset: usize, unit: ColumnUnit) -> (usize, usize) {
        let offset = clamp_to_char_boundary(&self.text, offset);
        let starts = self.line_starts();
        let line = line_of(starts, offset);
        let line_start = starts.get(line).copied().unwrap_or(0);
        let from = if offset - line_start <= CHECKPOINT {
            Checkpoint {
                byte: line_start,
                ..Checkpoint::default()
            }
        } else {
            let table = self.checkpoints();
            let at = table
                .partition_point(|c| c.byte <= offset)
                .saturating_sub(1);
            table
                .get(at)
                .copied()
                .filter(|c| c.byte >= line_start)
                .unwrap_or(Checkpoint {
                    byte: line_start,
                    ..Checkpoint::default()
                })
        };
        let to = self
            .text
            .get(from.byte..offset)
            .unwrap_or("")
            .chars()
            .fold(from, Checkpoint::after);
        (line + 1, to.column(unit) + 1)
    }

    /// The text to show in a snippet, and its line starts: the text itself
    /// when it is clean, else a copy, made once, in which each character
    /// [`is_display_control`] selects is replaced by a picture of it: C0
    /// characters by their Unicode Control Picture (`␛` for ESC, `␍` for a
    /// carriage return, `␀` for NUL), DEL by `␡`, and the others by their
    /// code point written `\u{202e}`. Line breaks (`\n`, and `\r\n`) and
    /// tabs stay: snippets are cut at the one and expand the other. A lone
    /// `\r` is pictured, so a snippet's lines are the lines of
    /// [`Source::line_col`].
    pub fn shown_text(&self) -> (&str, &[usize]) {
        match self.shown() {
            Some(shown) => (&shown.text, &shown.lines),
            None => (&self.text, self.line_starts()),
        }
    }

    /// Where a byte offset of the text lands in [`Source::shown_text`].
    pub fn shown_offset(&self, offset: usize) -> usize {
        match self.shown() {
            Some(shown) => shown.offset(offset),
            None => offset,
        }
    }

    /// Where an offset of [`Source::shown_text`] comes from in the text:
    /// the inverse of [`Source::shown_offset`]; an offset inside a
    /// character's picture goes to the end of that character.
    pub fn original_offset(&self, shown_offset: usize) -> usize {
        match self.shown() {
            Some(shown) => {
                let before = shown.ends.partition_point(|&(_, end)| end <= shown_offset);
                let original = match before.checked_sub(1).and_then(|i| shown.ends.get(i)) {
                    Some(&(end, shown_end)) => end + (shown_offset - shown_end),
                    None => shown_offset,
                };
                clamp_to_char_boundary(&self.text, original)
            }
            None => shown_offset,
        }
    }

    fn shown(&self) -> Option<&Shown> {
        self.shown.get_or_init(|| Shown::new(&self.text)).as_ref()
    }
}

/// How a column is counted. Editors differ: vim and neovim count bytes
/// (`%c` in `errorformat`), VS Code and the Language Server Protocol by
/// default UTF-16 code units, JetBrains IDEs characters, Emacs screen
/// columns.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum ColumnUnit {
    /// Bytes of UTF-8 (vim, neovim).
    #[default]
    Bytes,
    /// Unicode scalar values.
    Chars,
    /// UTF-16 code units (VS Code).
    Utf16,
    /// Terminal columns: 2 for a wide East Asian character or an emoji, 0
    /// for a combining mark, 2 for a control character (`^A`), and a tab
    /// to the next multiple of 8 (Emacs).
    Display,
}

/// A byte offset and its 0-based column on its line in each unit.
#[derive(Clone, Copy, Debug, Default)]
struct Checkpoint {
    /// The offset in the text.
    byte: usize,
    /// The columns.
    bytes: usize,
    chars: usize,
    utf16: usize,
    display: usize,
}

/// The columns `c` takes on a terminal, after `col` columns of its line,
/// as Emacs shows it: a tab runs to the next multiple of 8, a C0 control
/// or DEL shows as `^A` (2), a C1 control as `\205` (4), a soft hyphen as
/// `-` (1); otherwise its East Asian width (0 for a combining mark).
fn display_width(c: char, col: usize) -> usize {
    use unicode_width::UnicodeWidthChar as _;
    match c {
        '\t' => 8 - col % 8,
        '\u{0}'..='\u{1f}' | '\u{7f}' => 2,
        '\u{80}'..='\u{9f}' => 4,
        '\u{ad}' => 1,
        c => c.width().unwrap_or(0),
    }
}

impl Checkpoint {
    /// The place just past `c`, on the same line.
    fn after(self, c: char) -> Checkpoint {
        let display = self.display + display_width(c, self.display);
        Checkpoint {
            byte: self.byte + c.len_utf8(),
            bytes: self.bytes + c.len_utf8(),
            chars: self.chars + 1,
            utf16: self.utf16 + c.len_utf16(),
            display,
        }
    }

    fn column(&self, unit: ColumnUnit) -> usize {
        match unit {
            ColumnUnit::Bytes => self.bytes,
            ColumnUnit::Chars => self.chars,
            ColumnUnit::Utf16 => self.utf16,
            ColumnUnit::Display => self.display,
        }
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

/// Whether a character acts on a terminal or on the text around it instead
/// of showing: it moves the cursor, changes colours, breaks a line or
/// reorders text. These are the control characters (Unicode category Cc:
/// C0, DEL and C1, NEL included), the line and paragraph separators, the
/// bidirectional marks, embeddings, overrides and isolates, and the
/// characters that show nothing at all (zero-width spaces and joiners other
/// than the one inside emoji, the word joiner and invisible operators, the
/// soft hyphen, the byte-order mark), which make two names look the same,
/// and the noncharacters U+FFFE and U+FFFF.
pub fn is_display_control(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{00AD}'
                | '\u{180E}'
                | '\u{200B}'
                | '\u{200C}'
                | '\u{2060}'..='\u{2064}'
                | '\u{FEFF}'
                | '\u{FFFE}'
                | '\u{FFFF}'
                | '\u{061C}'
                | '\u{200E}'
                | '\u{200F}'
                | '\u{2028}'
                | '\u{2029}'
                | '\u{202A}'..='\u{202E}'
                | '\u{2066}'..='\u{2069}'
        )
}

/// A copy of a source's text that is safe to print, for snippets (see
/// [`Source::shown_text`]).
#[derive(Debug)]
struct Shown {
    text: String,
    lines: Vec<usize>,
    /// For each replaced character in order, where it ends in the original
    /// text and in `text`: an offset maps through the last one before it.
    ends: Vec<(usize, usize)>,
}

impl Shown {
    fn new(text: &str) -> Option<Shown> {
        let pictured = |(i, c): (usize, char)| {
            let kept = match c {
                '\n' | '\t' => true,
                '\r' => text.as_bytes().get(i + 1) == Some(&b'\n'),
                _ => !is_display_control(c),
            };
            !kept
        };
        let first = text.char_indices().find(|&ic| pictured(ic))?.0;
        let mut shown = String::with_capacity(text.len() + 16);
        shown.push_str(text.get(..first).unwrap_or(""));
        let mut ends = Vec::new();
        for (i, c) in text.char_indices().skip_while(|&(i, _)| i < first) {
            if !pictured((i, c)) {
                shown.push(c);
                continue;
            }
            match u32::from(c) {
                n @ 0..=0x1f => shown.push(char::from_u32(0x2400 + n).unwrap_or('\u{FFFD}')),
                0x7f => shown.push('\u{2421}'),
                n => {
                    let _ = write!(shown, "\\u{{{n:x}}}");
                }
            }
            ends.push((i + c.len_utf8(), shown.len()));
        }
        let lines = line_starts(&shown);
        Some(Shown {
            text: shown,
            lines,
            ends,
        })
    }

    fn offset(&self, offset: usize) -> usize {
        let before = self.ends.partition_point(|&(end, _)| end <= offset);
        let shown = match before.checked_sub(1).and_then(|i| self.ends.get(i)) {
            Some(&(end, shown_end)) => shown_end + (offset - end),
            None => offset,
        };
        clamp_to_char_boundary(&self.text, shown)
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

    /// 1-based line and column of the start, the column counted in `unit`.
    pub fn line_column(&self, unit: ColumnUnit) -> (usize, usize) {
        self.src.line_column(self.start, unit)
    }

    /// 1-based line and column just past the end, in `unit`.
    pub fn end_line_column(&self, unit: ColumnUnit) -> (usize, usize) {
        self.src.line_column(self.end, unit)
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
    fn columns_on_a_long_line_count_characters() {
        let mut text = String::from("a\n");
        for i in 0..3000 {
            text.push_str(if i % 3 == 0 { "é, " } else { "zz, " });
        }
        let src = Source::new("m.yaml", text.clone());
        for (offset, _) in text.char_indices().step_by(97) {
            let before = &text[..offset];
            let line_start = before.rfind('\n').map_or(0, |i| i + 1);
            let expected = (
                before.matches('\n').count() + 1,
                text[line_start..offset].chars().count() + 1,
            );
            assert_eq!(src.line_col(offset), expected, "{offset}");
        }
    }

    /// Columns counted the slow way: from the line's start.
    fn naive(text: &str, offset: usize, unit: ColumnUnit) -> (usize, usize) {
        use unicode_width::UnicodeWidthChar as _;
        let before = &text[..offset];
        let line_start = before.rfind('\n').map_or(0, |i| i + 1);
        let on_line = &text[line_start..offset];
        let col = match unit {
            ColumnUnit::Bytes => on_line.len(),
            ColumnUnit::Chars => on_line.chars().count(),
            ColumnUnit::Utf16 => on_line.encode_utf16().count(),
            ColumnUnit::Display => on_line.chars().fold(0, |col, c| match c {
                '\t' => col / 8 * 8 + 8,
                '\u{ad}' => col + 1,
                c if c.is_control() && u32::from(c) >= 0x80 => col + 4,
                c if c.is_control() => col + 2,
                c => col + c.width().unwrap_or(0),
            }),
        };
        (before.matches('\n').count() + 1, col + 1)
    }

    const UNITS: [ColumnUnit; 4] = [
        ColumnUnit::Bytes,
        ColumnUnit::Chars,
        ColumnUnit::Utf16,
        ColumnUnit::Display,
    ];

    #[test]
    fn each_unit_counts_as_its_editor_does() {
        let text = "partner: {name: \"Zoë 漢 😀\", kind: integraton}\n\tx: \u{1b}é\u{301}y\nz\u{ad}\u{85}w\n";
        let src = Source::new("m.yaml", text);
        let at = text.find("integraton").unwrap();
        // `Zoë 漢 😀`: ë is 2 bytes, 1 UTF-16 unit, 1 column; 漢 3 bytes, 1
        // unit, 2 columns; 😀 4 bytes, 2 units, 2 columns.
        assert_eq!(src.line_column(at, ColumnUnit::Bytes), (1, 40));
        assert_eq!(src.line_column(at, ColumnUnit::Chars), (1, 34));
        assert_eq!(src.line_column(at, ColumnUnit::Utf16), (1, 35));
        assert_eq!(src.line_column(at, ColumnUnit::Display), (1, 36));
        // A tab stops at 8; ESC shows as `^[`; a combining accent takes
        // no column.
        let at = text.find('y').unwrap();
        assert_eq!(src.line_column(at, ColumnUnit::Bytes), (2, 10));
        assert_eq!(src.line_column(at, ColumnUnit::Chars), (2, 8));
        assert_eq!(src.line_column(at, ColumnUnit::Display), (2, 15));
        // A soft hyphen shows as `-`, a C1 control as `\205`.
        let at = text.find('w').unwrap();
        assert_eq!(src.line_column(at, ColumnUnit::Display), (3, 7));
        for unit in UNITS {
            for (offset, _) in text.char_indices() {
                assert_eq!(src.line_column(offset, unit), naive(text, offset, unit));
            }
        }
    }

    #[test]
    fn columns_far_into_long_lines_count_from_checkpoints() {
        let mut text = String::from("a\n");
        for i in 0..3000 {
            text.push_str(match i % 5 {
                0 => "é, ",
                1 => "漢\t",
                2 => "😀 ",
                3 => "zz\n",
                _ => "ab, ",
            });
            if i % 700 == 0 {
                text.push_str(&"x".repeat(600));
            }
        }
        let src = Source::new("m.yaml", text.clone());
        for unit in UNITS {
            for (offset, _) in text.char_indices().step_by(13) {
                assert_eq!(
                    src.line_column(offset, unit),
                    naive(&text, offset, unit),
                    "{unit:?} at {offset}"
                );
            }
        }
    }

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

    #[test]
    fn a_clean_text_is_shown_as_it_is() {
        let src = Source::new("m.yaml", "a:\tb\r\nc: \u{202e}ok\n");
        assert_ne!(src.shown_text().0, src.text);
        let src = Source::new("m.yaml", "a:\tb\r\nc: Zoë\n");
        assert_eq!(src.shown_text().0, src.text);
        assert_eq!(src.shown_offset(7), 7);
    }

    #[test]
    fn shown_text_pictures_what_would_act_on_a_terminal() {
        let text = "a: \"\u{1b}[2K\u{7}\"\rb: \u{7f}\u{85}\u{202e}x\u{2028}\r\nc: 1\n";
        let src = Source::new("m.yaml", text);
        let (shown, lines) = src.shown_text();
        assert_eq!(
            shown,
            "a: \"␛[2K␇\"␍b: ␡\\u{85}\\u{202e}x\\u{2028}\r\nc: 1\n"
        );
        assert_eq!(lines.len(), 3);
        // Offsets keep pointing at the same text.
        for needle in ["[2K", "\"\r", "b:", "x", "\r\n", "c: 1"] {
            let at = text.find(needle).unwrap();
            let shown_needle = needle.replace('\r', "␍").replace("␍\n", "\r\n");
            let shown_at = src.shown_offset(at);
            assert!(
                shown[shown_at..].starts_with(&shown_needle),
                "`{needle}` at {at} is shown at {shown_at}"
            );
        }
        assert_eq!(src.shown_offset(text.len()), shown.len());
        // Inside a replaced character: never inside a shown one.
        assert!(shown.is_char_boundary(src.shown_offset(text.find('\u{85}').unwrap() + 1)));
    }
}
