//! One pass over a YAML text: saphyr-parser's events (YAML 1.2), each with
//! the byte range a label should underline, aliases expanded within a
//! budget, and the limits on nesting and documents counted as the events
//! come. The loader builds values from these events and nothing else reads
//! the text as YAML, so values and positions cannot disagree.
//!
//! saphyr reports positions as character indices; ranges here are byte
//! offsets into the text. Its spans also need adjusting to label well:
//!
//! - a block scalar (`|`, `>`) token starts at its first content line, not
//!   at the indicator, and ends after the trailing blank lines;
//! - the start event of a block collection carries an empty span at its
//!   first entry (or, for a sequence written at the same indentation as its
//!   parent key, just after the first `- `), and its end event sits at the
//!   next token, after any blank lines and comments;
//! - a node's span includes its anchor and tag, when it has them.
//!
//! So a block collection ends where its last entry ends, a block scalar
//! starts at its indicator, and properties are stepped over.
//!
//! Aliases are expanded here: the events of an anchored node are kept, and
//! an alias replays them with the alias's own range, so the loader sees the
//! value where it is used. Keeping and replaying events both draw on one
//! budget per file, proportional to its size, so a "billion laughs" file is
//! refused at the alias that would exceed it.

use saphyr_parser::{Event, Marker, Parser, ScalarStyle, ScanError, Span, StrInput, Tag};
use std::borrow::Cow;
use std::collections::HashMap;
use std::ops::Range;

/// Collections nested deeper than this are refused. Manifests are a few
/// levels deep; the limit bounds the parser's work on hostile input.
pub const MAX_DEPTH: usize = 128;

/// Documents in one file past this are refused.
pub const MAX_DOCUMENTS: usize = 10_000;

/// Events that aliases may add beyond twice the text's size.
const SLACK: u64 = 4096;

/// How a scalar was written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Style {
    /// Unquoted: its type is resolved from its text.
    Plain,
    /// Single- or double-quoted: always a string.
    Quoted,
    /// A literal (`|`) or folded (`>`) block: always a string.
    Block,
}

/// One event, as the loader sees it.
#[derive(Debug, Clone)]
pub enum Node<'t> {
    DocumentStart,
    DocumentEnd,
    Scalar {
        text: Cow<'t, str>,
        style: Style,
        tag: Option<Cow<'t, Tag>>,
    },
    SequenceStart {
        tag: Option<Cow<'t, Tag>>,
    },
    /// The range of a collection's end is the whole collection.
    SequenceEnd,
    MappingStart {
        tag: Option<Cow<'t, Tag>>,
    },
    MappingEnd,
    StreamEnd,
}

#[derive(Debug, Clone)]
pub struct Item<'t> {
    pub node: Node<'t>,
    /// Bytes to underline: a scalar's text (with its quotes or block
    /// indicator), a collection's start (for a start event) or its whole
    /// extent (for an end event), a document's `---`.
    pub range: Range<usize>,
}

/// Why the text cannot be read as YAML, or may not be.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct YamlError {
    pub message: String,
    pub range: Range<usize>,
    pub help: Option<String>,
}

/// The name of a tag as written (`!!binary`, `!custom`, `!<tag:...>`).
pub fn tag_name(tag: &Tag) -> String {
    if tag.is_yaml_core_schema() {
        format!("!!{}", tag.suffix)
    } else if tag.handle.is_empty() && tag.suffix != "!" {
        // A verbatim tag.
        format!("!<{}>", tag.suffix)
    } else if tag.handle.is_empty() {
        tag.suffix.clone()
    } else {
        format!("{}{}", tag.handle, tag.suffix)
    }
}

/// A core-schema tag's name (`str`, `int`, ...), written as `!!str` or in
/// full (`!<tag:yaml.org,2002:str>`), or `None` for any other.
pub fn core_tag(tag: &Tag) -> Option<&str> {
    if tag.is_yaml_core_schema() {
        return Some(tag.suffix.as_str());
    }
    if tag.handle.is_empty() {
        return tag.suffix.strip_prefix("tag:yaml.org,2002:");
    }
    None
}

/// The non-specific tag `!`, which only makes a plain scalar a string.
pub fn is_non_specific(tag: &Tag) -> bool {
    tag.handle.is_empty() && tag.suffix == "!"
}

