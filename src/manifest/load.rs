//! YAML text to schema-typed values, validating as it goes, in one pass
//! over the parser's events (see `yaml`).
//!
//! The declared types drive the walk: no generic YAML tree is built first.
//! Each value's place in the text is recorded as the value is built (see
//! `spans`), so a finding about `/grants/0/consent` underlines what the
//! loader read, never a second parser's idea of it. Validation problems do
//! not stop the walk; each is recorded with its path and place, so one run
//! reports all of a file's problems.

use super::path::Path;
use super::spans::{anchor, first_line, Mark, SpanNode, Spans};
use super::yaml::{core_tag, is_non_specific, tag_name, Item, Node, Reader, Style, YamlError};
use crate::date::{parse_duration, Date};
use crate::diagnostics::Suggestion;
use crate::schema::{FieldRules, RecordId, Ty, Types};
use crate::suggest::did_you_mean;
use crate::value::Value;
use saphyr_parser::Tag;
use std::borrow::Cow;
use std::collections::HashMap;
use std::ops::Range;

/// Where a loader issue points: a range as it is, or a value, pointed at
/// by [`anchor`] (itself on one line, else its key or first line). The
/// latter is worked out only when an issue is recorded, not for every
/// value read.
#[derive(Debug, Clone)]
enum At {
    Exact(Range<usize>),
    Value {
        key: Option<Range<usize>>,
        value: Range<usize>,
    },
}

impl At {
    /// The text a fix replaces: the value itself, even where a finding
    /// about a value written over several lines is shown at its key.
    fn written(&self) -> Range<usize> {
        match self {
            At::Exact(range) => range.clone(),
            At::Value { value, .. } => value.clone(),
        }
    }

    fn value(key: Option<&Range<usize>>, value: &Range<usize>) -> At {
        At::Value {
            key: key.cloned(),
            value: value.clone(),
        }
    }
}

impl From<Range<usize>> for At {
    fn from(range: Range<usize>) -> At {
        At::Exact(range)
    }
}

/// One way a manifest does not match its schema.
#[derive(Debug, Clone)]
pub struct Issue {
    pub path: Path,
    /// What to underline.
    pub range: Option<Range<usize>>,
    pub message: String,
    pub label: String,
    pub help: Option<String>,
    /// Another value that explains the issue (the first of two equal ids),
    /// with its label.
    pub related: Option<(Range<usize>, String)>,
    /// A replacement that fixes the issue.
    pub fix: Option<Suggestion>,
}

/// The outcome of reading one YAML file.
#[derive(Debug)]
pub enum Loaded {
    /// Not a manifest: the first key is not `schema`.
    NotManifest,
    /// A manifest of a loaded schema; `issues` is empty when it is valid.
    Manifest {
        schema: usize,
        value: Value,
        issues: Vec<Issue>,
        spans: Spans,
    },
    /// A manifest whose `schema:` names no loaded schema, or whose first key
    /// is a misspelling of `schema`.
    BadSchema(Issue),
    /// The text is not valid YAML, or trips a limit.
    Syntax(SyntaxError),
}

#[derive(Debug)]
pub struct SyntaxError {
    pub message: String,
    pub range: Option<Range<usize>>,
    pub help: Option<String>,
    /// The file has a document past the one a manifest may have.
    pub later_document: Option<LaterDocument>,
}

/// A YAML document after the first, in a file that is (or holds) a
/// manifest.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LaterDocument {
    /// 0-based index of the document.
    pub index: usize,
    /// Whether that document is itself a manifest (has a `schema:` key
    /// that names a schema).
    pub has_schema: bool,
}

pub fn load(text: &str, types: &Types) -> Loaded {
    let e = match load_text(text, types) {
        Ok(loaded) => return loaded,
        Err(e) => e,
    };
    if !e.message.starts_with("':' must be followed by") {
        return syntax(e);
    }
    // saphyr refuses a tab after a mapping's `:` (`key:<TAB>value`), which
    // YAML 1.2 and libyaml allow. Such tabs are separation, not content:
    // read them as spaces, which have the same width, so every offset stays
    // true. Tabs after a `:` inside quoted or block text are content, and
    // are kept; they are found on the first reading with spaces.
    let mut tabs = tabs_after_colons(text);
    for _ in 0..3 {
        let patched = with_spaces(text, &tabs);
        let quoted = super::yaml::quoted_ranges(&patched, true);
        let before = tabs.len();
        tabs.retain(|&i| !inside(&quoted, i));
        if tabs.len() == before {
            return load_text(&patched, types).unwrap_or_else(syntax);
        }
    }
    syntax(e)
}

/// One reading of the text.
fn load_text(text: &str, types: &Types) -> Res<Loaded> {
    Loader {
        r: Reader::new(text),
        text,
        types,
        issues: Vec::new(),
        spans: Spans::default(),
    }
    .stream()
}

/// The quoted scalars of a text, read as the loader reads it: with the
/// tabs after its keys' colons as spaces.
pub fn quoted_text(text: &str) -> Vec<Range<usize>> {
    let tabs = tabs_after_colons(text);
    if tabs.is_empty() {
        super::yaml::quoted_ranges(text, false)
    } else {
        super::yaml::quoted_ranges(&with_spaces(text, &tabs), false)
    }
}

/// The offsets of the tabs that directly follow a `:` (after any spaces).
fn tabs_after_colons(text: &str) -> Vec<usize> {
    let bytes = text.as_bytes();
    let mut tabs = Vec::new();
    for (colon, _) in text.match_indices(':') {
        let mut i = colon + 1;
        while let Some(&c) = bytes.get(i) {
            match c {
                b'\t' => tabs.push(i),
                b' ' => {}
                _ => break,
            }
            i += 1;
        }
    }
    tabs
}

fn with_spaces(text: &str, tabs: &[usize]) -> String {
    let mut bytes = text.as_bytes().to_vec();
    for &i in tabs {
        if let Some(b) = bytes.get_mut(i) {
            *b = b' ';
        }
    }
    // Only ASCII tabs became ASCII spaces: still UTF-8.
    String::from_utf8(bytes).unwrap_or_else(|_| text.to_string())
}

/// Whether `i` lies in one of `ranges`, sorted by start (they may nest or
/// repeat, as aliases do).
pub fn inside(ranges: &[Range<usize>], i: usize) -> bool {
    let after = ranges.partition_point(|r| r.start <= i);
    ranges
        .get(..after)
        .is_some_and(|before| before.iter().rev().take(64).any(|r| i < r.end))
}

