//! YAML text to schema-typed values, validating as it goes.
//!
//! The document is deserialized straight into the schema's shape through a
//! `DeserializeSeed` driven by the declared types: no generic YAML tree is
//! built first. Validation problems do not stop the walk; each is recorded
//! with the path of the key or value at fault, so one run reports all of a
//! file's problems. Paths become line and column later, and only for files
//! that have something to report (see `spans`).

use super::path::Path;
use crate::date::{parse_duration, Date};
use crate::schema::{FieldRules, RecordId, Ty, Types};
use crate::suggest::did_you_mean;
use crate::value::Value;
use serde::de::{self, DeserializeSeed, IgnoredAny, MapAccess, SeqAccess, Visitor};
use std::borrow::Cow;
use std::cell::RefCell;
use std::collections::HashMap;
use std::fmt;

/// What a validation problem points at.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum At {
    /// The key of the entry at the path.
    Key,
    /// The `n`-th occurrence (0-based) of the key at the path.
    KeyOccurrence(usize),
    /// The value at the path.
    Value,
}

/// One way a manifest does not match its schema.
#[derive(Debug, Clone)]
pub struct Issue {
    pub path: Path,
    pub at: At,
    pub message: String,
    pub label: String,
    pub help: Option<String>,
    /// Another value that explains the issue (the first of two equal ids),
    /// with its label.
    pub related: Option<(Path, String)>,
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
    },
    /// A manifest whose `schema:` names no loaded schema, or whose first key
    /// is a misspelling of `schema`.
    BadSchema(Issue),
    /// The text is not valid YAML, or trips a parser limit.
    Syntax(SyntaxError),
}

#[derive(Debug)]
pub struct SyntaxError {
    pub message: String,
    /// 1-based line and column, when the parser knows them.
    pub line_col: Option<(usize, usize)>,
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
    if is_blank(text) {
        return Loaded::NotManifest;
    }
    let cx = Cx {
        types,
        issues: RefCell::new(Vec::new()),
    };
    let mut documents = serde_yaml::Deserializer::from_str(text);
    let Some(first) = documents.next() else {
        return Loaded::NotManifest;
    };
    let root = match (RootSeed { cx: &cx }).deserialize(first) {
        Ok(root) => root,
        Err(e) => return syntax(&e),
    };
    // A file holds at most one manifest, in its first document. A manifest
    // in a later document would otherwise never be read: whatever comes
    // first, a later document with `schema:` is reported, never skipped.
    let is_manifest = !matches!(root, Root::NotManifest);
    for (index, document) in documents.enumerate().map(|(i, d)| (i + 1, d)) {
        let probe = ProbeSeed { types };
        match probe.deserialize(document) {
            Err(e) => return syntax(&e),
            // A trailing `---` opens an empty document: nothing more.
            Ok(Probe::Empty) => {}
            Ok(Probe::ForeignSchema) if tagged_schema(text).is_some() => {
                return Loaded::Syntax(SyntaxError {
                    message: "a manifest holds one YAML document, this file has more".into(),
                    line_col: None,
                    later_document: Some(LaterDocument {
                        index,
                        has_schema: true,
                    }),
                });
            }
            Ok(probe) if is_manifest || probe == Probe::Manifest => {
                return Loaded::Syntax(SyntaxError {
                    message: "a manifest holds one YAML document, this file has more".into(),
                    line_col: None,
                    later_document: Some(LaterDocument {
                        index,
                        has_schema: probe == Probe::Manifest,
                    }),
                });
            }
            Ok(_) => {}
        }
    }
    finish(root, cx, text)
}

fn finish(root: Root, cx: Cx, text: &str) -> Loaded {
    match root {
        Root::NotManifest => Loaded::NotManifest,
        // A tag can make any text of the value (`!!binary cGFy...`): a
        // tagged `schema:` is a manifest that hides its schema, not another
        // tool's file.
        Root::ForeignSchema => match tagged_schema(text) {
            Some(tag) => Loaded::BadSchema(Issue {
                path: Path::root().key("schema"),
                at: At::Value,
                message: format!("YAML tags such as `{tag}` have no meaning in a manifest"),
                label: "tagged".into(),
                help: Some(format!(
                    "remove `{tag}` and name the schema, such as `partnership/v1`"
                )),
                related: None,
            }),
            None => Loaded::NotManifest,
        },
        Root::BadSchema(issue) => Loaded::BadSchema(issue),
        Root::Manifest(schema, value) => Loaded::Manifest {
            schema,
            value,
            issues: cx.issues.into_inner(),
        },
    }
}