/// The ranges of the quoted scalars of a text (between and including their
/// quotes), and with `blocks` of its block scalars, as far as it reads as
/// YAML, in the order of the text.
pub fn quoted_ranges(text: &str, blocks: bool) -> Vec<Range<usize>> {
    let mut r = Reader::new(text);
    let mut out = Vec::new();
    while let Ok(item) = r.next_item() {
        match item.node {
            Node::StreamEnd => break,
            Node::Scalar {
                style: Style::Quoted,
                ..
            } => out.push(item.range),
            Node::Scalar {
                style: Style::Block,
                ..
            } if blocks => out.push(item.range),
            _ => {}
        }
    }
    out.sort_by_key(|r| r.start);
    out
}

/// An open collection of the parser's own events.
struct Frame {
    mapping: bool,
    /// In a mapping: the next node is a key.
    expecting_key: bool,
    flow: bool,
    /// Where the collection's content starts.
    start: usize,
    /// The furthest byte of anything read inside it so far.
    content_end: usize,
}

/// An anchored node being read: where its events start in the log, and
/// how many collections were open in the log before it.
struct Recording {
    anchor: usize,
    start: usize,
    depth: usize,
}

/// A kept event: an item, or an alias to expand when replayed.
#[derive(Clone)]
enum Pending<'t> {
    Item(Item<'t>),
    Alias(usize),
}

/// An alias being expanded: the anchored node's events, with the alias's
/// range.
struct Replay {
    next: usize,
    end: usize,
    at: Range<usize>,
}

pub struct Reader<'t> {
    text: &'t str,
    parser: Parser<'t, StrInput<'t>>,
    conv: CharToByte<'t>,
    /// End of the last event read: where to look for a block scalar's
    /// indicator.
    last_end: usize,
    frames: Vec<Frame>,
    /// The events read while an anchor was open, each kept once however
    /// many anchors enclose it; an anchor is a range of them.
    log: Vec<Pending<'t>>,
    log_depth: usize,
    anchors: HashMap<usize, Range<usize>>,
    recording: Vec<Recording>,
    replay: Vec<Replay>,
    /// Events kept and replayed for aliases, and how many may be.
    spent: u64,
    budget: u64,
    /// Collections open, counting those of expanded aliases.
    depth: usize,
    documents: usize,
    done: bool,
}

impl<'t> Reader<'t> {
    pub fn new(text: &'t str) -> Reader<'t> {
        Reader {
            text,
            parser: Parser::new_from_str(text),
            conv: CharToByte::new(text),
            last_end: 0,
            frames: Vec::new(),
            log: Vec::new(),
            log_depth: 0,
            anchors: HashMap::new(),
            recording: Vec::new(),
            replay: Vec::new(),
            spent: 0,
            budget: (text.len() as u64).saturating_mul(2).saturating_add(SLACK),
            depth: 0,
            documents: 0,
            done: false,
        }
    }

    pub fn text(&self) -> &'t str {
        self.text
    }