fn syntax(e: YamlError) -> Loaded {
    Loaded::Syntax(SyntaxError {
        message: format!("invalid YAML: {}", e.message),
        range: Some(e.range),
        help: e.help,
        later_document: None,
    })
}

type Res<T> = Result<T, YamlError>;

/// Where a value sits, as a chain of links on the stack. Most values have
/// nothing to report, so a `Path` is built only when an issue is recorded.
#[derive(Clone, Copy)]
enum Link<'a> {
    Root,
    Key(&'a Link<'a>, &'a str),
    Index(&'a Link<'a>, usize),
}

impl Link<'_> {
    fn path(&self) -> Path {
        let mut segs = Vec::new();
        let mut link = self;
        loop {
            match link {
                Link::Root => break,
                Link::Key(parent, key) => {
                    segs.push(super::path::Seg::Key((*key).to_string()));
                    link = parent;
                }
                Link::Index(parent, i) => {
                    segs.push(super::path::Seg::Index(*i));
                    link = parent;
                }
            }
        }
        segs.reverse();
        Path(segs)
    }
}

enum Root {
    NotManifest,
    BadSchema(Issue),
    Manifest(usize, Value, SpanNode),
}

/// What a later document of a file is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Probe {
    /// Nothing (`~`, or an empty document after a trailing `---`).
    Empty,
    /// A mapping with a `schema:` key that names a schema (or hides its
    /// value behind a tag).
    Manifest,
    /// A mapping with a `schema:` key that names no schema of ours.
    ForeignSchema,
    Other,
}

/// A plain scalar's type, resolved by the YAML 1.2 core schema as
/// serde_yaml resolves it.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Resolved {
    Null,
    Bool(bool),
    Int(i128),
    /// An integer past `i128` (but within `u128`).
    Huge(u128),
    Float(f64),
    Str,
}

struct Loader<'t, 'y> {
    r: Reader<'t>,
    text: &'t str,
    types: &'y Types,
    issues: Vec<Issue>,
    spans: Spans,
}

