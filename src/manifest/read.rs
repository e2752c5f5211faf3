//! Reading a file as manifest text, within limits: size, encoding, binary
//! content, characters YAML does not allow, and line breaks made uniform.

use std::io::Read;

/// Why a file could not be read as text: a message and, where there is
/// one, the fix.
pub type Unreadable = (String, Option<String>);

/// Line breaks are `\n` from here on: a lone `\r` (old Mac files) becomes
/// `\n`, which keeps every byte offset, and a byte-order mark is dropped, as
/// editors do not count it as a column.
pub fn normalize(text: String) -> String {
    let text = match text.strip_prefix('\u{feff}') {
        Some(rest) => rest.to_string(),
        None => text,
    };
    if !text.contains('\r') {
        return text;
    }
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\r' && chars.peek() != Some(&'\n') {
            out.push('\n');
        } else {
            out.push(c);
        }
    }
    out
}

/// Byte offset of a 1-based line and column (in characters). Linear in the
/// offset: it is called once per file, for a syntax error.
pub fn offset_of(text: &str, line: usize, col: usize) -> usize {
    let mut offset = 0;
    for (i, l) in text.split_inclusive('\n').enumerate() {
        if i + 1 == line {
            return offset
                + l.char_indices()
                    .nth(col.saturating_sub(1))
                    .map_or(l.len(), |(b, _)| b);
        }
        offset += l.len();
    }
    text.len()
}

/// The first character that YAML does not allow in a stream (C0 controls
/// other than tab and line breaks, DEL, C1 controls other than NEL,
/// surrogates cannot occur in a `str`, and the non-characters U+FFFE and
/// U+FFFF), with its byte offset.
pub fn forbidden_char(text: &str) -> Option<(usize, char)> {
    // Bytes first, a chunk at a time and without branching, so the scan
    // vectorises: every forbidden character starts with a control byte,
    // 0xC2 (U+0080..U+00BF) or 0xEF (U+F000..U+FFFF), which are rare.
    const CHUNK: usize = 64;
    let suspect = |b: u8| {
        (b < 0x20) & (b != b'\t') & (b != b'\n') & (b != b'\r')
            | (b == 0x7f)
            | (b == 0xc2)
            | (b == 0xef)
    };
    for (n, chunk) in text.as_bytes().chunks(CHUNK).enumerate() {
        if !chunk.iter().fold(false, |hit, &b| hit | suspect(b)) {
            continue;
        }
        let start = n * CHUNK;
        for (i, &b) in chunk.iter().enumerate() {
            if !suspect(b) {
                continue;
            }
            let at = start + i;
            let c = text.get(at..)?.chars().next()?;
            if matches!(c,
                '\u{0}'..='\u{8}' | '\u{b}' | '\u{c}' | '\u{e}'..='\u{1f}' | '\u{7f}'
                | '\u{80}'..='\u{84}' | '\u{86}'..='\u{9f}' | '\u{fffe}' | '\u{ffff}')
            {
                return Some((at, c));
            }
        }
    }
    None
}

/// Reads a file as UTF-8 text, refusing what is too big, binary or not
/// UTF-8. The size is checked before reading and again while reading, since
/// a file can grow in between.
pub fn read_text(path: &std::path::Path, max: u64) -> Result<String, Unreadable> {
    let too_big = |size: String| {
        (
            format!("the file is {size} but the limit is {}", human_size(max)),
            Some("split the manifest, or raise the limit with `--max-file-size`".to_string()),
        )
    };
    let file =
        std::fs::File::open(path).map_err(|e| (format!("cannot open the file: {e}"), None))?;
    let size = file.metadata().map(|m| m.len()).unwrap_or(0);
    if size > max {
        return Err(too_big(human_size(size)));
    }
    let mut bytes = Vec::new();
    // One byte past the limit tells a file that grew past it from one that
    // fills it exactly; the limit itself is far below `u64::MAX`.
    file.take(max.saturating_add(1))
        .read_to_end(&mut bytes)
        .map_err(|e| (format!("cannot read the file: {e}"), None))?;
    if bytes.len() as u64 > max {
        return Err(too_big(format!("more than {}", human_size(max))));
    }
    decode(bytes)
}