    /// The next event. After an error or the end of the stream, every
    /// call gives the end of the stream again.
    pub fn next_item(&mut self) -> Result<Item<'t>, YamlError> {
        loop {
            if let Some(item) = self.next_replayed()? {
                return self.deliver(item);
            }
            if self.done {
                return Ok(Item {
                    node: Node::StreamEnd,
                    range: self.text.len()..self.text.len(),
                });
            }
            match self.parser.next_event() {
                None => self.done = true,
                Some(Err(e)) => {
                    self.done = true;
                    return Err(self.scan_error(&e));
                }
                Some(Ok((event, span))) => {
                    if let Some(item) = self.event(event, span)? {
                        return self.deliver(item);
                    }
                }
            }
        }
    }

    /// Counts nesting on every event handed out, expanded aliases included.
    fn deliver(&mut self, item: Item<'t>) -> Result<Item<'t>, YamlError> {
        match item.node {
            Node::SequenceStart { .. } | Node::MappingStart { .. } => {
                self.depth += 1;
                if self.depth > MAX_DEPTH {
                    self.done = true;
                    self.replay.clear();
                    return Err(YamlError {
                        message: format!("nesting deeper than {MAX_DEPTH} levels"),
                        range: item.range.start..item.range.start + 1,
                        help: Some("a manifest is a few levels deep; this looks like generated or hostile input".into()),
                    });
                }
            }
            Node::SequenceEnd | Node::MappingEnd => self.depth = self.depth.saturating_sub(1),
            _ => {}
        }
        Ok(item)
    }

    /// The next event of the innermost alias being expanded, if any.
    fn next_replayed(&mut self) -> Result<Option<Item<'t>>, YamlError> {
        loop {
            let Some(top) = self.replay.last_mut() else {
                return Ok(None);
            };
            if top.next >= top.end {
                self.replay.pop();
                continue;
            }
            let Some(pending) = self.log.get(top.next).cloned() else {
                self.replay.pop();
                continue;
            };
            top.next += 1;
            let at = top.at.clone();
            self.spend(1, &at)?;
            match pending {
                Pending::Item(mut item) => {
                    item.range = at;
                    return Ok(Some(item));
                }
                Pending::Alias(anchor) => self.expand(anchor, at)?,
            }
        }
    }

    /// Starts replaying the node anchored as `anchor` at `at`.
    fn expand(&mut self, anchor: usize, at: Range<usize>) -> Result<(), YamlError> {
        let Some(events) = self.anchors.get(&anchor).cloned() else {
            // saphyr refuses an unknown alias itself; an alias to a node
            // still being read (inside itself), or to one of an earlier
            // document, is refused here.
            self.done = true;
            let inside = self.recording.iter().any(|r| r.anchor == anchor);
            let message = if inside {
                "an alias refers to the node that contains it"
            } else {
                "an alias refers to an anchor of an earlier document: anchors belong to their document"
            };
            return Err(YamlError {
                message: message.into(),
                range: at,
                help: Some("write the value out".into()),
            });
        };
        self.replay.push(Replay {
            next: events.start,
            end: events.end,
            at,
        });
        Ok(())
    }

    fn spend(&mut self, events: u64, at: &Range<usize>) -> Result<(), YamlError> {
        self.spent = self.spent.saturating_add(events);
        if self.spent > self.budget {
            self.done = true;
            self.replay.clear();
            return Err(YamlError {
                message: format!(
                    "aliases expand this file past {} values, more than its size allows",
                    self.budget
                ),
                range: at.clone(),
                help: Some("write the repeated values out, or anchor smaller parts: a manifest should read the same to a reviewer as to proviso".into()),
            });
        }
        Ok(())
    }

    /// Turns one parser event into an item; `None` for events the loader
    /// does not see (the stream's start, an alias about to be expanded).
    fn event(&mut self, event: Event<'t>, span: Span) -> Result<Option<Item<'t>>, YamlError> {
        let (node, range, anchor) = match event {
            Event::StreamStart | Event::Nothing => return Ok(None),
            Event::StreamEnd => {
                self.done = true;
                return Ok(Some(Item {
                    node: Node::StreamEnd,
                    range: self.text.len()..self.text.len(),
                }));
            }
            Event::DocumentStart(explicit) => {
                self.documents += 1;
                self.anchors.clear();
                self.log.clear();
                let start = self.conv.byte(span.start);
                let end = if explicit {
                    self.conv.byte(span.end)
                } else {
                    start
                };
                // An implicit start carries the span of the document's
                // first token, which for a block scalar is its content.
                if explicit {
                    self.last_end = end;
                }
                if self.documents > MAX_DOCUMENTS {
                    self.done = true;
                    return Err(YamlError {
                        message: format!("more than {MAX_DOCUMENTS} YAML documents in one file"),
                        range: start..end,
                        help: Some("split the file".into()),
                    });
                }
                (Node::DocumentStart, start..end, 0)
            }
            Event::DocumentEnd => {
                let at = self.conv.byte(span.start);
                (Node::DocumentEnd, at..at, 0)
            }
            Event::Alias(anchor) => {
                let range = self.conv.byte(span.start)..self.conv.byte(span.end);
                self.last_end = range.end;
                self.node_read(range.end);
                self.keep(&Pending::Alias(anchor), &range)?;
                self.spend(1, &range)?;
                self.expand(anchor, range)?;
                return Ok(None);
            }
            Event::Scalar(text, style, anchor, tag) => {
                let range = self.scalar_range(&text, style, anchor > 0 || tag.is_some(), span);
                self.node_read(range.end);
                let style = match style {
                    ScalarStyle::Plain => Style::Plain,
                    ScalarStyle::SingleQuoted | ScalarStyle::DoubleQuoted => Style::Quoted,
                    _ => Style::Block,
                };
                (Node::Scalar { text, style, tag }, range, anchor)
            }
            Event::SequenceStart(anchor, tag) => {
                let start = self.open(span, anchor > 0 || tag.is_some(), false);
                (Node::SequenceStart { tag }, start..start, anchor)
            }
            Event::MappingStart(anchor, tag) => {
                let start = self.open(span, anchor > 0 || tag.is_some(), true);
                (Node::MappingStart { tag }, start..start, anchor)
            }
            Event::SequenceEnd | Event::MappingEnd => {
                let range = self.close(span);
                let node = if matches!(event, Event::SequenceEnd) {
                    Node::SequenceEnd
                } else {
                    Node::MappingEnd
                };
                (node, range, 0)
            }
        };
        let item = Item { node, range };
        if anchor > 0 {
            self.recording.push(Recording {
                anchor,
                start: self.log.len(),
                depth: self.log_depth,
            });
        }
        if !self.recording.is_empty() {
            self.keep(&Pending::Item(item.clone()), &item.range)?;
        }
        Ok(Some(item))
    }

    /// Adds an event to the log while an anchored node is being read, and
    /// stores the anchors it completes.
    fn keep(&mut self, pending: &Pending<'t>, at: &Range<usize>) -> Result<(), YamlError> {
        if self.recording.is_empty() {
            return Ok(());
        }
        self.spend(1, at)?;
        match pending {
            Pending::Item(Item {
                node: Node::SequenceStart { .. } | Node::MappingStart { .. },
                ..
            }) => self.log_depth += 1,
            Pending::Item(Item {
                node: Node::SequenceEnd | Node::MappingEnd,
                ..
            }) => self.log_depth = self.log_depth.saturating_sub(1),
            _ => {}
        }
        self.log.push(pending.clone());
        while let Some(rec) = self.recording.last() {
            if rec.depth != self.log_depth {
                break;
            }
            if let Some(rec) = self.recording.pop() {
                self.anchors.insert(rec.anchor, rec.start..self.log.len());
            }
        }
        Ok(())
    }

    /// A node (scalar, alias or collection) was read inside the innermost
    /// collection: the next node of a mapping is the other of key and value.
    fn node_read(&mut self, end: usize) {
        if let Some(frame) = self.frames.last_mut() {
            frame.content_end = frame.content_end.max(end);
            if frame.mapping {
                frame.expecting_key = !frame.expecting_key;
            }
        }
    }

    fn scalar_range(
        &mut self,
        text: &str,
        style: ScalarStyle,
        props: bool,
        span: Span,
    ) -> Range<usize> {
        let start = self.conv.byte(span.start);
        let end = self.conv.byte(span.end);
        let range = if text.is_empty() && style == ScalarStyle::Plain && !props {
            // An empty node (`key:` with nothing after it) borrows the span
            // of a neighbouring token: it has no text of its own.
            start..start
        } else if matches!(style, ScalarStyle::Literal | ScalarStyle::Folded) {
            self.block_scalar_range(start, end, props)
        } else {
            let start = if props {
                self.skip_properties(start, end)
            } else {
                start
            };
            let end = match style {
                ScalarStyle::SingleQuoted | ScalarStyle::DoubleQuoted => {
                    closing_quote(self.text, start, end)
                }
                _ => end,
            };
            start..trim_end(self.text, start, end)
        };
        self.last_end = end;
        range
    }

    /// Opens a collection; returns where its content starts.
    fn open(&mut self, span: Span, props: bool, mapping: bool) -> usize {
        let span_start = self.conv.byte(span.start);
        let span_end = self.conv.byte(span.end);
        self.last_end = span_end;
        // A value of a block mapping, where a sequence may sit at the same
        // indentation as its key.
        let block_mapping_value = matches!(
            self.frames.last(),
            Some(Frame {
                mapping: true,
                expecting_key: false,
                flow: false,
                ..
            })
        );
        // A flow collection's span holds its bracket, after any anchor or
        // tag (which cannot hold one) and before any blanks.
        let bracket = self
            .text
            .as_bytes()
            .get(span_start..span_end)
            .and_then(|span| span.iter().rposition(|b| matches!(b, b'[' | b'{')));
        let flow = bracket.is_some();
        let start = if let Some(at) = bracket {
            span_start + at
        } else if span_end > span_start && props {
            // Block collection tokens are empty and sit at the first entry;
            // the span only reaches back to cover the properties.
            span_end
        } else {
            span_start
        };
        let start = if !mapping && !flow && block_mapping_value {
            indentless_dash(self.text, start)
        } else {
            start
        };
        self.node_read(start);
        self.frames.push(Frame {
            mapping,
            expecting_key: true,
            flow,
            start,
            content_end: start,
        });
        start
    }

    /// Closes the innermost collection; returns its whole range.
    fn close(&mut self, span: Span) -> Range<usize> {
        let start = self.conv.byte(span.start);
        let end = self.conv.byte(span.end);
        self.last_end = end;
        let Some(frame) = self.frames.pop() else {
            return start..end;
        };
        // The closing bracket of a flow collection; a block collection's
        // end event lies at the next token, past blank lines and comments.
        let end = if frame.flow {
            closing_bracket(self.text, start).unwrap_or(end)
        } else {
            frame.content_end
        };
        let end = trim_end(self.text, frame.start, end.max(frame.start));
        if let Some(parent) = self.frames.last_mut() {
            parent.content_end = parent.content_end.max(end);
        }
        frame.start..end
    }

    /// The range of a block scalar: saphyr's token begins at the first
    /// content line, so look for the `|`/`>` indicator between the previous
    /// event and the content. Only separators, comments, properties and
    /// indicators (`:`, `-`, `?`, `---`) can lie in between, and none of
    /// them looks like an indicator word.
    fn block_scalar_range(&self, start: usize, end: usize, props: bool) -> Range<usize> {
        let from = self.last_end.min(start);
        let start = match find_block_indicator(self.text, from, end) {
            Some(indicator) => indicator,
            None if props => self.skip_properties(start, end),
            None => start,
        };
        start..trim_end(self.text, start, end)
    }

    /// Steps over anchors, tags and comments at the start of a node's span,
    /// to where its content begins. Returns `start` if nothing is left.
    fn skip_properties(&self, start: usize, end: usize) -> usize {
        let bytes = self.text.as_bytes();
        let mut i = start;
        while i < end {
            let Some(&c) = bytes.get(i) else {
                break;
            };
            if c.is_ascii_whitespace() {
                i += 1;
            } else if c == b'#' {
                i = line_end(bytes, i);
            } else if c == b'&' || c == b'!' {
                let verbatim = c == b'!' && bytes.get(i + 1) == Some(&b'<');
                i += 1;
                while let Some(&c) = bytes.get(i) {
                    let done = if verbatim {
                        c == b'>' || c.is_ascii_whitespace()
                    } else {
                        c.is_ascii_whitespace() || matches!(c, b',' | b'[' | b']' | b'{' | b'}')
                    };
                    if done {
                        if verbatim && c == b'>' {
                            i += 1;
                        }
                        break;
                    }
                    i += 1;
                }
            } else {
                return i;
            }
        }
        start
    }

    fn scan_error(&mut self, e: &ScanError) -> YamlError {
        let mut at = self.conv.byte(*e.marker()).min(self.text.len());
        let info = e.info();
        if info.contains("indentation in quoted scalar") {
            // saphyr points at the opening quote; the line at fault is the
            // first one indented no further than the line it opens on.
            at = underindented_line(self.text, at).unwrap_or(at);
        }
        if info.contains("recursion limit") {
            // saphyr's own limit, met while it looks ahead over flow
            // collections, lies past ours.
            return YamlError {
                message: format!("nesting deeper than {MAX_DEPTH} levels"),
                range: at..at + 1,
                help: Some(
                    "a manifest is a few levels deep; this looks like generated or hostile input"
                        .into(),
                ),
            };
        }
        let open_flow = self.frames.iter().rev().find(|f| f.flow).map(|f| f.start);
        let help = match open_flow {
            _ if info.contains("indent") => Some(
                "a list or mapping in brackets, or quoted text, that goes on over several lines is indented further than its key on every line, closing bracket and quote included".into(),
            ),
            Some(start) => {
                let open = self.text.get(start..).and_then(|t| t.chars().next()).unwrap_or('[');
                let close = if open == '{' { '}' } else { ']' };
                let line = self
                    .text
                    .get(..start)
                    .map_or(0, |t| t.bytes().filter(|&b| b == b'\n').count())
                    + 1;
                Some(format!(
                    "the `{open}` on line {line} is not closed: end it with `{close}` before this"
                ))
            }
            None if info.contains("tab") => {
                Some("indent with spaces: YAML does not allow tabs for indentation".into())
            }
            None => None,
        };
        let end = self
            .text
            .get(at..)
            .and_then(|t| t.chars().next())
            .filter(|c| *c != '\n')
            .map_or(at, |c| at + c.len_utf8());
        YamlError {
            message: clean_message(info),
            range: at..end,
            help,
        }
    }
}