impl<'t> Loader<'t, '_> {
    fn stream(&mut self) -> Res<Loaded> {
        let first = self.r.next_item()?;
        if !matches!(first.node, Node::DocumentStart) {
            return Ok(Loaded::NotManifest);
        }
        let root_item = self.r.next_item()?;
        let root = match root_item.node {
            Node::MappingStart { .. } => self.root(root_item.range.start)?,
            _ => {
                self.skip(root_item)?;
                Root::NotManifest
            }
        };
        // A file holds at most one manifest, in its first document. A
        // manifest in a later document would otherwise never be read:
        // whatever comes first, a later document with `schema:` is
        // reported, never skipped.
        let is_manifest = !matches!(root, Root::NotManifest);
        let mut index = 0;
        loop {
            let item = self.r.next_item()?;
            match item.node {
                Node::StreamEnd => break,
                Node::DocumentStart => {
                    index += 1;
                    let probe = self.probe()?;
                    if probe == Probe::Empty {
                        continue;
                    }
                    if is_manifest || probe == Probe::Manifest {
                        return Ok(Loaded::Syntax(later_document(
                            index,
                            probe == Probe::Manifest,
                            item.range,
                        )));
                    }
                }
                _ => {}
            }
        }
        Ok(match root {
            Root::NotManifest => Loaded::NotManifest,
            Root::BadSchema(issue) => Loaded::BadSchema(issue),
            Root::Manifest(schema, value, node) => Loaded::Manifest {
                schema,
                value,
                issues: std::mem::take(&mut self.issues),
                spans: std::mem::take(&mut self.spans).finish(node),
            },
        })
    }

    /// The root mapping, its `MappingStart` read.
    fn root(&mut self, start: usize) -> Res<Root> {
        let root = Path::root();
        let item = self.r.next_item()?;
        if matches!(item.node, Node::MappingEnd) {
            return Ok(Root::NotManifest);
        }
        let (first, first_range) = self.key(item)?;
        if first != "schema" {
            // A near miss of `schema` is a manifest with a typo, not a file
            // to skip: skipping it would let it drop out of the check.
            let near = near_schema_key(&first);
            self.skip_next()?;
            // A manifest whose `schema:` is not first would otherwise be
            // skipped without a word.
            let mut late_schema = None;
            loop {
                let item = self.r.next_item()?;
                if matches!(item.node, Node::MappingEnd) {
                    break;
                }
                let (key, range) = self.key(item)?;
                if key == "schema" {
                    let value = self.next_scalar_text()?;
                    if value.is_some_and(|(v, _)| claims_schema(self.types, &v)) {
                        late_schema = Some(range);
                    }
                } else {
                    self.skip_next()?;
                }
            }
            if let Some(range) = late_schema {
                return Ok(Root::BadSchema(Issue {
                    fix: None,
                    path: root.key("schema"),
                    range: Some(range),
                    message: "`schema` must be the first key of a manifest".into(),
                    label: "not first".into(),
                    help: Some("move `schema:` to the top of the file".into()),
                    related: None,
                }));
            }
            if near {
                return Ok(Root::BadSchema(Issue {
                    fix: Some(Suggestion::new(first_range.clone(), "schema")),
                    path: root.key(&first),
                    range: Some(first_range),
                    message: format!("unknown key `{first}`, expected `schema` first"),
                    label: "unknown key".into(),
                    help: Some("did you mean `schema`?".into()),
                    related: None,
                }));
            }
            return Ok(Root::NotManifest);
        }
        let schema_path = root.key("schema");
        let value = self.r.next_item()?;
        let value_range = value.range.clone();
        let name = match value.node {
            // A tag can make any text of the value (`!!binary cGFy...`): a
            // tagged `schema:` is a manifest that hides its schema, not
            // another tool's file.
            Node::Scalar { tag: Some(tag), .. }
                if !is_non_specific(&tag) && core_tag(&tag) != Some("str") =>
            {
                self.skip_rest()?;
                let tag = tag_name(&tag);
                return Ok(Root::BadSchema(Issue {
                    fix: None,
                    path: schema_path,
                    range: Some(value_range),
                    message: format!("YAML tags such as `{tag}` have no meaning in a manifest"),
                    label: "tagged".into(),
                    help: Some(format!(
                        "remove `{tag}` and name the schema, such as `partnership/v1`"
                    )),
                    related: None,
                }));
            }
            Node::Scalar { text, style, tag } => {
                let plain = style == Style::Plain && tag.is_none();
                (!plain || resolve_plain(&text) == Resolved::Str).then_some(text)
            }
            _ => {
                self.skip(value)?;
                None
            }
        };
        let Some(name) = name else {
            self.skip_rest()?;
            return Ok(Root::BadSchema(Issue {
                fix: None,
                path: schema_path,
                range: Some(anchor(self.text, Some(first_range), value_range)),
                message: "`schema` must name a schema, such as `partnership/v1`".into(),
                label: "not a schema id".into(),
                help: None,
                related: None,
            }));
        };
        let Some((index, schema)) = self.types.schema(&name) else {
            let keys = self.rest_keys()?;
            // Other tools' YAML has `schema:` keys too (`schema:
            // ./schema.graphql`); only an id shaped like ours, or close to
            // a loaded one, or a file with the keys of a loaded schema's
            // manifests, is a manifest.
            if !claims_schema(self.types, &name) && !has_manifest_keys(self.types, &keys) {
                return Ok(Root::NotManifest);
            }
            let ids: Vec<&str> = self.types.schemas.iter().map(|s| s.id.as_str()).collect();
            let suggestion = did_you_mean(&name, ids.iter().copied());
            let help = match suggestion {
                Some(s) => format!("did you mean `{s}`?"),
                None => format!("the loaded schemas are: {}", ids.join(", ")),
            };
            return Ok(Root::BadSchema(Issue {
                fix: suggestion.map(|s| Suggestion::new(value_range.clone(), s)),
                path: schema_path,
                range: Some(value_range),
                message: format!("unknown schema `{name}`"),
                label: "no loaded schema has this id".into(),
                help: Some(help),
                related: None,
            }));
        };
        let (value, node) = self.record(schema.root, &Link::Root, None, start, true)?;
        Ok(Root::Manifest(index, value, node))
    }

    /// What a later document is; reads it to its end.
    fn probe(&mut self) -> Res<Probe> {
        let item = self.r.next_item()?;
        let probe = match item.node {
            Node::Scalar {
                ref text,
                style: Style::Plain,
                tag: None,
            } if resolve_plain(text) == Resolved::Null => Probe::Empty,
            Node::MappingStart { .. } => {
                let mut probe = Probe::Other;
                loop {
                    let item = self.r.next_item()?;
                    if matches!(item.node, Node::MappingEnd) {
                        break;
                    }
                    let (key, _) = self.key(item)?;
                    if key != "schema" && !near_schema_key(&key) {
                        self.skip_next()?;
                        continue;
                    }
                    let value = self.r.next_item()?;
                    let names_schema = match &value.node {
                        // A tag does not hide what it tags.
                        Node::Scalar { tag: Some(tag), .. }
                            if !is_non_specific(tag) && core_tag(tag) != Some("str") =>
                        {
                            true
                        }
                        Node::Scalar { text, .. } => claims_schema(self.types, text),
                        _ => false,
                    };
                    self.skip(value)?;
                    if names_schema {
                        probe = Probe::Manifest;
                    } else if probe == Probe::Other {
                        probe = Probe::ForeignSchema;
                    }
                }
                probe
            }
            _ => {
                self.skip(item)?;
                Probe::Other
            }
        };
        Ok(probe)
    }

    /// A mapping key as text, with its range; keys that are not scalars
    /// become `<complex key>`.
    fn key(&mut self, item: Item<'t>) -> Res<(Cow<'t, str>, Range<usize>)> {
        match item.node {
            Node::Scalar {
                text,
                style: Style::Plain,
                tag: None,
            } if text.is_empty() || parse_null(&text) => Ok((Cow::Borrowed("null"), item.range)),
            Node::Scalar { text, .. } => Ok((text, item.range)),
            _ => {
                let range = self.skip(item)?;
                Ok((Cow::Borrowed("<complex key>"), range))
            }
        }
    }

    /// The next node's text when it is a string scalar.
    fn next_scalar_text(&mut self) -> Res<Option<(Cow<'t, str>, Range<usize>)>> {
        let item = self.r.next_item()?;
        match item.node {
            Node::Scalar { text, style, tag } => {
                let plain = style == Style::Plain && tag.is_none();
                let string = tag
                    .as_deref()
                    .is_none_or(|t| is_non_specific(t) || core_tag(t) == Some("str"))
                    && (!plain || resolve_plain(&text) == Resolved::Str);
                Ok(string.then_some((text, item.range)))
            }
            _ => {
                self.skip(item)?;
                Ok(None)
            }
        }
    }

    /// Reads past a node; returns its range.
    fn skip(&mut self, item: Item<'t>) -> Res<Range<usize>> {
        match item.node {
            Node::SequenceStart { .. } | Node::MappingStart { .. } => self.skip_open(1),
            _ => Ok(item.range),
        }
    }

    fn skip_next(&mut self) -> Res<Range<usize>> {
        let item = self.r.next_item()?;
        self.skip(item)
    }

    /// The keys of the rest of the open mapping, read to its end.
    fn rest_keys(&mut self) -> Res<Vec<String>> {
        let mut keys = Vec::new();
        loop {
            let item = self.r.next_item()?;
            match item.node {
                Node::MappingEnd => return Ok(keys),
                Node::Scalar { text, .. } => keys.push(text.into_owned()),
                _ => {
                    self.skip(item)?;
                }
            }
            self.skip_next()?;
        }
    }

    /// Reads to the end of the innermost open collection.
    fn skip_rest(&mut self) -> Res<Range<usize>> {
        self.skip_open(1)
    }

    /// Reads until `open` collections have closed; returns the range of the
    /// outermost.
    fn skip_open(&mut self, mut open: usize) -> Res<Range<usize>> {
        loop {
            let item = self.r.next_item()?;
            match item.node {
                Node::SequenceStart { .. } | Node::MappingStart { .. } => open += 1,
                Node::SequenceEnd | Node::MappingEnd => {
                    open -= 1;
                    if open == 0 {
                        return Ok(item.range);
                    }
                }
                Node::Scalar { .. } => {}
                Node::DocumentStart | Node::DocumentEnd | Node::StreamEnd => {
                    return Err(YamlError {
                        message: "the document ends inside a collection".into(),
                        range: item.range,
                        help: None,
                    });
                }
            }
        }
    }

    fn issue(
        &mut self,
        link: &Link,
        at: impl Into<At>,
        message: String,
        label: &str,
        help: Option<String>,
    ) {
        let range = match at.into() {
            At::Exact(range) => range,
            At::Value { key, value } => anchor(self.text, key, value),
        };
        self.issues.push(Issue {
            fix: None,
            path: link.path(),
            range: Some(range),
            message,
            label: label.to_string(),
            help,
            related: None,
        });
    }

    fn ty_name(&self, ty: &Ty) -> String {
        self.types.display(ty).to_string()
    }

    /// One value of a declared type, starting at `item`. `None` for a
    /// `null` (an absent optional); a mismatch is recorded as an issue and
    /// yields `Value::Invalid`. `key` is the range of the key naming it.
    fn value(
        &mut self,
        ty: &Ty,
        rules: Option<&FieldRules>,
        link: &Link,
        key: Option<&Range<usize>>,
        item: Item<'t>,
    ) -> Res<(Option<Value>, SpanNode)> {
        let start = item.range.start;
        match item.node {
            Node::Scalar { text, style, tag } => {
                let at = At::value(key, &item.range);
                let value = self.scalar(ty, rules, link, at, text, style, tag.as_deref());
                Ok((value, SpanNode::leaf(&item.range)))
            }
            Node::SequenceStart { tag } | Node::MappingStart { tag }
                if tag.as_deref().is_some_and(|t| {
                    !matches!(core_tag(t), Some("seq" | "map")) && !is_non_specific(t)
                }) =>
            {
                let range = self.skip_open(1)?;
                let name = tag.as_deref().map(tag_name).unwrap_or_default();
                self.tagged(link, At::value(key, &range), &name);
                Ok((Some(Value::Invalid), SpanNode::leaf(&range)))
            }
            Node::SequenceStart { .. } => match ty.required() {
                Ty::List(elem) => {
                    let (value, node) = self.list(elem, link)?;
                    Ok((Some(value), node))
                }
                _ => self.skip_mismatched(ty, link, key, "a list"),
            },
            Node::MappingStart { .. } => match ty.required() {
                Ty::Record(rid) => {
                    let (value, node) = self.record(*rid, link, key, start, false)?;
                    Ok((Some(value), node))
                }
                Ty::Map(k, v) => {
                    let (value, node) = self.map(k, v, link)?;
                    Ok((Some(value), node))
                }
                _ => self.skip_mismatched(ty, link, key, "a mapping"),
            },
            _ => Err(YamlError {
                message: "expected a value".into(),
                range: item.range,
                help: None,
            }),
        }
    }

    /// A collection where `ty` is expected, its start read: reported and
    /// read past.
    fn skip_mismatched(
        &mut self,
        ty: &Ty,
        link: &Link,
        key: Option<&Range<usize>>,
        found: &str,
    ) -> Res<(Option<Value>, SpanNode)> {
        let range = self.skip_open(1)?;
        let at = At::value(key, &range);
        Ok((self.mismatch(ty, link, at, found), SpanNode::leaf(&range)))
    }

    /// A key seen before in its mapping: reported, and its value read past.
    fn duplicate(&mut self, link: &Link, at: Range<usize>, key: &str, note: &str) -> Res<()> {
        self.issue(
            link,
            at,
            format!("duplicate key `{key}`{note}"),
            "duplicate key",
            Some(
                "remove one of the entries: YAML keeps only one, so the other is silently lost"
                    .into(),
            ),
        );
        self.skip_next().map(|_| ())
    }

    /// A mapping read as a record, its `MappingStart` read.
    fn record(
        &mut self,
        rid: RecordId,
        link: &Link,
        key: Option<&Range<usize>>,
        start: usize,
        is_root: bool,
    ) -> Res<(Value, SpanNode)> {
        let types = self.types;
        let Some(rec) = types.record(rid) else {
            let range = self.skip_open(1)?;
            return Ok((Value::Invalid, SpanNode::leaf(&range)));
        };
        let mark = self.spans.begin_record(rec.fields.len());
        let mut slots: Vec<Option<Value>> = vec![None; rec.fields.len()];
        // Keys that are not fields, by how often each came.
        let mut unknown = SeenKeys::default();
        // Fields that an unknown key was probably meant to be: their absence
        // is the same mistake, reported once.
        let mut suggested: Vec<&str> = Vec::new();
        // Unknown keys with a suggested field, by issue: a suggestion of a
        // field the mapping sets anyway is taken back at its end.
        let mut renamed: Vec<(usize, usize, &str)> = Vec::new();
        // After a merge key the missing fields are probably in the merged
        // mapping: they are not reported one by one.
        let mut merged = false;
        let range = loop {
            let item = self.r.next_item()?;
            if matches!(item.node, Node::MappingEnd) {
                break item.range;
            }
            let (key, key_range) = self.key(item)?;
            let field = rec.field(&key);
            let schema_again = is_root && key == "schema";
            let again = match field {
                // A field read before has its key's place recorded.
                Some((i, _)) => self
                    .spans
                    .children(mark)
                    .get(i)
                    .is_some_and(|n| n.key().is_some()),
                None => unknown.count(&key) > 0,
            };
            if again || schema_again {
                let first = if schema_again {
                    " (`schema` comes first, once)"
                } else {
                    ""
                };
                self.duplicate(&Link::Key(link, &key), key_range, &key, first)?;
                continue;
            }
            if key == "<<" {
                self.issue(
                    &Link::Key(link, &key),
                    key_range,
                    "YAML merge keys (`<<`) are not supported in manifests".into(),
                    "merge key",
                    Some(
                        "write the fields out: a reviewer should see every value of a grant".into(),
                    ),
                );
                self.skip_next()?;
                unknown.bump(key);
                merged = true;
                continue;
            }
            match field {
                Some((index, field)) => {
                    let item = self.r.next_item()?;
                    let (value, node) = self.value(
                        &field.ty,
                        Some(&field.rules),
                        &Link::Key(link, &key),
                        Some(&key_range),
                        item,
                    )?;
                    self.spans.set(mark, index, node.with_key(&key_range));
                    if let Some(slot) = slots.get_mut(index) {
                        *slot = value;
                    }
                }
                None => {
                    let suggestion = did_you_mean(&key, rec.field_names());
                    let help = match suggestion {
                        Some(s) => {
                            suggested.push(s);
                            if let Some((index, _)) = rec.field(s) {
                                renamed.push((self.issues.len(), index, s));
                            }
                            format!("did you mean `{s}`?")
                        }
                        None => format!(
                            "the keys of `{}` are: {}",
                            rec.name,
                            rec.field_names().collect::<Vec<_>>().join(", ")
                        ),
                    };
                    self.issue(
                        &Link::Key(link, &key),
                        key_range,
                        format!("unknown key `{key}` in `{}`", rec.name),
                        "unknown key",
                        Some(help),
                    );
                    if let Some(issue) = self.issues.last_mut() {
                        issue.fix = suggestion
                            .zip(issue.range.clone())
                            .map(|(s, range)| Suggestion::new(range, s));
                    }
                    self.skip_next()?;
                    unknown.bump(key);
                }
            }
        };
        let range = range.start.min(start)..range.end;
        for (issue, index, name) in renamed {
            if slots.get(index).is_some_and(Option::is_some) {
                if let Some(issue) = self.issues.get_mut(issue) {
                    issue.fix = None;
                    issue.help = Some(format!(
                        "`{name}` is set in this `{}` already: remove this key, or give it the name of a key it lacks",
                        rec.name
                    ));
                }
            }
        }
        for (field, slot) in rec.fields.iter().zip(&slots) {
            if slot.is_none()
                && !field.ty.is_optional()
                && !merged
                && !suggested.contains(&field.name.as_str())
            {
                let ty = self.ty_name(&field.ty);
                let at = match key {
                    Some(key) if !is_root => key.clone(),
                    _ => first_line(self.text, range.clone()),
                };
                self.issue(
                    link,
                    at,
                    format!("missing required field `{}` in `{}`", field.name, rec.name),
                    &format!("`{}` has no `{}`", rec.name, field.name),
                    Some(format!("add `{}:` (a `{ty}`)", field.name)),
                );
            }
        }
        let node = self.spans.end(mark, &range, Some(rid), false);
        Ok((Value::Record(slots), node))
    }

    /// A sequence read as a list, its `SequenceStart` read.
    fn list(&mut self, elem: &Ty, link: &Link) -> Res<(Value, SpanNode)> {
        let mark = self.spans.begin();
        let mut items = Vec::new();
        let range = loop {
            let item = self.r.next_item()?;
            if matches!(item.node, Node::SequenceEnd) {
                break item.range;
            }
            let index = items.len();
            let item_link = Link::Index(link, index);
            let (value, node) = self.value(elem, None, &item_link, None, item)?;
            match value {
                Some(v) => items.push(v),
                None => {
                    // `- ~` in a list of required values.
                    let at = node.value().unwrap_or_default();
                    self.issue(
                        &item_link,
                        at,
                        "list items cannot be empty".into(),
                        "empty item",
                        Some("remove the item or give it a value".into()),
                    );
                    items.push(Value::Invalid);
                }
            }
            self.spans.push(node);
        };
        if let Ty::Record(rid) = elem.required() {
            self.unique_fields(*rid, link, &items, mark);
        }
        let node = self.spans.end(mark, &range, None, false);
        Ok((Value::List(items), node))
    }

    /// A mapping read as a map, its `MappingStart` read.
    fn map(&mut self, k: &Ty, v: &Ty, link: &Link) -> Res<(Value, SpanNode)> {
        let mark = self.spans.begin();
        let mut entries: Vec<(Value, Value)> = Vec::new();
        let mut keys = SeenKeys::default();
        let range = loop {
            let item = self.r.next_item()?;
            if matches!(item.node, Node::MappingEnd) {
                break item.range;
            }
            let (key, key_range) = self.key(item)?;
            let path = Link::Key(link, &key);
            if keys.bump(key.clone()) > 0 {
                self.duplicate(&path, key_range, &key, "")?;
                continue;
            }
            let key_value = self
                .scalar_text(k, None, &path, At::Exact(key_range.clone()), key.clone())
                .unwrap_or(Value::Invalid);
            let item = self.r.next_item()?;
            let (value, node) = self.value(v, None, &path, Some(&key_range), item)?;
            entries.push((key_value, value.unwrap_or(Value::Invalid)));
            self.spans.push(node.with_key(&key_range));
        };
        let node = self.spans.end(mark, &range, None, true);
        Ok((Value::Map(entries), node))
    }

    fn tagged(&mut self, link: &Link, at: At, name: &str) -> Option<Value> {
        self.issue(
            link,
            at,
            format!("YAML tags such as `{name}` have no meaning in a manifest"),
            "tagged value",
            Some(format!("remove `{name}`")),
        );
        Some(Value::Invalid)
    }

    /// A scalar of a declared type; `at` is where its problems point.
    #[allow(clippy::too_many_arguments)]
    fn scalar(
        &mut self,
        ty: &Ty,
        rules: Option<&FieldRules>,
        link: &Link,
        at: At,
        text: Cow<'t, str>,
        style: Style,
        tag: Option<&Tag>,
    ) -> Option<Value> {
        let resolved = match tag {
            Some(t) if is_non_specific(t) => Resolved::Str,
            Some(t) => {
                let resolved = match core_tag(t) {
                    Some("str") => Some(Resolved::Str),
                    Some("null") => {
                        (text.is_empty() || parse_null(&text)).then_some(Resolved::Null)
                    }
                    Some("bool") => parse_bool(&text).map(Resolved::Bool),
                    Some("int") => parse_int(&text),
                    Some("float") => parse_int(&text)
                        .map(|r| match r {
                            Resolved::Int(i) => Resolved::Float(i as f64),
                            Resolved::Huge(u) => Resolved::Float(u as f64),
                            other => other,
                        })
                        .or_else(|| parse_f64(&text).map(Resolved::Float)),
                    _ => None,
                };
                match resolved {
                    Some(r) => r,
                    None => return self.tagged(link, at, &tag_name(t)),
                }
            }
            None if style == Style::Plain => resolve_plain(&text),
            None => Resolved::Str,
        };
        match resolved {
            Resolved::Null if ty.is_optional() => None,
            Resolved::Null => self.mismatch(ty, link, at, "nothing (`null`)"),
            Resolved::Bool(b) => match ty.required() {
                Ty::Bool => Some(Value::Bool(b)),
                _ => self.mismatch(ty, link, at, &format!("boolean `{b}`")),
            },
            Resolved::Int(i) => match (ty.required(), i64::try_from(i)) {
                (Ty::Int, Ok(v)) => Some(self.bounded(rules, link, at, v)),
                (Ty::Int, Err(_)) => {
                    self.mismatch(ty, link, at, &format!("integer `{i}`, which is too large"))
                }
                _ => self.mismatch(ty, link, at, &format!("integer `{i}`")),
            },
            Resolved::Huge(u) => match ty.required() {
                Ty::Int => {
                    self.mismatch(ty, link, at, &format!("integer `{u}`, which is too large"))
                }
                _ => self.mismatch(ty, link, at, &format!("integer `{u}`")),
            },
            Resolved::Float(f) => self.mismatch(ty, link, at, &format!("number `{f}`")),
            Resolved::Str => self.scalar_text(ty, rules, link, at, text),
        }
    }

    fn mismatch(&mut self, ty: &Ty, link: &Link, at: At, found: &str) -> Option<Value> {
        let want = self.ty_name(ty.required());
        let help = match ty.required() {
            Ty::Str => Some("quote the value to make it a string".to_string()),
            Ty::Date => Some("write dates as YYYY-MM-DD".to_string()),
            Ty::Duration => Some("write durations as days (`30d`) or weeks (`2w`)".to_string()),
            Ty::List(_) => Some("write a list, for example `[a, b]`".to_string()),
            Ty::Bool => Some("write `true` or `false`".to_string()),
            _ => None,
        };
        self.issue(
            link,
            at,
            format!("expected {}, found {found}", article(&want)),
            &format!("expected {}", article(&want)),
            help,
        );
        Some(Value::Invalid)
    }

    /// An int, checked against the field's bounds.
    fn bounded(&mut self, rules: Option<&FieldRules>, link: &Link, at: At, v: i64) -> Value {
        let Some(rules) = rules else {
            return Value::Int(v);
        };
        let label = match (rules.min, rules.max) {
            (Some(min), _) if v < min => format!("less than {min}"),
            (_, Some(max)) if v > max => format!("more than {max}"),
            _ => return Value::Int(v),
        };
        let range = match (rules.min, rules.max) {
            (Some(0), None) => "a number that is not negative".to_string(),
            (Some(min), None) => format!("at least {min}"),
            (None, Some(max)) => format!("at most {max}"),
            (Some(min), Some(max)) => format!("from {min} to {max}"),
            (None, None) => String::new(),
        };
        self.issue(
            link,
            at,
            format!("`{v}` is out of range: expected {range}"),
            &label,
            None,
        );
        Value::Invalid
    }

    fn scalar_text(
        &mut self,
        ty: &Ty,
        rules: Option<&FieldRules>,
        link: &Link,
        at: At,
        text: Cow<'t, str>,
    ) -> Option<Value> {
        let types = self.types;
        match ty.required() {
            Ty::Str
                if rules.is_some_and(|r| r.not_blank)
                    && !text.chars().any(|c| {
                        // The Hangul fillers are letters that show nothing.
                        c.is_alphanumeric()
                            && !matches!(c, '\u{115f}' | '\u{1160}' | '\u{3164}' | '\u{ffa0}')
                    }) =>
            {
                let name = match link {
                    Link::Key(_, key) => format!("`{key}`"),
                    _ => "this value".to_string(),
                };
                self.issue(
                    link,
                    at,
                    format!("{name} must not be blank: it has no letter or digit"),
                    "blank",
                    Some("write what it asks for: a waiver is only as good as its reason and its approver".into()),
                );
                Some(Value::Invalid)
            }
            Ty::Str => Some(Value::Str(text.into_owned())),
            Ty::Date => match Date::parse(&text) {
                Some(d) => Some(Value::Date(d)),
                None => {
                    self.issue(
                        link,
                        at,
                        format!("`{text}` is not a valid date"),
                        "not a date",
                        Some("write dates as YYYY-MM-DD, for example `2019-06-01`".into()),
                    );
                    Some(Value::Invalid)
                }
            },
            Ty::Duration => match parse_duration(&text) {
                Some(d) => Some(Value::Duration(d)),
                None => {
                    self.issue(
                        link,
                        at,
                        format!("`{text}` is not a valid duration"),
                        "not a duration",
                        Some("write durations as whole days (`30d`) or weeks (`2w`)".into()),
                    );
                    Some(Value::Invalid)
                }
            },
            Ty::Enum(id) => {
                let def = types.enum_def(*id)?;
                if let Some(i) = def.index(&text) {
                    return Some(Value::Enum(i));
                }
                let same_letters = def
                    .values
                    .iter()
                    .find(|v| v.eq_ignore_ascii_case(&text))
                    .map(String::as_str);
                let suggestion = same_letters
                    .or_else(|| known_alias(&text).filter(|a| def.index(a).is_some()))
                    .or_else(|| did_you_mean(&text, def.values.iter().map(String::as_str)));
                let help = match suggestion {
                    Some(s) => Some(format!("did you mean `{s}`?")),
                    None if def.values.len() <= 12 => {
                        Some(format!("expected one of: {}", def.values.join(", ")))
                    }
                    None => None,
                };
                let written = at.written();
                self.issue(
                    link,
                    at,
                    format!("`{text}` is not a value of `{}`", def.name),
                    "unknown value",
                    help,
                );
                if let Some(issue) = self.issues.last_mut() {
                    issue.fix = suggestion.map(|s| Suggestion::new(written, s));
                }
                Some(Value::Invalid)
            }
            _ => {
                let found = format!("string `{text}`");
                self.mismatch(ty, link, at, &found)
            }
        }
    }

    /// Reports the second and later items of a list of records that repeat
    /// a value of a `unique` field, each pointing at the first.
    fn unique_fields(&mut self, rid: RecordId, list: &Link, items: &[Value], mark: Mark) {
        let types = self.types;
        let Some(rec) = types.record(rid) else {
            return;
        };
        for (index, field) in rec.fields.iter().enumerate() {
            if !field.rules.unique {
                continue;
            }
            let mut first: HashMap<UniqueKey, usize> = HashMap::new();
            for (i, item) in items.iter().enumerate() {
                let Value::Record(slots) = item else {
                    continue;
                };
                let Some(value) = slots.get(index).and_then(Option::as_ref) else {
                    continue;
                };
                let Some(key) = unique_key(value) else {
                    continue;
                };
                let Some(&j) = first.get(&key) else {
                    first.insert(key, i);
                    continue;
                };
                let shown = match &key {
                    UniqueKey::Str(s) => (*s).to_string(),
                    _ => value.render(&|e| enum_name(types, &field.ty, e)),
                };
                let place = |spans: &Spans, item: usize| {
                    let node = spans.children(mark).get(item)?;
                    let field = spans.child(node, index)?;
                    Some(anchor(self.text, field.key(), field.value()?))
                };
                let at = place(&self.spans, i);
                let related = place(&self.spans, j).map(|r| (r, "first used here".to_string()));
                let item_link = Link::Index(list, i);
                let noun = rec.name.to_lowercase();
                self.issues.push(Issue {
                    fix: None,
                    path: Link::Key(&item_link, &field.name).path(),
                    range: at,
                    message: format!(
                        "duplicate {noun} `{}` `{shown}`: item {} of the list has it too",
                        field.name,
                        j + 1
                    ),
                    label: format!("`{}` again", field.name),
                    help: Some(format!(
                        "give each {noun} its own `{}`: other parts of the manifest refer to it",
                        field.name
                    )),
                    related,
                });
            }
        }
    }
}