fn syntax(e: &serde_yaml::Error) -> Loaded {
    Loaded::Syntax(SyntaxError {
        message: clean_yaml_message(&e.to_string()),
        line_col: e.location().map(|l| (l.line(), l.column())),
        later_document: None,
    })
}

/// An empty file, or one with only comments, is a YAML file without
/// `schema:`: skipped like any other.
fn is_blank(text: &str) -> bool {
    // The line breaks the YAML parser knows, NEL and the Unicode separators
    // among them: a manifest behind `#<NEL>` is not a comment.
    text.split(['\n', '\r', '\u{85}', '\u{2028}', '\u{2029}'])
        .all(|l| {
            let t = l.trim();
            t.is_empty() || t.starts_with('#') || t == "---" || t == "..."
        })
}

/// serde_yaml appends " at line L column C" to its messages; the location is
/// shown separately.
fn clean_yaml_message(msg: &str) -> String {
    let msg = match msg.find(" at line ") {
        Some(i) => msg.get(..i).unwrap_or(msg),
        None => msg,
    };
    msg.trim_end_matches('.').to_string()
}

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

struct Cx<'t> {
    types: &'t Types,
    issues: RefCell<Vec<Issue>>,
}

impl Cx<'_> {
    fn issue(&self, path: &Link, at: At, message: String, label: &str, help: Option<String>) {
        self.issues.borrow_mut().push(Issue {
            path: path.path(),
            at,
            message,
            label: label.to_string(),
            help,
            related: None,
        });
    }

    fn ty_name(&self, ty: &Ty) -> String {
        self.types.display(ty).to_string()
    }

    /// The name of an enum value of a field of type `ty`.
    fn types_enum_name(&self, ty: &Ty, value: u32) -> String {
        match ty.required() {
            Ty::Enum(id) => self
                .types
                .enum_def(*id)
                .map_or_else(|| value.to_string(), |d| d.name_of(value).to_string()),
            _ => value.to_string(),
        }
    }
}

enum Root {
    NotManifest,
    /// The first key is `schema`, but its value is no schema id of ours.
    ForeignSchema,
    BadSchema(Issue),
    Manifest(usize, Value),
}

struct RootSeed<'a, 't> {
    cx: &'a Cx<'t>,
}

impl<'de> DeserializeSeed<'de> for RootSeed<'_, '_> {
    type Value = Root;
    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<Root, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for RootSeed<'_, '_> {
    type Value = Root;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a YAML document")
    }