/// The start of the first non-blank line after the one holding `at` that
/// is indented no further than that line.
fn underindented_line(text: &str, at: usize) -> Option<usize> {
    let indent = |line: &str| line.len() - line.trim_start_matches(' ').len();
    let line_start = text.get(..at)?.rfind('\n').map_or(0, |i| i + 1);
    let first = text.get(line_start..)?.split('\n').next()?;
    let limit = indent(first);
    let mut offset = line_start + first.len() + 1;
    for line in text.get(offset..)?.split('\n') {
        if !line.trim().is_empty() && indent(line) <= limit {
            return Some(offset + indent(line));
        }
        offset += line.len() + 1;
    }
    None
}

/// saphyr's messages, as a sentence fragment without its position.
fn clean_message(info: &str) -> String {
    let msg = match info.find(" at byte ") {
        Some(i) => info.get(..i).unwrap_or(info),
        None => info,
    };
    let msg = msg.trim_end_matches('.').trim();
    let msg = msg.strip_prefix("while parsing ").map_or(msg, |m| m);
    msg.to_string()
}

/// saphyr starts a sequence that is indented like its parent key
/// (`key:\n- a`) after its first `- `; move back onto the dash. The dash
/// must be the first thing on its line, which rules out a `-` ending a
/// comment.
fn indentless_dash(text: &str, start: usize) -> usize {
    let bytes = text.as_bytes();
    let mut i = start;
    while let Some(c) = i.checked_sub(1).and_then(|j| bytes.get(j)) {
        if !c.is_ascii_whitespace() {
            break;
        }
        i -= 1;
    }
    let Some(dash) = i.checked_sub(1) else {
        return start;
    };
    if bytes.get(dash) != Some(&b'-') {
        return start;
    }
    let mut j = dash;
    while let Some(&c) = j.checked_sub(1).and_then(|k| bytes.get(k)) {
        match c {
            b' ' | b'\t' => j -= 1,
            b'\n' | b'\r' => return dash,
            _ => return start,
        }
    }
    dash
}