fn later_document(index: usize, has_schema: bool, range: Range<usize>) -> SyntaxError {
    let (message, help) = if has_schema {
        (
            format!("document {} of this file is a manifest: a manifest file holds one YAML document, and only the first is read", index + 1),
            "move the manifest into a file of its own",
        )
    } else {
        (
            "a manifest holds one YAML document, this file has more".to_string(),
            "split the documents into one file each",
        )
    };
    SyntaxError {
        message,
        range: Some(range),
        help: Some(help.to_string()),
        later_document: Some(LaterDocument { index, has_schema }),
    }
}

/// The name of an enum value of a field of type `ty`.
fn enum_name(types: &Types, ty: &Ty, value: u32) -> String {
    match ty.required() {
        Ty::Enum(id) => types
            .enum_def(*id)
            .map_or_else(|| value.to_string(), |d| d.name_of(value).to_string()),
        _ => value.to_string(),
    }
}

/// A value that must be unique within its list, as a hashable key.
#[derive(PartialEq, Eq, Hash)]
enum UniqueKey<'v> {
    Str(&'v str),
    Int(i64),
    Bool(bool),
    Enum(u32),
    Date(crate::date::Date),
    Duration(crate::date::Days),
}

fn unique_key(v: &Value) -> Option<UniqueKey<'_>> {
    Some(match v {
        Value::Str(s) => UniqueKey::Str(s),
        Value::Int(i) => UniqueKey::Int(*i),
        Value::Bool(b) => UniqueKey::Bool(*b),
        Value::Enum(e) => UniqueKey::Enum(*e),
        Value::Date(d) => UniqueKey::Date(*d),
        Value::Duration(d) => UniqueKey::Duration(*d),
        _ => return None,
    })
}

