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

    /// The position of a byte offset of `text`.
    pub fn position(self, text: &str, offset: usize) -> Position {
        let mut offset = offset.min(text.len());
        while !text.is_char_boundary(offset) {
            offset -= 1;
        }
        let before = text.get(..offset).unwrap_or("");
        let line_start = before.rfind('\n').map_or(0, |i| i + 1);
        let line = before.matches('\n').count();
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

    /// The byte offset of a position in `text`: past the end of its line
    /// (or of the text) is its end.
    pub fn offset(self, text: &str, position: Position) -> usize {
        let line = usize::try_from(position.line).unwrap_or(usize::MAX);
        let mut start = 0;
        for _ in 0..line {
            match text.get(start..).and_then(|t| t.find('\n')) {
                Some(i) => start += i + 1,
                None => return text.len(),
            }
        }
        let end = text
            .get(start..)
            .and_then(|t| t.find('\n'))
            .map_or(text.len(), |i| start + i);
        let want = usize::try_from(position.character).unwrap_or(usize::MAX);
        let mut units = 0;
        for (i, c) in text.get(start..end).unwrap_or("").char_indices() {
            if units >= want {
                return start + i;
            }
            units += match self {
                Encoding::Utf8 => c.len_utf8(),
                Encoding::Utf16 => c.len_utf16(),
            };
        }
        end
    }

    pub fn range(self, text: &str, range: std::ops::Range<usize>) -> Range {
        Range {
            start: self.position(text, range.start),
            end: self.position(text, range.end),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::Encoding;

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
}