    fn visit_bool<E>(self, _: bool) -> Result<Root, E> {
        Ok(Root::NotManifest)
    }
    fn visit_i64<E>(self, _: i64) -> Result<Root, E> {
        Ok(Root::NotManifest)
    }
    fn visit_u64<E>(self, _: u64) -> Result<Root, E> {
        Ok(Root::NotManifest)
    }
    fn visit_f64<E>(self, _: f64) -> Result<Root, E> {
        Ok(Root::NotManifest)
    }
    fn visit_i128<E>(self, _: i128) -> Result<Root, E> {
        Ok(Root::NotManifest)
    }
    fn visit_u128<E>(self, _: u128) -> Result<Root, E> {
        Ok(Root::NotManifest)
    }
    fn visit_str<E>(self, _: &str) -> Result<Root, E> {
        Ok(Root::NotManifest)
    }
    fn visit_unit<E>(self) -> Result<Root, E> {
        Ok(Root::NotManifest)
    }
    fn visit_none<E>(self) -> Result<Root, E> {
        Ok(Root::NotManifest)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Root, A::Error> {
        while seq.next_element::<IgnoredAny>()?.is_some() {}
        Ok(Root::NotManifest)
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Root, A::Error> {
        let cx = self.cx;
        let root = Path::root();
        let Some(first) = map.next_key_seed(KeySeed)? else {
            return Ok(Root::NotManifest);
        };
        if first != "schema" {
            // A near miss of `schema` is a manifest with a typo, not a file
            // to skip: skipping it would let it drop out of the check.
            let near = near_schema_key(&first);
            map.next_value::<IgnoredAny>()?;
            // A manifest whose `schema:` is not first would otherwise be
            // skipped without a word.
            let mut late_schema = false;
            while let Some(key) = map.next_key_seed(KeySeed)? {
                if key == "schema" {
                    let value: Option<String> = map.next_value_seed(ScalarSeed)?;
                    late_schema = value.is_some_and(|v| claims_schema(cx.types, &v));
                } else {
                    map.next_value::<IgnoredAny>()?;
                }
            }
            if late_schema {
                return Ok(Root::BadSchema(Issue {
                    path: root.key("schema"),
                    at: At::Key,
                    message: "`schema` must be the first key of a manifest".into(),
                    label: "not first".into(),
                    help: Some("move `schema:` to the top of the file".into()),
                    related: None,
                }));
            }
            if near {
                return Ok(Root::BadSchema(Issue {
                    path: root.key(&first),
                    at: At::Key,
                    message: format!("unknown key `{first}`, expected `schema` first"),
                    label: "unknown key".into(),
                    help: Some("did you mean `schema`?".into()),
                    related: None,
                }));
            }
            return Ok(Root::NotManifest);
        }
        let schema_path = root.key("schema");
        let name: Option<String> = map.next_value_seed(ScalarSeed)?;
        let Some(name) = name else {
            drain(&mut map)?;
            return Ok(Root::BadSchema(Issue {
                path: schema_path,
                at: At::Value,
                message: "`schema` must name a schema, such as `partnership/v1`".into(),
                label: "not a schema id".into(),
                help: None,
                related: None,
            }));
        };
        let Some((index, schema)) = cx.types.schema(&name) else {
            drain(&mut map)?;
            // Other tools' YAML has `schema:` keys too (`schema:
            // ./schema.graphql`); only an id shaped like ours, or close to
            // a loaded one, makes the file a manifest.
            if !claims_schema(cx.types, &name) {
                return Ok(Root::ForeignSchema);
            }
            let ids: Vec<&str> = cx.types.schemas.iter().map(|s| s.id.as_str()).collect();
            let help = match did_you_mean(&name, ids.iter().copied()) {
                Some(s) => format!("did you mean `{s}`?"),
                None => format!("the loaded schemas are: {}", ids.join(", ")),
            };
            return Ok(Root::BadSchema(Issue {
                path: schema_path,
                at: At::Value,
                message: format!("unknown schema `{name}`"),
                label: "no loaded schema has this id".into(),
                help: Some(help),
                related: None,
            }));
        };
        let value = visit_record(cx, schema.root, Link::Root, map, true)?;
        Ok(Root::Manifest(index, value))
    }
}

/// What a later document of a file is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Probe {
    /// Nothing (`~`, or an empty document after a trailing `---`).
    Empty,
    /// A mapping with a `schema:` key that names a schema.
    Manifest,
    /// A mapping with a `schema:` key that names no schema of ours.
    ForeignSchema,
    Other,
}

struct ProbeSeed<'t> {
    types: &'t Types,
}

impl<'de> DeserializeSeed<'de> for ProbeSeed<'_> {
    type Value = Probe;
    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<Probe, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for ProbeSeed<'_> {
    type Value = Probe;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a YAML document")
    }
    fn visit_unit<E>(self) -> Result<Probe, E> {
        Ok(Probe::Empty)
    }
    fn visit_none<E>(self) -> Result<Probe, E> {
        Ok(Probe::Empty)
    }
    fn visit_bool<E>(self, _: bool) -> Result<Probe, E> {
        Ok(Probe::Other)
    }
    fn visit_i64<E>(self, _: i64) -> Result<Probe, E> {
        Ok(Probe::Other)
    }
    fn visit_u64<E>(self, _: u64) -> Result<Probe, E> {
        Ok(Probe::Other)
    }
    fn visit_f64<E>(self, _: f64) -> Result<Probe, E> {
        Ok(Probe::Other)
    }
    fn visit_str<E>(self, _: &str) -> Result<Probe, E> {
        Ok(Probe::Other)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Probe, A::Error> {
        while seq.next_element::<IgnoredAny>()?.is_some() {}
        Ok(Probe::Other)
    }
    /// A tag does not hide what it tags: `--- !x` before a manifest.
    fn visit_enum<A: de::EnumAccess<'de>>(self, data: A) -> Result<Probe, A::Error> {
        let (_, variant): (IgnoredAny, _) = data.variant()?;
        match de::VariantAccess::newtype_variant_seed(variant, self)? {
            Probe::Empty => Ok(Probe::Other),
            probe => Ok(probe),
        }
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Probe, A::Error> {
        let mut probe = Probe::Other;
        while let Some(key) = map.next_key_seed(KeySeed)? {
            if key == "schema" || near_schema_key(&key) {
                let value: Option<String> = map.next_value_seed(ScalarSeed)?;
                if value.is_some_and(|v| claims_schema(self.types, &v)) {
                    probe = Probe::Manifest;
                } else if probe == Probe::Other {
                    probe = Probe::ForeignSchema;
                }
            } else {
                map.next_value::<IgnoredAny>()?;
            }
        }
        Ok(probe)
    }
}