/// The keys of one mapping seen so far, with how often each came: a short
/// list while the mapping is small, as nearly all are, and a hash map past
/// that, so that a mapping of 200,000 keys costs no more per key than one
/// of ten.
#[derive(Default)]
struct SeenKeys<'t> {
    small: Vec<(Cow<'t, str>, usize)>,
    large: HashMap<Cow<'t, str>, usize>,
}

impl<'t> SeenKeys<'t> {
    const SMALL: usize = 32;

    /// How many times `key` came.
    fn count(&self, key: &str) -> usize {
        if self.large.is_empty() {
            return self
                .small
                .iter()
                .find(|(k, _)| k == key)
                .map_or(0, |(_, n)| *n);
        }
        self.large.get(key).copied().unwrap_or(0)
    }

    /// Counts one more occurrence of `key`; returns how many came before.
    fn bump(&mut self, key: Cow<'t, str>) -> usize {
        if self.large.is_empty() {
            if let Some((_, n)) = self.small.iter_mut().find(|(k, _)| *k == key) {
                *n += 1;
                return *n - 1;
            }
            if self.small.len() < Self::SMALL {
                self.small.push((key, 1));
                return 0;
            }
            self.large.extend(self.small.drain(..));
        }
        let n = self.large.entry(key).or_insert(0);
        *n += 1;
        *n - 1
    }
}