/// Bytes to text: UTF-8 only, with a precise word for what else it is.
pub fn decode(bytes: Vec<u8>) -> Result<String, Unreadable> {
    if let Some(encoding) = utf16_or_32(&bytes) {
        return Err((
            format!("the file is {encoding} text, not UTF-8"),
            Some("save the file as UTF-8".to_string()),
        ));
    }
    if bytes
        .get(..bytes.len().min(8192))
        .is_some_and(|head| head.contains(&0))
    {
        return Err((
            "the file is binary (it contains NUL bytes), not YAML text".to_string(),
            Some("remove it from the checked paths, or rename it so it does not end in .yaml or .yml".to_string()),
        ));
    }
    String::from_utf8(bytes).map_err(|e| {
        let valid = e.utf8_error().valid_up_to();
        let before = e.as_bytes().get(..valid).unwrap_or_default();
        let line = before.iter().filter(|&&b| b == b'\n').count() + 1;
        (
            format!("the file is not UTF-8 text: invalid byte at line {line}, byte {valid}"),
            Some("save the file as UTF-8".to_string()),
        )
    })
}

/// UTF-16 and UTF-32 text, by byte-order mark, or without one by the NUL
/// bytes that ASCII text has in every other (or three of four) bytes.
fn utf16_or_32(bytes: &[u8]) -> Option<&'static str> {
    match bytes {
        [0xff, 0xfe, 0, 0, ..] => return Some("UTF-32 (little-endian)"),
        [0, 0, 0xfe, 0xff, ..] => return Some("UTF-32 (big-endian)"),
        [0xff, 0xfe, ..] => return Some("UTF-16 (little-endian)"),
        [0xfe, 0xff, ..] => return Some("UTF-16 (big-endian)"),
        _ => {}
    }
    let head = bytes.get(..bytes.len().min(512))?;
    // Without a BOM, such text has NUL bytes from its first characters.
    if head.len() < 4 || !head.contains(&0) {
        return None;
    }
    let zero_at = |phase: usize, step: usize| {
        let n = head.len() / step;
        n > 0
            && head
                .iter()
                .skip(phase)
                .step_by(step)
                .take(n)
                .all(|&b| b == 0)
    };
    let nonzero_at =
        |phase: usize, step: usize| head.iter().skip(phase).step_by(step).any(|&b| b != 0);
    if zero_at(1, 4) && zero_at(2, 4) && zero_at(3, 4) && nonzero_at(0, 4) {
        Some("UTF-32 (little-endian)")
    } else if zero_at(0, 4) && zero_at(1, 4) && zero_at(2, 4) && nonzero_at(3, 4) {
        Some("UTF-32 (big-endian)")
    } else if zero_at(1, 2) && nonzero_at(0, 2) {
        Some("UTF-16 (little-endian)")
    } else if zero_at(0, 2) && nonzero_at(1, 2) {
        Some("UTF-16 (big-endian)")
    } else {
        None
    }
}

pub fn human_size(bytes: u64) -> String {
    if bytes >= 1024 * 1024 * 1024 {
        format!("{:.1} GiB", bytes as f64 / (1024.0 * 1024.0 * 1024.0))
    } else if bytes >= 1024 * 1024 {
        format!("{:.1} MiB", bytes as f64 / (1024.0 * 1024.0))
    } else if bytes >= 1024 {
        format!("{:.1} KiB", bytes as f64 / 1024.0)
    } else {
        format!("{bytes} bytes")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utf16_is_named_as_such() {
        let text = "schema: partnership/v1\n";
        let le: Vec<u8> = text.encode_utf16().flat_map(u16::to_le_bytes).collect();
        let be: Vec<u8> = text.encode_utf16().flat_map(u16::to_be_bytes).collect();
        let mut bom = vec![0xff, 0xfe];
        bom.extend(&le);
        for (bytes, name) in [
            (le, "UTF-16 (little"),
            (be, "UTF-16 (big"),
            (bom, "UTF-16 (little"),
        ] {
            let (message, help) = decode(bytes).unwrap_err();
            assert!(message.contains(name), "{message}");
            assert_eq!(help.as_deref(), Some("save the file as UTF-8"));
        }
    }

    #[test]
    fn forbidden_characters_are_found_anywhere() {
        let mut text = "a: b\n".repeat(3000);
        text.push_str("c: \u{1b}[2K\n");
        let (at, c) = forbidden_char(&text).unwrap();
        assert_eq!((at, c), (3000 * 5 + 3, '\u{1b}'));
        assert_eq!(forbidden_char("a:\tb\r\n# \u{85} ok\n"), None);
        assert_eq!(forbidden_char("é \u{ef} ï \u{fffd}"), None);
        assert_eq!(forbidden_char("é\u{9b}"), Some((2, '\u{9b}')));
        assert_eq!(forbidden_char("x\u{ffff}"), Some((1, '\u{ffff}')));
    }
}
