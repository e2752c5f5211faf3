//! Reading a file as manifest text, within limits: size, encoding, binary
//! content, nesting depth, and line breaks made uniform.

use std::io::Read;
use std::ops::Range;

/// Deeper nesting than this is refused before parsing: real manifests are a
/// few levels deep, and the YAML parser's time grows with the square of the
/// depth, so a small hostile file could stall a CI run.
pub const MAX_DEPTH: usize = 128;

/// The byte range of the first bracket past `MAX_DEPTH` levels of flow
/// nesting (`[[[...` or `{{{...`), if any. Brackets inside quoted scalars
/// and comments do not count.
pub fn too_deep(text: &str) -> Option<Range<usize>> {
    let mut depth = 0usize;
    let mut quote: Option<char> = None;
    let mut comment = false;
    let mut prev = '\n';
    for (i, c) in text.char_indices() {
        if comment {
            if c == '\n' {
                comment = false;
            }
        } else if let Some(q) = quote {
            if c == q && !(q == '"' && prev == '\\') {
                quote = None;
            }
        } else {
            match c {
                '[' | '{' => {
                    depth += 1;
                    if depth > MAX_DEPTH {
                        return Some(i..i + 1);
                    }
                }
                ']' | '}' => depth = depth.saturating_sub(1),
                // A quote opens a scalar only where a scalar can start; in
                // `Zoë's` it is just a letter.
                '\'' | '"' if matches!(prev, ' ' | '\t' | '\n' | '[' | '{' | ',' | ':' | '-') => {
                    quote = Some(c)
                }
                '#' if prev.is_whitespace() => comment = true,
                _ => {}
            }
        }
        prev = c;
    }
    None
}

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

/// Byte offset of a 1-based line and column (in characters).
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

/// Reads a file as UTF-8 text, refusing what is too big, binary or not
/// UTF-8. The size is checked before reading and again while reading, since
/// a file can grow in between.
pub fn read_text(path: &std::path::Path, max: u64) -> Result<String, (String, Option<String>)> {
    let too_big = |size: u64| {
        (
            format!(
                "the file is {} but the limit is {}",
                human_size(size),
                human_size(max)
            ),
            Some("split the manifest, or raise the limit with `--max-file-size`".to_string()),
        )
    };
    let file =
        std::fs::File::open(path).map_err(|e| (format!("cannot open the file: {e}"), None))?;
    let size = file.metadata().map(|m| m.len()).unwrap_or(0);
    if size > max {
        return Err(too_big(size));
    }
    let mut bytes = Vec::new();
    file.take(max + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| (format!("cannot read the file: {e}"), None))?;
    if bytes.len() as u64 > max {
        return Err(too_big(bytes.len() as u64));
    }
    if bytes.iter().take(8192).any(|&b| b == 0) {
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

fn human_size(bytes: u64) -> String {
    if bytes >= 1024 * 1024 {
        format!("{:.1} MiB", bytes as f64 / (1024.0 * 1024.0))
    } else if bytes >= 1024 {
        format!("{:.1} KiB", bytes as f64 / 1024.0)
    } else {
        format!("{bytes} bytes")
    }
}