/// Whether a `schema:` value marks the file as a manifest: an id such as
/// `partnership/v2` (name, slash, version), or a misspelling of a loaded one.
fn claims_schema(types: &Types, value: &str) -> bool {
    // Case does not make a different schema id: `PARTNERSHIP/V1` is a
    // misspelling, not another tool's key; nor do invisible characters or
    // letters of other scripts that look the same.
    let value = &folded(value).to_ascii_lowercase();
    let shaped = value.split_once('/').is_some_and(|(name, version)| {
        !name.is_empty()
            && name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
            && version
                .strip_prefix('v')
                .is_some_and(|n| !n.is_empty() && n.chars().all(|c| c.is_ascii_digit()))
    });
    shaped || did_you_mean(value, types.schemas.iter().map(|s| s.id.as_str())).is_some()
}

/// Whether a mapping's keys are, but for `schema:`, those of a manifest of a
/// loaded schema: at least two of its root record's required fields, and
/// every key one of its fields. A file like that is a manifest whatever its
/// `schema:` says.
fn has_manifest_keys(types: &Types, keys: &[String]) -> bool {
    types.schemas.iter().any(|s| {
        let Some(root) = types.record(s.root) else {
            return false;
        };
        let required = root
            .fields
            .iter()
            .filter(|f| !f.ty.is_optional() && keys.contains(&f.name))
            .count();
        required >= 2 && keys.iter().all(|k| root.field(k).is_some())
    })
}

