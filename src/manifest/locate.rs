//! From a path in a manifest to the bytes to underline.

use super::load::At;
use super::path::Path;
use super::spans::SpanIndex;
use std::ops::Range;

/// The span index of a manifest. Tabs become spaces first: the span parser
/// rejects a tab after `key:` where the loader accepts it, and a space has
/// the same width, so every offset stays true.
pub fn span_index(text: &str) -> SpanIndex {
    if text.contains('\t') {
        SpanIndex::build(&text.replace('\t', " "))
    } else {
        SpanIndex::build(text)
    }
}

/// Where to point for a path. A value that spans several lines (a mapping
/// or a list) is pointed at by its key, or by its first line.
pub fn locate(index: &SpanIndex, text: &str, path: &Path, at: At) -> Option<Range<usize>> {
    let segs = path.segs();
    let first_line = |range: Range<usize>| {
        let line_end = text
            .get(range.start..)
            .and_then(|t| t.find('\n'))
            .map_or(range.end, |i| range.start + i);
        range.start..line_end.min(range.end)
    };
    let found = match at {
        At::Key => index
            .keys(segs)
            .first()
            .cloned()
            .or_else(|| index.value(segs).map(first_line)),
        At::KeyOccurrence(n) => index
            .keys(segs)
            .get(n)
            .cloned()
            .or_else(|| index.keys(segs).first().cloned()),
        At::Value => {
            let Some(value) = index.value(segs) else {
                return path.parent().and_then(|p| locate(index, text, &p, At::Key));
            };
            let multi_line = text.get(value.clone()).is_some_and(|t| t.contains('\n'));
            match (multi_line, index.keys(segs).first()) {
                (false, _) => Some(value),
                (true, Some(key)) => Some(key.clone()),
                (true, None) => Some(first_line(value)),
            }
        }
    };
    found.or_else(|| path.parent().and_then(|p| locate(index, text, &p, At::Key)))
}