/// Whether a `schema:` value marks the file as a manifest: an id such as
/// `partnership/v2` (name, slash, version), or a misspelling of a loaded one.
fn claims_schema(types: &Types, value: &str) -> bool {
    // Case does not make a different schema id: `PARTNERSHIP/V1` is a
    // misspelling, not another tool's key.
    let value = &value.to_ascii_lowercase();
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

/// The tag (or anchor) written before the value of a top-level `schema:`
/// key, if any.
fn tagged_schema(text: &str) -> Option<&str> {
    let line = text.lines().find(|l| {
        let l = l.trim_start_matches(['"', '\'']);
        l.starts_with("schema")
            && l.get(6..).is_some_and(|r| {
                r.trim_start_matches(['"', '\''])
                    .trim_start()
                    .starts_with(':')
            })
    })?;
    let value = line.split_once(':')?.1.trim_start();
    value
        .starts_with(['!', '&'])
        .then(|| value.split_whitespace().next().unwrap_or(value))
}

/// A first key that is a misspelling of `schema` (`Schema`, `SCHEMA`,
/// `shcema`): the file is a manifest with a typo, not a file to skip.
fn near_schema_key(key: &str) -> bool {
    key.len() >= 4 && did_you_mean(&key.to_ascii_lowercase(), ["schema"]).is_some()
}

fn drain<'de, A: MapAccess<'de>>(map: &mut A) -> Result<(), A::Error> {
    while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
    Ok(())
}

/// A mapping key as text; keys that are not scalars become `<complex key>`.
struct KeySeed;

impl<'de> DeserializeSeed<'de> for KeySeed {
    type Value = Cow<'de, str>;
    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_any(KeySeed)
    }
}

/// Keys are borrowed from the text when the parser allows it: most keys
/// never need a copy.
impl<'de> Visitor<'de> for KeySeed {
    type Value = Cow<'de, str>;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a key")
    }
    fn visit_borrowed_str<E>(self, v: &'de str) -> Result<Self::Value, E> {
        Ok(Cow::Borrowed(v))
    }
    fn visit_str<E>(self, v: &str) -> Result<Self::Value, E> {
        Ok(Cow::Owned(v.to_string()))
    }
    fn visit_bool<E>(self, v: bool) -> Result<Self::Value, E> {
        Ok(Cow::Owned(v.to_string()))
    }
    fn visit_i64<E>(self, v: i64) -> Result<Self::Value, E> {
        Ok(Cow::Owned(v.to_string()))
    }
    fn visit_u64<E>(self, v: u64) -> Result<Self::Value, E> {
        Ok(Cow::Owned(v.to_string()))
    }
    fn visit_f64<E>(self, v: f64) -> Result<Self::Value, E> {
        Ok(Cow::Owned(v.to_string()))
    }
    fn visit_i128<E>(self, v: i128) -> Result<Self::Value, E> {
        Ok(Cow::Owned(v.to_string()))
    }
    fn visit_u128<E>(self, v: u128) -> Result<Self::Value, E> {
        Ok(Cow::Owned(v.to_string()))
    }
    fn visit_unit<E>(self) -> Result<Self::Value, E> {
        Ok(Cow::Borrowed("null"))
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        while seq.next_element::<IgnoredAny>()?.is_some() {}
        Ok(Cow::Borrowed("<complex key>"))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        drain(&mut map)?;
        Ok(Cow::Borrowed("<complex key>"))
    }
}

/// A scalar as text, `None` for anything else.
struct ScalarSeed;

impl<'de> DeserializeSeed<'de> for ScalarSeed {
    type Value = Option<String>;
    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<Option<String>, D::Error> {
        d.deserialize_any(ScalarSeed)
    }
}