/// A first key that is a misspelling of `schema` (`Schema`, `SCHEMA`,
/// `shcema`): the file is a manifest with a typo, not a file to skip.
fn near_schema_key(key: &str) -> bool {
    let key = folded(key).to_ascii_lowercase();
    key.len() >= 4 && (key == "schema" || did_you_mean(&key, ["schema"]).is_some())
}

/// Text as it looks: without the characters that show nothing (format
/// characters such as zero-width spaces and soft hyphens), and with the
/// Cyrillic and Greek letters that look like Latin ones read as those.
fn folded(text: &str) -> String {
    text.chars()
        .filter(|c| {
            !matches!(c,
                '\u{ad}' | '\u{34f}' | '\u{61c}' | '\u{115f}' | '\u{1160}' | '\u{17b4}' | '\u{17b5}'
                | '\u{180b}'..='\u{180f}' | '\u{200b}'..='\u{200f}' | '\u{202a}'..='\u{202e}'
                | '\u{2060}'..='\u{206f}' | '\u{3164}' | '\u{fe00}'..='\u{fe0f}' | '\u{feff}'
                | '\u{ffa0}' | '\u{e0000}'..='\u{e0fff}')
        })
        .map(|c| match c {
            'а' | 'α' => 'a',
            'с' | 'ϲ' => 'c',
            'е' | 'ε' => 'e',
            'һ' => 'h',
            'і' | 'ι' => 'i',
            'ј' => 'j',
            'м' => 'm',
            'о' | 'ο' => 'o',
            'р' | 'ρ' => 'p',
            'ѕ' => 's',
            'т' | 'τ' => 't',
            'ν' => 'v',
            'х' | 'χ' => 'x',
            'у' | 'γ' => 'y',
            'А' | 'Α' => 'A',
            'С' => 'C',
            'Е' | 'Ε' => 'E',
            'Н' | 'Η' => 'H',
            'І' | 'Ι' => 'I',
            'М' | 'Μ' => 'M',
            'О' | 'Ο' => 'O',
            'Р' | 'Ρ' => 'P',
            'Ѕ' => 'S',
            'Т' | 'Τ' => 'T',
            'Х' | 'Χ' => 'X',
            other => other,
        })
        .collect()
}