/// Offset of the line break ending the line that contains `i` (or the end).
fn line_end(bytes: &[u8], i: usize) -> usize {
    let rest = bytes.get(i..).unwrap_or(&[]);
    i + rest
        .iter()
        .position(|&c| c == b'\n' || c == b'\r')
        .unwrap_or(rest.len())
}

/// First whitespace-separated word in `from..to` that is a block scalar
/// header (`|` or `>`, then indentation and chomping indicators), skipping
/// comments.
fn find_block_indicator(text: &str, from: usize, to: usize) -> Option<usize> {
    let bytes = text.as_bytes();
    let mut i = from;
    while i < to {
        let c = *bytes.get(i)?;
        if c.is_ascii_whitespace() {
            i += 1;
            continue;
        }
        if c == b'#' {
            i = line_end(bytes, i);
            continue;
        }
        let word_end = bytes
            .get(i..)?
            .iter()
            .position(u8::is_ascii_whitespace)
            .map_or(bytes.len(), |n| i + n);
        let word = bytes.get(i..word_end)?;
        if let Some((first, rest)) = word.split_first() {
            if matches!(first, b'|' | b'>')
                && rest
                    .iter()
                    .all(|c| c.is_ascii_digit() || matches!(c, b'+' | b'-'))
            {
                return Some(i);
            }
        }
        i = word_end;
    }
    None
}