impl<'de> Visitor<'de> for ScalarSeed {
    type Value = Option<String>;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a scalar")
    }
    fn visit_str<E>(self, v: &str) -> Result<Self::Value, E> {
        Ok(Some(v.to_string()))
    }
    fn visit_bool<E>(self, _: bool) -> Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_i64<E>(self, _: i64) -> Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_u64<E>(self, _: u64) -> Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_f64<E>(self, _: f64) -> Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_i128<E>(self, _: i128) -> Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_u128<E>(self, _: u128) -> Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_unit<E>(self) -> Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        while seq.next_element::<IgnoredAny>()?.is_some() {}
        Ok(None)
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        drain(&mut map)?;
        Ok(None)
    }
    /// A tagged value (`!custom partnership/v1`) names no schema.
    fn visit_enum<A: de::EnumAccess<'de>>(self, data: A) -> Result<Self::Value, A::Error> {
        let (_, variant): (IgnoredAny, _) = data.variant()?;
        de::VariantAccess::newtype_variant::<IgnoredAny>(variant)?;
        Ok(None)
    }
}

/// The keys of one mapping seen so far, with how often each came: a short
/// list while the mapping is small, as nearly all are, and a hash map past
/// that, so that a mapping of 200,000 keys costs no more per key than one
/// of ten.
#[derive(Default)]
struct SeenKeys<'de> {
    small: Vec<(Cow<'de, str>, usize)>,
    large: HashMap<Cow<'de, str>, usize>,
}

impl<'de> SeenKeys<'de> {
    const SMALL: usize = 32;