/// Common names that are not the code a value list uses.
fn known_alias(text: &str) -> Option<&'static str> {
    match text {
        "UK" => Some("GB"),
        "EL" => Some("GR"),
        _ => None,
    }
}

fn article(word: &str) -> String {
    match word.chars().next() {
        Some('a' | 'e' | 'i' | 'o' | 'u') => format!("an `{word}`"),
        _ => format!("a `{word}`"),
    }
}

/// Whether an unquoted scalar of this text is a string (not null, a
/// boolean or a number), as the loader reads it.
pub fn plain_is_text(text: &str) -> bool {
    resolve_plain(text) == Resolved::Str
}

/// The type of a plain scalar: null, boolean, integer, float, or string,
/// by the YAML 1.2 core schema, as serde_yaml resolves it.
fn resolve_plain(text: &str) -> Resolved {
    // Most scalars are words: their first byte rules out every other type.
    match text.as_bytes().first() {
        None => return Resolved::Null,
        Some(b'~' | b'n' | b'N') => {
            return if parse_null(text) {
                Resolved::Null
            } else {
                Resolved::Str
            }
        }
        Some(b't' | b'T' | b'f' | b'F') => {
            return parse_bool(text).map_or(Resolved::Str, Resolved::Bool)
        }
        Some(b'0'..=b'9' | b'+' | b'-' | b'.') => {}
        Some(_) => return Resolved::Str,
    }
    if let Some(int) = parse_int(text) {
        return int;
    }
    if !digits_but_not_number(text) {
        if let Some(f) = parse_f64(text) {
            return Resolved::Float(f);
        }
    }
    Resolved::Str
}

fn parse_null(text: &str) -> bool {
    matches!(text, "~" | "null" | "Null" | "NULL")
}

fn parse_bool(text: &str) -> Option<bool> {
    match text {
        "true" | "True" | "TRUE" => Some(true),
        "false" | "False" | "FALSE" => Some(false),
        _ => None,
    }
}

/// An integer: decimal (no leading zeros), `0x`, `0o` or `0b`, with an
/// optional sign.
fn parse_int(text: &str) -> Option<Resolved> {
    let (negative, unsigned) = match text.as_bytes().first() {
        Some(b'-') => (true, text.get(1..)?),
        Some(b'+') => (false, text.get(1..)?),
        _ => (false, text),
    };
    if unsigned.starts_with(['+', '-']) {
        return None;
    }
    let (digits, radix) = if let Some(rest) = unsigned.strip_prefix("0x") {
        (rest, 16)
    } else if let Some(rest) = unsigned.strip_prefix("0o") {
        (rest, 8)
    } else if let Some(rest) = unsigned.strip_prefix("0b") {
        (rest, 2)
    } else {
        if digits_but_not_number(unsigned) {
            return None;
        }
        (unsigned, 10)
    };
    if digits.is_empty() || digits.starts_with(['+', '-']) {
        return None;
    }
    let magnitude = u128::from_str_radix(digits, radix).ok()?;
    if negative {
        if magnitude == 1u128 << 127 {
            return Some(Resolved::Int(i128::MIN));
        }
        let m = i128::try_from(magnitude).ok()?;
        return Some(Resolved::Int(-m));
    }
    Some(match i128::try_from(magnitude) {
        Ok(i) => Resolved::Int(i),
        Err(_) => Resolved::Huge(magnitude),
    })
}

fn parse_f64(text: &str) -> Option<f64> {
    let unsigned = match text.strip_prefix('+') {
        Some(rest) if rest.starts_with(['+', '-']) => return None,
        Some(rest) => rest,
        None => text,
    };
    if let ".inf" | ".Inf" | ".INF" = unsigned {
        return Some(f64::INFINITY);
    }
    if let "-.inf" | "-.Inf" | "-.INF" = text {
        return Some(f64::NEG_INFINITY);
    }
    if let ".nan" | ".NaN" | ".NAN" = text {
        return Some(f64::NAN);
    }
    // Rust accepts `inf`, `nan` and `infinity`; YAML does not.
    if unsigned
        .bytes()
        .any(|b| !(b.is_ascii_digit() || matches!(b, b'.' | b'e' | b'E' | b'+' | b'-')))
    {
        return None;
    }
    unsigned.parse::<f64>().ok().filter(|f| f.is_finite())
}

/// Leading zeros followed by digits make a string in YAML 1.2.
fn digits_but_not_number(text: &str) -> bool {
    let digits = text.strip_prefix(['-', '+']).unwrap_or(text);
    digits.len() > 1
        && digits.starts_with('0')
        && digits.bytes().skip(1).all(|b| b.is_ascii_digit())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_scalars_resolve_as_serde_yaml_resolves_them() {
        let cases = [
            "",
            "~",
            "null",
            "true",
            "False",
            "0",
            "-0",
            "+7",
            "007",
            "0x1F",
            "-0x10",
            "0o17",
            "0b101",
            "1.5",
            "1e3",
            ".inf",
            "-.inf",
            ".nan",
            "inf",
            "nan",
            "1_000",
            "12:30",
            "2019-06-01",
            "30d",
            "NO",
            "yes",
            "340282366920938463463374607431768211455",
            "-170141183460469231731687303715884105728",
            "99999999999999999999999999999999999999999",
            "0x",
            "+-1",
            "--1",
            "1.",
            ".5",
            "+.5",
            "infinity",
        ];
        for text in cases {
            let ours = resolve_plain(text);
            let Ok(theirs) = serde_yaml::from_str::<serde_yaml::Value>(text) else {
                // serde_yaml's numbers stop at 64 bits.
                assert!(
                    matches!(ours, Resolved::Int(_) | Resolved::Huge(_)),
                    "{text:?}"
                );
                continue;
            };
            let same = match (ours, &theirs) {
                (Resolved::Null, serde_yaml::Value::Null) => true,
                (Resolved::Bool(a), serde_yaml::Value::Bool(b)) => a == *b,
                (Resolved::Int(a), serde_yaml::Value::Number(n)) => {
                    n.as_i64().map(i128::from) == Some(a) || n.as_u64().map(i128::from) == Some(a)
                }
                (Resolved::Float(a), serde_yaml::Value::Number(n)) => n
                    .as_f64()
                    .is_some_and(|b| a == b || (a.is_nan() && b.is_nan())),
                (Resolved::Str, serde_yaml::Value::String(_)) => true,
                _ => false,
            };
            assert!(same, "{text:?}: ours {ours:?}, serde_yaml {theirs:?}");
        }
    }
}
