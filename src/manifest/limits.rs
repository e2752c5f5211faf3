//! Limits on what a YAML file may make the loader do, counted on the YAML
//! parser's own events before the file is loaded.
//!
//! Two kinds of input decide the work rather than the file's size:
//!
//! - Aliases. `*a` stands for the whole node anchored as `&a`, and the
//!   loader materialises it again at every use: a 100 KB file whose 10,000-
//!   item list is aliased 3,000 times becomes 30 million values. Here each
//!   anchored node's expanded size is known when the node ends, so the
//!   expanded size of the whole document is counted without expanding
//!   anything, and a document that would materialise more nodes than the
//!   text could hold without aliases is refused.
//! - Flow nesting. The parser keeps a stack of possible keys per flow
//!   level and looks at all of it at every token, so its time grows with
//!   the square of the depth (`[[[[...`). Counting on the parser's events,
//!   rather than on the text, is exact: brackets in quoted scalars, comments
//!   and block scalars are not nesting, and the scan stops at the first
//!   level past the limit, so it never pays the quadratic cost itself.
//!
//! The parser is the one the loader uses (libyaml, through the same crate
//! serde_yaml is built on), so both agree on every event. A file the parser
//! rejects passes through here untouched: the loader reports the error.

use libyaml_rs as sys;
use std::collections::HashMap;
use std::mem::MaybeUninit;

/// Deeper nesting than this is refused. Real manifests are a few levels
/// deep; the loader's own recursion stops at 128 as well.
pub const MAX_DEPTH: usize = 128;

/// Nodes a document may expand to, beyond what its text can hold: every
/// node takes at least one byte of text unless an alias repeats it.
const SLACK: u64 = 4096;

/// A limit a file trips.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Tripped {
    /// A collection nested deeper than [`MAX_DEPTH`], starting at `offset`.
    Depth { offset: usize },
    /// The alias at `offset` would bring the document past `budget` nodes.
    Aliases { offset: usize, budget: u64 },
}

/// Whether the text could trip a limit at all: without `*` there is no
/// alias, and without more than [`MAX_DEPTH`] opening brackets no flow
/// nesting that deep. Block nesting costs the parser nothing more than its
/// indentation, which the text pays for, and the loader refuses it past the
/// same depth.
fn may_trip(text: &str) -> bool {
    let mut brackets = 0usize;
    for b in text.bytes() {
        match b {
            b'*' => return true,
            b'[' | b'{' => brackets += 1,
            _ => {}
        }
    }
    brackets > MAX_DEPTH
}

/// The first limit the text trips, if any.
pub fn check(text: &str) -> Option<Tripped> {
    if !may_trip(text) {
        return None;
    }
    let budget = (text.len() as u64).saturating_mul(2).saturating_add(SLACK);
    let mut parser = Parser::new(text)?;
    let mut depth = 0usize;
    // Open collections: their anchor and expanded size so far.
    let mut open: Vec<(Option<Vec<u8>>, u64)> = Vec::new();
    let mut anchors: HashMap<Vec<u8>, u64> = HashMap::new();
    let mut total: u64 = 0;
    while let Some(event) = parser.next() {
        let size = match event.kind {
            // Anchors belong to their document; the budget to the file.
            Kind::DocumentStart => {
                anchors.clear();
                continue;
            }
            Kind::Start(anchor) => {
                depth += 1;
                if depth > MAX_DEPTH {
                    return Some(Tripped::Depth {
                        offset: event.offset,
                    });
                }
                open.push((anchor, 1));
                total = total.saturating_add(1);
                continue;
            }
            Kind::End => {
                depth = depth.saturating_sub(1);
                let Some((anchor, size)) = open.pop() else {
                    continue;
                };
                if let Some(name) = anchor {
                    anchors.insert(name, size);
                }
                size
            }
            Kind::Scalar(anchor) => {
                total = total.saturating_add(1);
                if let Some(name) = anchor {
                    anchors.insert(name, 1);
                }
                1
            }
            Kind::Alias(name) => {
                // An unknown anchor is the loader's error to report.
                let size = anchors.get(&name).copied().unwrap_or(1);
                total = total.saturating_add(size);
                if total > budget {
                    return Some(Tripped::Aliases {
                        offset: event.offset,
                        budget,
                    });
                }
                size
            }
            Kind::Other => continue,
        };
        if let Some((_, parent)) = open.last_mut() {
            *parent = parent.saturating_add(size);
        }
    }
    None
}

enum Kind {
    DocumentStart,
    /// A sequence or mapping starts, with its anchor.
    Start(Option<Vec<u8>>),
    End,
    Scalar(Option<Vec<u8>>),
    Alias(Vec<u8>),
    Other,
}

struct Event {
    kind: Kind,
    /// Byte offset of the event's start.
    offset: usize,
}

/// libyaml's event parser over a borrowed text.
///
/// Safety: the parser state lives in a `Box` that never moves, is
/// initialised before any other call, and is deleted exactly once in
/// `Drop`. The input pointer stays valid because the parser borrows the
/// text for its whole life. Each event is read, copied out, and deleted
/// before the next call; anchors are NUL-terminated strings owned by the
/// event.
struct Parser<'t> {
    state: Box<MaybeUninit<sys::yaml_parser_t>>,
    failed: bool,
    _text: std::marker::PhantomData<&'t str>,
}