/// End of the quoted scalar opening at `start`: just past its closing
/// quote. saphyr's token goes on over the blanks and any comment that
/// follow it.
fn closing_quote(text: &str, start: usize, end: usize) -> usize {
    let bytes = text.as_bytes();
    let Some(&quote) = bytes.get(start) else {
        return end;
    };
    if quote != b'"' && quote != b'\'' {
        return end;
    }
    let mut i = start + 1;
    while i < end {
        match bytes.get(i) {
            // `\"` in double quotes and `''` in single quotes do not close.
            Some(b'\\') if quote == b'"' => i += 2,
            Some(b'\'') if quote == b'\'' && bytes.get(i + 1) == Some(&b'\'') => i += 2,
            Some(&c) if c == quote => return i + 1,
            Some(_) => i += 1,
            None => break,
        }
    }
    end
}

/// Just past the `]` or `}` at `from` or after the blanks that follow it:
/// saphyr's end event may start before the blanks in `[ a ]`.
fn closing_bracket(text: &str, from: usize) -> Option<usize> {
    let rest = text.get(from..)?;
    let at = rest.find(|c: char| !matches!(c, ' ' | '\t' | '\n' | '\r'))?;
    matches!(rest.as_bytes().get(at), Some(b']' | b'}')).then_some(from + at + 1)
}