    /// Counts one more occurrence of `key`; returns how many came before.
    fn bump(&mut self, key: Cow<'de, str>) -> usize {
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

fn visit_record<'de, A: MapAccess<'de>>(
    cx: &Cx,
    rid: RecordId,
    path: Link,
    mut map: A,
    is_root: bool,
) -> Result<Value, A::Error> {
    let Some(rec) = cx.types.record(rid) else {
        drain(&mut map)?;
        return Ok(Value::Invalid);
    };
    let mut slots: Vec<Option<Value>> = vec![None; rec.fields.len()];
    let mut counts = SeenKeys::default();
    // Fields that an unknown key was probably meant to be: their absence is
    // the same mistake, reported once.
    let mut suggested: Vec<&str> = Vec::new();
    // After a merge key the missing fields are probably in the merged
    // mapping: they are not reported one by one.
    let mut merged = false;
    while let Some(key) = map.next_key_seed(KeySeed)? {
        let seen = counts.bump(key.clone());
        if seen > 0 || (is_root && key == "schema") {
            let first = if seen > 0 {
                ""
            } else {
                " (`schema` comes first, once)"
            };
            cx.issue(
                &Link::Key(&path, &key),
                At::KeyOccurrence(if is_root && key == "schema" {
                    seen + 1
                } else {
                    seen
                }),
                format!("duplicate key `{key}`{first}"),
                "duplicate key",
                Some(
                    "remove one of the entries: YAML keeps only one, so the other is silently lost"
                        .into(),
                ),
            );
            map.next_value::<IgnoredAny>()?;
            continue;
        }
        if key == "<<" {
            cx.issue(
                &Link::Key(&path, &key),
                At::Key,
                "YAML merge keys (`<<`) are not supported in manifests".into(),
                "merge key",
                Some("write the fields out: a reviewer should see every value of a grant".into()),
            );
            map.next_value::<IgnoredAny>()?;
            merged = true;
            continue;
        }
        match rec.field(&key) {
            Some((index, field)) => {
                let seed = TypedSeed {
                    cx,
                    ty: &field.ty,
                    path: Link::Key(&path, &key),
                    rules: Some(&field.rules),
                };
                let value = map.next_value_seed(seed)?;
                if let Some(slot) = slots.get_mut(index) {
                    *slot = value;
                }
            }
            None => {
                let help = match did_you_mean(&key, rec.field_names()) {
                    Some(s) => {
                        suggested.push(s);
                        format!("did you mean `{s}`?")
                    }
                    None => format!(
                        "the keys of `{}` are: {}",
                        rec.name,
                        rec.field_names().collect::<Vec<_>>().join(", ")
                    ),
                };
                cx.issue(
                    &Link::Key(&path, &key),
                    At::Key,
                    format!("unknown key `{key}` in `{}`", rec.name),
                    "unknown key",
                    Some(help),
                );
                map.next_value::<IgnoredAny>()?;
            }
        }
    }
    for (field, slot) in rec.fields.iter().zip(&slots) {
        if slot.is_none()
            && !field.ty.is_optional()
            && !merged
            && !suggested.contains(&field.name.as_str())
        {
            let ty = cx.ty_name(&field.ty);
            cx.issue(
                &path,
                if matches!(path, Link::Root) {
                    At::Value
                } else {
                    At::Key
                },
                format!("missing required field `{}` in `{}`", field.name, rec.name),
                &format!("`{}` has no `{}`", rec.name, field.name),
                Some(format!("add `{}:` (a `{ty}`)", field.name)),
            );
        }
    }
    Ok(Value::Record(slots))
}

/// Deserializes one value of a declared type. Returns `None` for an
/// explicit `null` (an absent optional); a mismatch is recorded as an issue
/// and yields `Value::Invalid`.
struct TypedSeed<'a, 't> {
    cx: &'a Cx<'t>,
    ty: &'a Ty,
    path: Link<'a>,
    /// The declaring field's constraints, for the field's own value.
    rules: Option<&'a FieldRules>,
}

impl<'de> DeserializeSeed<'de> for TypedSeed<'_, '_> {
    type Value = Option<Value>;
    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<Option<Value>, D::Error> {
        d.deserialize_any(self)
    }
}

impl TypedSeed<'_, '_> {
    fn mismatch(&self, found: &str) -> Option<Value> {
        let want = self.cx.ty_name(self.ty.required());
        let help = match self.ty.required() {
            Ty::Str => Some("quote the value to make it a string".to_string()),
            Ty::Date => Some("write dates as YYYY-MM-DD".to_string()),
            Ty::Duration => Some("write durations as days (`30d`) or weeks (`2w`)".to_string()),
            Ty::List(_) => Some("write a list, for example `[a, b]`".to_string()),
            Ty::Bool => Some("write `true` or `false`".to_string()),
            _ => None,
        };
        self.cx.issue(
            &self.path,
            At::Value,
            format!("expected {}, found {found}", article(&want)),
            &format!("expected {}", article(&want)),
            help,
        );
        Some(Value::Invalid)
    }

    /// An int, checked against the field's bounds.
    fn bounded(&self, v: i64) -> Value {
        let Some(rules) = self.rules else {
            return Value::Int(v);
        };
        let (broken, label) = match (rules.min, rules.max) {
            (Some(min), _) if v < min => (true, format!("less than {min}")),
            (_, Some(max)) if v > max => (true, format!("more than {max}")),
            _ => (false, String::new()),
        };
        if !broken {
            return Value::Int(v);
        }
        let range = match (rules.min, rules.max) {
            (Some(0), None) => "a number that is not negative".to_string(),
            (Some(min), None) => format!("at least {min}"),
            (None, Some(max)) => format!("at most {max}"),
            (Some(min), Some(max)) => format!("from {min} to {max}"),
            (None, None) => String::new(),
        };
        self.cx.issue(
            &self.path,
            At::Value,
            format!("`{v}` is out of range: expected {range}"),
            &label,
            None,
        );
        Value::Invalid
    }

    fn scalar_text(&self, text: &str) -> Option<Value> {
        let cx = self.cx;
        match self.ty.required() {
            Ty::Str
                if self.rules.is_some_and(|r| r.not_blank)
                    && !text.chars().any(|c| {
                        // The Hangul fillers are letters that show nothing.
                        c.is_alphanumeric()
                            && !matches!(c, '\u{115f}' | '\u{1160}' | '\u{3164}' | '\u{ffa0}')
                    }) =>
            {
                let name = match self.path {
                    Link::Key(_, key) => format!("`{key}`"),
                    _ => "this value".to_string(),
                };
                cx.issue(
                    &self.path,
                    At::Value,
                    format!("{name} must not be blank: it has no letter or digit"),
                    "blank",
                    Some("write what it asks for: a waiver is only as good as its reason and its approver".into()),
                );
                Some(Value::Invalid)
            }
            Ty::Str => Some(Value::Str(text.to_string())),
            Ty::Date => match Date::parse(text) {
                Some(d) => Some(Value::Date(d)),
                None => {
                    cx.issue(
                        &self.path,
                        At::Value,
                        format!("`{text}` is not a valid date"),
                        "not a date",
                        Some("write dates as YYYY-MM-DD, for example `2019-06-01`".into()),
                    );
                    Some(Value::Invalid)
                }
            },
            Ty::Duration => match parse_duration(text) {
                Some(d) => Some(Value::Duration(d)),
                None => {
                    cx.issue(
                        &self.path,
                        At::Value,
                        format!("`{text}` is not a valid duration"),
                        "not a duration",
                        Some("write durations as whole days (`30d`) or weeks (`2w`)".into()),
                    );
                    Some(Value::Invalid)
                }
            },
            Ty::Enum(id) => {
                let Some(def) = cx.types.enum_def(*id) else {
                    return Some(Value::Invalid);
                };
                match def.index(text) {
                    Some(i) => Some(Value::Enum(i)),
                    None => {
                        let same_letters = def
                            .values
                            .iter()
                            .find(|v| v.eq_ignore_ascii_case(text))
                            .map(String::as_str);
                        let help = match same_letters
                            .or_else(|| known_alias(text).filter(|a| def.index(a).is_some()))
                            .or_else(|| did_you_mean(text, def.values.iter().map(String::as_str)))
                        {
                            Some(s) => Some(format!("did you mean `{s}`?")),
                            None if def.values.len() <= 12 => {
                                Some(format!("expected one of: {}", def.values.join(", ")))
                            }
                            None => None,
                        };
                        cx.issue(
                            &self.path,
                            At::Value,
                            format!("`{text}` is not a value of `{}`", def.name),
                            "unknown value",
                            help,
                        );
                        Some(Value::Invalid)
                    }
                }
            }
            _ => self.mismatch(&format!("string `{text}`")),
        }
    }
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

impl<'de> Visitor<'de> for TypedSeed<'_, '_> {
    type Value = Option<Value>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        write!(f, "{}", self.cx.ty_name(self.ty))
    }

    fn visit_bool<E>(self, v: bool) -> Result<Self::Value, E> {
        Ok(match self.ty.required() {
            Ty::Bool => Some(Value::Bool(v)),
            _ => self.mismatch(&format!("boolean `{v}`")),
        })
    }

    fn visit_i64<E>(self, v: i64) -> Result<Self::Value, E> {
        Ok(match self.ty.required() {
            Ty::Int => Some(self.bounded(v)),
            _ => self.mismatch(&format!("integer `{v}`")),
        })
    }

    fn visit_u64<E>(self, v: u64) -> Result<Self::Value, E> {
        Ok(match (self.ty.required(), i64::try_from(v)) {
            (Ty::Int, Ok(i)) => Some(self.bounded(i)),
            (Ty::Int, Err(_)) => self.mismatch(&format!("integer `{v}`, which is too large")),
            _ => self.mismatch(&format!("integer `{v}`")),
        })
    }

    fn visit_f64<E>(self, v: f64) -> Result<Self::Value, E> {
        Ok(self.mismatch(&format!("number `{v}`")))
    }

    fn visit_i128<E>(self, v: i128) -> Result<Self::Value, E> {
        Ok(match self.ty.required() {
            Ty::Int => self.mismatch(&format!("integer `{v}`, which is too large")),
            _ => self.mismatch(&format!("integer `{v}`")),
        })
    }

    fn visit_u128<E>(self, v: u128) -> Result<Self::Value, E> {
        Ok(match self.ty.required() {
            Ty::Int => self.mismatch(&format!("integer `{v}`, which is too large")),
            _ => self.mismatch(&format!("integer `{v}`")),
        })
    }

    /// A tagged value (`!custom 5`): valid YAML that a manifest has no use
    /// for.
    fn visit_enum<A: de::EnumAccess<'de>>(self, data: A) -> Result<Self::Value, A::Error> {
        let (tag, variant): (Cow<str>, _) = data.variant_seed(KeySeed)?;
        de::VariantAccess::newtype_variant::<IgnoredAny>(variant)?;
        self.cx.issue(
            &self.path,
            At::Value,
            format!("YAML tags such as `!{tag}` have no meaning in a manifest"),
            "tagged value",
            Some(format!("remove `!{tag}`")),
        );
        Ok(Some(Value::Invalid))
    }

    fn visit_str<E>(self, v: &str) -> Result<Self::Value, E> {
        Ok(self.scalar_text(v))
    }

    fn visit_unit<E>(self) -> Result<Self::Value, E> {
        if self.ty.is_optional() {
            return Ok(None);
        }
        Ok(self.mismatch("nothing (`null`)"))
    }

    fn visit_none<E>(self) -> Result<Self::Value, E> {
        if self.ty.is_optional() {
            return Ok(None);
        }
        Ok(self.mismatch("nothing (`null`)"))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        let Ty::List(elem) = self.ty.required() else {
            while seq.next_element::<IgnoredAny>()?.is_some() {}
            return Ok(self.mismatch("a list"));
        };
        let parent = self.path;
        let mut items = Vec::new();
        loop {
            let seed = TypedSeed {
                cx: self.cx,
                ty: elem,
                path: Link::Index(&parent, items.len()),
                rules: None,
            };
            match seq.next_element_seed(seed)? {
                Some(Some(v)) => items.push(v),
                Some(None) => {
                    // `- ~` in a list of required values.
                    let path = Link::Index(&parent, items.len());
                    self.cx.issue(
                        &path,
                        At::Value,
                        "list items cannot be empty".into(),
                        "empty item",
                        Some("remove the item or give it a value".into()),
                    );
                    items.push(Value::Invalid);
                }
                None => break,
            }
        }
        if let Ty::Record(rid) = elem.required() {
            unique_fields(self.cx, *rid, &parent, &items);
        }
        Ok(Some(Value::List(items)))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        match self.ty.required() {
            Ty::Record(rid) => Ok(Some(visit_record(self.cx, *rid, self.path, map, false)?)),
            Ty::Map(k, v) => {
                let parent = self.path;
                let mut entries: Vec<(Value, Value)> = Vec::new();
                let mut keys = SeenKeys::default();
                while let Some(key) = map.next_key_seed(KeySeed)? {
                    let path = Link::Key(&parent, &key);
                    let seen = keys.bump(key.clone());
                    if seen > 0 {
                        self.cx.issue(
                            &path,
                            At::KeyOccurrence(seen),
                            format!("duplicate key `{key}`"),
                            "duplicate key",
                            Some("remove one of the entries: YAML keeps only one, so the other is silently lost".into()),
                        );
                        map.next_value::<IgnoredAny>()?;
                        continue;
                    }
                    let key_seed = TypedSeed {
                        cx: self.cx,
                        ty: k,
                        path,
                        rules: None,
                    };
                    let key_value = key_seed.key_value(&key);
                    let seed = TypedSeed {
                        cx: self.cx,
                        ty: v,
                        path,
                        rules: None,
                    };
                    let value = map.next_value_seed(seed)?.unwrap_or(Value::Invalid);
                    entries.push((key_value, value));
                }
                Ok(Some(Value::Map(entries)))
            }
            _ => {
                drain(&mut map)?;
                Ok(self.mismatch("a mapping"))
            }
        }
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

/// Reports the second and later items of a list of records that repeat a
/// value of a `unique` field, each pointing at the first.
fn unique_fields(cx: &Cx, rid: RecordId, list: &Link, items: &[Value]) {
    let Some(rec) = cx.types.record(rid) else {
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
            let Some(key) = slots
                .get(index)
                .and_then(Option::as_ref)
                .and_then(unique_key)
            else {
                continue;
            };
            let shown = match &key {
                UniqueKey::Str(s) => (*s).to_string(),
                _ => slots
                    .get(index)
                    .and_then(Option::as_ref)
                    .map(|v| v.render(&|e| cx.types_enum_name(&field.ty, e)))
                    .unwrap_or_default(),
            };
            match first.get(&key) {
                None => {
                    first.insert(key, i);
                }
                Some(&j) => {
                    let item_link = Link::Index(list, i);
                    let first_link = Link::Index(list, j);
                    let mut issue = Issue {
                        path: Link::Key(&item_link, &field.name).path(),
                        at: At::Value,
                        message: format!(
                            "duplicate {} `{}` `{shown}`: item {} of the list has it too",
                            rec.name.to_lowercase(),
                            field.name,
                            j + 1
                        ),
                        label: format!("`{}` again", field.name),
                        help: Some(format!(
                            "give each {} its own `{}`: other parts of the manifest refer to it",
                            rec.name.to_lowercase(),
                            field.name
                        )),
                        related: None,
                    };
                    issue.related = Some((
                        Link::Key(&first_link, &field.name).path(),
                        "first used here".to_string(),
                    ));
                    cx.issues.borrow_mut().push(issue);
                }
            }
        }
    }
}

impl TypedSeed<'_, '_> {
    /// Validates a map key against the key type; problems point at the key.
    fn key_value(&self, key: &str) -> Value {
        let before = self.cx.issues.borrow().len();
        let value = self.scalar_text(key).unwrap_or(Value::Invalid);
        for issue in self.cx.issues.borrow_mut().iter_mut().skip(before) {
            issue.at = At::Key;
        }
        value
    }
}
