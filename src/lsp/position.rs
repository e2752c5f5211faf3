//! Positions as the client counts them: a line, and a column in UTF-8
//! bytes or UTF-16 code units.

use lsp_types::{InitializeParams, Position, PositionEncodingKind, Range};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Encoding {
    Utf8,
    Utf16,
}

impl Encoding {
    /// UTF-8 when the client offers it (no conversion, and exact for any
    /// text); else UTF-16, which every client understands.
    pub fn negotiate(params: &InitializeParams) -> Encoding {
        let offered = params
            .capabilities
            .general
            .as_ref()
            .and_then(|g| g.position_encodings.as_ref());
        match offered {
            Some(kinds) if kinds.contains(&PositionEncodingKind::UTF8) => Encoding::Utf8,
            _ => Encoding::Utf16,
        }
    }

    /// The position of a byte offset of `text`. Builds the text's line
    /// table: for many positions in one text, see [`Encoding::position_in`].
    pub fn position(self, text: &str, offset: usize) -> Position {
        self.position_in(text, &Lines::new(text), offset)
    }

    /// The byte offset of a position in `text` (see [`Encoding::offset_in`]).
    pub fn offset(self, text: &str, position: Position) -> usize {
        self.offset_in(text, &Lines::new(text), position)
    }

    pub fn range(self, text: &str, range: std::ops::Range<usize>) -> Range {
        self.range_in(text, &Lines::new(text), range)
    }

    /// The position of a byte offset of `text`, whose line table is
    /// `lines`: a binary search and a scan of the offset's own line.
    pub fn position_in(self, text: &str, lines: &Lines, offset: usize) -> Position {
        let mut offset = offset.min(text.len());
        while !text.is_char_boundary(offset) {
            offset -= 1;
        }
        let line = lines.0.partition_point(|&s| s <= offset).saturating_sub(1);
        let line_start = lines.0.get(line).copied().unwrap_or(0).min(offset);
        let on_line = text.get(line_start..offset).unwrap_or("");
        let character = match self {
            Encoding::Utf8 => on_line.len(),
            Encoding::Utf16 => on_line.chars().map(char::len_utf16).sum(),
        };
        Position {
            line: u32::try_from(line).unwrap_or(u32::MAX),
            character: u32::try_from(character).unwrap_or(u32::MAX),
        }
    }

    /// The byte offset of a position in `text`, whose line table is
    /// `lines`: past the end of its line (or of the text) is its end; a
    /// position inside a character (the middle of a surrogate pair) is
    /// the character's end.
    pub fn offset_in(self, text: &str, lines: &Lines, position: Position) -> usize {
        let line = usize::try_from(position.line).unwrap_or(usize::MAX);
        let Some(&start) = lines.0.get(line) else {
            return text.len();
        };
        let next = lines.0.get(line + 1).copied().unwrap_or(text.len());
        // The line's own text, without its line break.
        let body = text
            .get(start..next)
            .unwrap_or("")
            .trim_end_matches(['\n', '\r']);
        let want = usize::try_from(position.character).unwrap_or(usize::MAX);
        let mut units = 0;
        for (i, c) in body.char_indices() {
            if units >= want {
                return start + i;
            }
            units += match self {
                Encoding::Utf8 => c.len_utf8(),
                Encoding::Utf16 => c.len_utf16(),
            };
        }
        start + body.len()
    }

    pub fn range_in(self, text: &str, lines: &Lines, range: std::ops::Range<usize>) -> Range {
        Range {
            start: self.position_in(text, lines, range.start),
            end: self.position_in(text, lines, range.end),
        }
    }
}

/// Where each line of a text starts, as the protocol counts lines: a line
/// ends at `\n`, `\r\n` or a lone `\r`.
#[derive(Debug, Clone, Default)]
pub struct Lines(Vec<usize>);

impl Lines {
    pub fn new(text: &str) -> Lines {
        let bytes = text.as_bytes();
        let mut starts = vec![0];
        for (i, &b) in bytes.iter().enumerate() {
            let ends = b == b'\n' || (b == b'\r' && bytes.get(i + 1) != Some(&b'\n'));
            if ends {
                starts.push(i + 1);
            }
        }
        Lines(starts)
    }
}

#[cfg(test)]
mod tests {
    use super::Encoding;
    use lsp_types::Position;

    #[test]
    fn columns_count_bytes_or_utf16_units() {
        let text = "a: x\nname: \"Zoë 漢 😀\" # then\n";
        let at = text.find("# then").unwrap();
        let utf8 = Encoding::Utf8.position(text, at);
        let utf16 = Encoding::Utf16.position(text, at);
        assert_eq!((utf8.line, utf8.character), (1, 22));
        // ë (1 unit), 漢 (1 unit), 😀 (2 units).
        assert_eq!((utf16.line, utf16.character), (1, 17));
        assert_eq!(Encoding::Utf8.offset(text, utf8), at);
        assert_eq!(Encoding::Utf16.offset(text, utf16), at);
    }

    #[test]
    fn lines_end_at_a_line_feed_a_crlf_or_a_lone_carriage_return() {
        let text = "a: 1\rb: 2\r\nc: 😀x\nd";
        for (needle, line, character) in [("b", 1, 0), ("c", 2, 0), ("x", 2, 5), ("d", 3, 0)] {
            let at = text.find(needle).unwrap();
            let p = Encoding::Utf16.position(text, at);
            assert_eq!((p.line, p.character), (line, character), "{needle}");
            assert_eq!(Encoding::Utf16.offset(text, p), at, "{needle}");
        }
        // Past the end of a line: its end, before the line break.
        let p = Position {
            line: 1,
            character: 99,
        };
        assert_eq!(Encoding::Utf16.offset(text, p), text.find("\r\n").unwrap());
        // Inside the emoji's surrogate pair: the end of the emoji.
        let p = Position {
            line: 2,
            character: 4,
        };
        assert_eq!(Encoding::Utf16.offset(text, p), text.find('x').unwrap());
        let p = Position {
            line: 9,
            character: 0,
        };
        assert_eq!(Encoding::Utf16.offset(text, p), text.len());
    }
}