/// Moves `end` back over ASCII whitespace (not before `start`), so a label
/// does not run over the blank lines after a node.
fn trim_end(text: &str, start: usize, end: usize) -> usize {
    let bytes = text.as_bytes();
    let mut end = end.min(bytes.len());
    while end > start && bytes.get(end - 1).is_some_and(u8::is_ascii_whitespace) {
        end -= 1;
    }
    end
}

/// Converts saphyr's character indices to byte offsets.
///
/// Markers arrive almost in document order, so a cursor that walks forward
/// (and, rarely, a short way back) from the last conversion is linear
/// overall and needs no table the size of the file.
struct CharToByte<'a> {
    text: &'a str,
    ascii: bool,
    char_pos: usize,
    byte_pos: usize,
}

impl<'a> CharToByte<'a> {
    fn new(text: &'a str) -> Self {
        CharToByte {
            text,
            ascii: text.is_ascii(),
            char_pos: 0,
            byte_pos: 0,
        }
    }

    /// Byte offset of a marker; past-the-end markers clamp to the length.
    fn byte(&mut self, mark: Marker) -> usize {
        let target = mark.index();
        if self.ascii {
            return target.min(self.text.len());
        }
        if target >= self.char_pos {
            let rest = self.text.get(self.byte_pos..).unwrap_or("");
            for c in rest.chars() {
                if self.char_pos == target {
                    break;
                }
                self.char_pos += 1;
                self.byte_pos += c.len_utf8();
            }
        } else {
            let before = self.text.get(..self.byte_pos).unwrap_or("");
            for c in before.chars().rev() {
                if self.char_pos == target {
                    break;
                }
                self.char_pos -= 1;
                self.byte_pos -= c.len_utf8();
            }
        }
        self.byte_pos
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn events(text: &str) -> Vec<(String, &str)> {
        let mut r = Reader::new(text);
        let mut out = Vec::new();
        loop {
            let item = r.next_item().expect("valid YAML");
            let name = match &item.node {
                Node::StreamEnd => break,
                Node::Scalar { text, .. } => format!("={text}"),
                Node::SequenceStart { .. } => "[".into(),
                Node::SequenceEnd => "]".into(),
                Node::MappingStart { .. } => "{".into(),
                Node::MappingEnd => "}".into(),
                Node::DocumentStart => "---".into(),
                Node::DocumentEnd => "...".into(),
            };
            out.push((name, &text[item.range]));
        }
        out
    }

    /// The first error reading `text`.
    fn first_error(text: &str) -> YamlError {
        let mut r = Reader::new(text);
        loop {
            match r.next_item() {
                Ok(Item {
                    node: Node::StreamEnd,
                    ..
                }) => panic!("no error in {text:?}"),
                Ok(_) => {}
                Err(e) => return e,
            }
        }
    }

    #[test]
    fn ranges_cover_what_a_label_should_underline() {
        let text = "a: 'x y'  # c\nb: |\n  line\n\nc:\n- 1\n- [2, 3]\nd: &k !t v\ne: *k\n";
        let got = events(text);
        let find = |n: &str| got.iter().find(|(e, _)| e == n).map(|(_, r)| *r);
        assert_eq!(find("=x y"), Some("'x y'"));
        assert_eq!(find("=line\n"), Some("|\n  line"));
        assert_eq!(find("=v"), Some("v"));
        // The alias's value is underlined at the alias.
        assert_eq!(
            got.iter()
                .filter(|(e, _)| e == "=v")
                .nth(1)
                .map(|(_, r)| *r),
            Some("*k")
        );
        // The indentless list starts at its dash and ends at its last item.
        let seqs: Vec<&str> = got
            .iter()
            .filter(|(e, _)| e == "]")
            .map(|(_, r)| *r)
            .collect();
        assert_eq!(seqs, vec!["[2, 3]", "- 1\n- [2, 3]"]);
        let spaced = events("a: [ x , y ]\nb: { k: 1 }\n");
        let closes: Vec<&str> = spaced
            .iter()
            .filter(|(e, _)| e == "]" || e == "}")
            .map(|(_, r)| *r)
            .collect();
        assert_eq!(
            closes,
            vec!["[ x , y ]", "{ k: 1 }", "a: [ x , y ]\nb: { k: 1 }"]
        );
    }

    #[test]
    fn non_ascii_text_gives_byte_ranges() {
        let got = events("name: Zoë\nkind: médias\n");
        assert!(got.contains(&("=médias".to_string(), "médias")));
    }

    #[test]
    fn aliases_are_expanded_within_a_budget() {
        let mut text = String::from("a: &a [x, x, x, x, x, x, x, x, x, x]\n");
        for i in 0..12 {
            let prev = if i == 0 {
                "a".to_string()
            } else {
                format!("l{}", i - 1)
            };
            text.push_str(&format!(
                "l{i}: &l{i} [*{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}]\n"
            ));
        }
        let err = first_error(&text);
        assert!(err.message.contains("aliases expand"), "{err:?}");
        assert!(text[err.range].starts_with('*'));
    }

    #[test]
    fn nesting_is_refused_past_the_limit_at_once() {
        let text = format!("q: \"\\\\\"\nx: {}", "[".repeat(200_000));
        let err = first_error(&text);
        assert!(err.message.contains("nesting deeper"), "{err:?}");
        // Found within the first few hundred brackets, not at the end.
        assert!(
            err.range.start > 10 + MAX_DEPTH && err.range.start < 1000,
            "{err:?}"
        );
        let block: String = (0..200).map(|i| format!("{}k:\n", " ".repeat(i))).collect();
        let err = first_error(&block);
        assert!(err.message.contains("nesting deeper"), "{err:?}");
        assert_eq!(&block[err.range], "k");
    }

    #[test]
    fn core_tags_are_known_written_short_or_verbatim() {
        let tag = |handle: &str, suffix: &str| Tag {
            handle: handle.into(),
            suffix: suffix.into(),
        };
        let short = tag("tag:yaml.org,2002:", "str");
        let verbatim = tag("", "tag:yaml.org,2002:str");
        let custom = tag("!", "custom");
        let other = tag("", "tag:example.com,2000:x");
        assert_eq!(core_tag(&short), Some("str"));
        assert_eq!(core_tag(&verbatim), Some("str"));
        assert_eq!(core_tag(&custom), None);
        assert_eq!(core_tag(&other), None);
        assert_eq!(tag_name(&short), "!!str");
        assert_eq!(tag_name(&custom), "!custom");
        assert_eq!(tag_name(&other), "!<tag:example.com,2000:x>");
        assert!(is_non_specific(&tag("", "!")));
    }

    #[test]
    fn nested_anchors_without_aliases_cost_each_event_once() {
        let mut text = String::from("a: ");
        for i in 0..20 {
            text.push_str(&format!("&a{i} ["));
        }
        text.push_str(&vec!["y"; 2000].join(", "));
        text.push_str(&"]".repeat(20));
        text.push('\n');
        let mut r = Reader::new(&text);
        loop {
            match r.next_item() {
                Ok(Item {
                    node: Node::StreamEnd,
                    ..
                }) => break,
                Ok(_) => {}
                Err(e) => panic!("{e:?}"),
            }
        }
        // And a nested anchor replays its own events only.
        let got = events("a: &o [&i [x], y]\nb: *i\nc: *o\n");
        let names: Vec<&str> = got.iter().map(|(e, _)| e.as_str()).collect();
        assert_eq!(
            names,
            vec![
                "---", "{", "=a", "[", "[", "=x", "]", "=y", "]", "=b", "[", "=x", "]", "=c", "[",
                "[", "=x", "]", "=y", "]", "}", "..."
            ]
        );
    }

    #[test]
    fn an_alias_to_an_earlier_document_says_so() {
        let err = first_error("a: &x 1\n---\nb: *x\n");
        assert!(err.message.contains("earlier document"), "{err:?}");
    }

    #[test]
    fn an_alias_inside_its_own_anchor_is_refused() {
        let mut r = Reader::new("a: &x [1, *x]\n");
        let mut saw_error = false;
        for _ in 0..20 {
            match r.next_item() {
                Err(_) => saw_error = true,
                Ok(Item {
                    node: Node::StreamEnd,
                    ..
                }) => break,
                Ok(_) => {}
            }
        }
        assert!(saw_error);
    }
}