impl<'t> Parser<'t> {
    fn new(text: &'t str) -> Option<Parser<'t>> {
        let mut state = Box::new(MaybeUninit::<sys::yaml_parser_t>::uninit());
        let ptr = state.as_mut_ptr();
        // SAFETY: `ptr` points to writable memory for a parser; see above.
        unsafe {
            if sys::yaml_parser_initialize(ptr).fail {
                return None;
            }
            sys::yaml_parser_set_encoding(ptr, sys::YAML_UTF8_ENCODING);
            sys::yaml_parser_set_input_string(ptr, text.as_ptr(), text.len() as u64);
        }
        Some(Parser {
            state,
            failed: false,
            _text: std::marker::PhantomData,
        })
    }

    /// The next event; `None` at the end of the stream or at a syntax error.
    fn next(&mut self) -> Option<Event> {
        if self.failed {
            return None;
        }
        let mut raw = MaybeUninit::<sys::yaml_event_t>::uninit();
        let ptr = self.state.as_mut_ptr();
        // SAFETY: the parser is initialised (see `new`); `raw` is written by
        // `yaml_parser_parse` when it succeeds, and deleted once read.
        unsafe {
            if sys::yaml_parser_parse(ptr, raw.as_mut_ptr()).fail {
                self.failed = true;
                return None;
            }
            let event = raw.as_mut_ptr();
            let offset = usize::try_from((*event).start_mark.index).unwrap_or(usize::MAX);
            let kind = match (*event).type_ {
                sys::YAML_STREAM_END_EVENT => {
                    sys::yaml_event_delete(event);
                    self.failed = true;
                    return None;
                }
                sys::YAML_DOCUMENT_START_EVENT => Kind::DocumentStart,
                sys::YAML_SEQUENCE_START_EVENT => {
                    Kind::Start(c_bytes((*event).data.sequence_start.anchor))
                }
                sys::YAML_MAPPING_START_EVENT => {
                    Kind::Start(c_bytes((*event).data.mapping_start.anchor))
                }
                sys::YAML_SEQUENCE_END_EVENT | sys::YAML_MAPPING_END_EVENT => Kind::End,
                sys::YAML_SCALAR_EVENT => Kind::Scalar(c_bytes((*event).data.scalar.anchor)),
                sys::YAML_ALIAS_EVENT => {
                    Kind::Alias(c_bytes((*event).data.alias.anchor).unwrap_or_default())
                }
                _ => Kind::Other,
            };
            sys::yaml_event_delete(event);
            Some(Event { kind, offset })
        }
    }
}

/// Copies a NUL-terminated string owned by an event; `None` for null.
///
/// # Safety
/// `ptr` is null or points to a NUL-terminated string.
unsafe fn c_bytes(ptr: *const u8) -> Option<Vec<u8>> {
    if ptr.is_null() {
        return None;
    }
    // SAFETY: non-null and NUL-terminated, as the caller promises.
    let s = unsafe { std::ffi::CStr::from_ptr(ptr.cast()) };
    Some(s.to_bytes().to_vec())
}

impl Drop for Parser<'_> {
    fn drop(&mut self) {
        // SAFETY: initialised in `new` (a parser is only built when that
        // succeeded) and deleted only here.
        unsafe { sys::yaml_parser_delete(self.state.as_mut_ptr()) }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bomb(items: usize, uses: usize) -> String {
        let mut text = String::from("schema: partnership/v1\nbig: &b [");
        text.push_str(&vec!["x"; items].join(","));
        text.push_str("]\nuses:\n");
        for _ in 0..uses {
            text.push_str("  - *b\n");
        }
        text
    }

    #[test]
    fn an_alias_repeated_past_the_budget_is_refused_at_the_alias() {
        let text = bomb(10_000, 3_000);
        let Some(Tripped::Aliases { offset, .. }) = check(&text) else {
            panic!("not refused");
        };
        assert_eq!(text.get(offset..offset + 2), Some("*b"));
    }

    #[test]
    fn a_few_reused_anchors_are_fine() {
        assert_eq!(check(&bomb(10, 50)), None);
        assert_eq!(check("a: &x {b: 1}\nc: *x\nd: *x\n"), None);
    }

    #[test]
    fn nested_aliases_are_counted_expanded() {
        // Each level doubles: 2^40 nodes from a few hundred bytes.
        let mut text = String::from("a0: &a0 [x, x]\n");
        for i in 1..40 {
            text.push_str(&format!("a{i}: &a{i} [*a{}, *a{}]\n", i - 1, i - 1));
        }
        assert!(matches!(check(&text), Some(Tripped::Aliases { .. })));
    }

    #[test]
    fn the_budget_is_the_file_s_not_each_document_s() {
        let mut text = String::from("a: 1\n");
        let doc = format!("---\nk: &a [{}]\n", vec!["x"; 400].join(","));
        for _ in 0..40 {
            text.push_str(&doc);
            text.push_str(&"? *a\n".repeat(400));
        }
        assert!(matches!(check(&text), Some(Tripped::Aliases { .. })));
    }

    #[test]
    fn depth_is_counted_on_events_not_on_brackets_in_strings() {
        let deep = format!("a: {}{}", "[".repeat(200), "]".repeat(200));
        let Some(Tripped::Depth { offset }) = check(&deep) else {
            panic!("not refused");
        };
        // `a:` opens a mapping: the 128th bracket is level 129.
        assert_eq!(offset, 3 + 127);
        let quoted = format!("q: \"\\\\\"\nr: '{}'\n", "[".repeat(300));
        assert_eq!(check(&quoted), None);
        let single = format!("q: 'it''s {}'\n", "[[".repeat(300));
        assert_eq!(check(&single), None);
    }

    #[test]
    fn deep_nesting_after_a_tricky_quote_is_still_refused() {
        let text = format!("q: \"\\\\\"\nr: {}\n", "[".repeat(200_000));
        assert!(matches!(check(&text), Some(Tripped::Depth { .. })));
    }
}
