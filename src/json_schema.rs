//! A schema of the loaded policies as JSON Schema (draft-07), the format
//! YAML editors read: with it, yaml-language-server (VS Code's YAML
//! extension, neovim, and others built on it) completes and validates a
//! manifest while it is typed.
//!
//! The JSON Schema says what the manifest loader (`manifest::load`)
//! accepts, as far as JSON Schema can say it. Every manifest the loader
//! accepts validates against it, and what the loader rejects fails it
//! where the rejection can be written: unknown keys (every record has
//! `additionalProperties: false`), missing fields, wrong types, `null`
//! where a value is required, unknown enum values, dates that are not
//! days of the calendar, durations that are not days or weeks, and the
//! fields' bounds and `not blank`. What JSON Schema cannot say is left to
//! `proviso check`: that `schema:` comes first, duplicate keys, YAML tags
//! and merge keys, `unique` fields, and durations past a 64-bit count of
//! days.
//!
//! The types follow the loader's reading of YAML (the 1.2 core schema, as
//! a YAML library hands a document to a JSON Schema validator): `yes` is a
//! string and `007` a string, `true` a boolean, `30` an integer, and a
//! date such as `2019-06-01` a string that must match the date pattern.

use crate::check::Program;
use crate::schema::{EnumDef, EnumId, FieldDef, FieldRules, RecordId, SchemaDef, Ty, Types};
use crate::suggest::did_you_mean;
use serde_json::{json, Map, Value};
use std::collections::BTreeSet;
use std::fmt;

/// The JSON Schema dialect written: draft-07, the newest that
/// yaml-language-server reads.
pub const DRAFT_07: &str = "http://json-schema.org/draft-07/schema#";

/// `YYYY-MM-DD`, a day of the proleptic Gregorian calendar, as
/// [`crate::date::Date::parse`] accepts it: February has its 29th in leap
/// years only (every fourth year, but not centuries unless divisible by
/// 400). ASCII digits only, as in the loader (`\d` would take any
/// script's digits in some regex engines).
pub const DATE_PATTERN: &str = concat!(
    "^(?:[0-9]{4}-(?:(?:0[13578]|1[02])-(?:0[1-9]|[12][0-9]|3[01])",
    "|(?:0[469]|11)-(?:0[1-9]|[12][0-9]|30)",
    "|02-(?:0[1-9]|1[0-9]|2[0-8]))",
    "|(?:[0-9]{2}(?:0[48]|[2468][048]|[13579][26])|(?:[02468][048]|[13579][26])00)-02-29)$"
);

/// A duration: a whole number of days (`30d`) or weeks (`2w`).
pub const DURATION_PATTERN: &str = "^[0-9]+[dw]$";

/// A string that is `not blank`: it has a letter or a digit (Unicode's
/// Alphabetic or Number), other than the Hangul fillers, which are letters
/// that show nothing.
pub const NOT_BLANK_PATTERN: &str = r"(?![\u115F\u1160\u3164\uFFA0])[\p{Alphabetic}\p{N}]";

/// Why no JSON Schema was written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Error {
    /// `proviso schema partnersihp/v1 --json-schema`: no loaded schema has
    /// this id.
    Unknown {
        name: String,
        /// The closest loaded id, if one is close.
        suggestion: Option<String>,
        loaded: Vec<String>,
    },
    /// `proviso schema --json-schema` when the policies declare more than
    /// one schema.
    Ambiguous { loaded: Vec<String> },
    /// `proviso schema --json-schema --policy rules.proviso` when the
    /// policies declare no schema.
    NoSchema,
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Unknown { name, .. } => write!(f, "unknown schema `{name}`"),
            Error::Ambiguous { loaded } => write!(
                f,
                "the policies declare {} schemas; name the one to write",
                loaded.len()
            ),
            Error::NoSchema => f.write_str("the policies declare no schema"),
        }
    }
}

impl std::error::Error for Error {}

impl Error {
    /// How to fix it.
    pub fn help(&self) -> String {
        match self {
            Error::Unknown {
                suggestion: Some(s),
                ..
            } => format!("did you mean `{s}`?"),
            Error::Unknown { loaded, .. } if loaded.is_empty() => {
                "the policies declare no schema".to_string()
            }
            Error::Unknown { loaded, .. } | Error::Ambiguous { loaded } => {
                format!("the loaded schemas are: {}", loaded.join(", "))
            }
            Error::NoSchema => {
                "declare one (`schema NAME/v1 { ... }`) in a file given with `--policy`".to_string()
            }
        }
    }
}

/// The schema named `name`, or, without a name, the only loaded schema.
pub fn pick<'t>(types: &'t Types, name: Option<&str>) -> Result<&'t SchemaDef, Error> {
    let loaded = || types.schemas.iter().map(|s| s.id.clone()).collect();
    match name {
        Some(name) => match types.schema(name) {
            Some((_, schema)) => Ok(schema),
            None => Err(Error::Unknown {
                name: name.to_string(),
                suggestion: did_you_mean(name, types.schemas.iter().map(|s| s.id.as_str()))
                    .map(str::to_string),
                loaded: loaded(),
            }),
        },
        None => {
            // The shipped schema, loaded beside a project's own files, is
            // not what a project that declares its own schema means.
            let own: Vec<&SchemaDef> = types
                .schemas
                .iter()
                .filter(|s| !crate::shipped::is_shipped(&s.span.src.name))
                .collect();
            match (types.schemas.as_slice(), own.as_slice()) {
                ([], _) => Err(Error::NoSchema),
                ([only], _) => Ok(only),
                (_, [only]) => Ok(*only),
                _ => Err(Error::Ambiguous { loaded: loaded() }),
            }
        }
    }
}

/// The JSON Schema of the loaded schema `name` (such as `partnership/v1`):
/// the root record as the document, every record and enum it reaches under
/// `definitions`, each field and type described by its doc comment. Keys
/// come in a fixed order, so the same policies give the same text.
pub fn json_schema(program: &Program, name: &str) -> Result<Value, Error> {
    let types = &program.types;
    let schema = pick(types, Some(name))?;
    let index = types
        .schemas
        .iter()
        .position(|s| s.id == schema.id)
        .unwrap_or_default();
    let Some(root) = types.record(schema.root) else {
        return Err(Error::Unknown {
            name: name.to_string(),
            suggestion: None,
            loaded: Vec::new(),
        });
    };
    let rule_ids = program
        .rules
        .iter()
        .filter(|r| r.schema == index)
        .map(|r| r.id.clone())
        .collect();
    let gen = Gen::new(types, schema.root, rule_ids);

    let mut doc = Map::new();
    doc.insert("$schema".into(), json!(DRAFT_07));
    doc.insert(
        "$id".into(),
        json!(format!("urn:proviso:schema:{}", schema.id)),
    );
    doc.insert("title".into(), json!(schema.id));
    if !root.doc.is_empty() {
        doc.insert("description".into(), json!(root.doc));
    }
    doc.insert("type".into(), json!("object"));
    let mut properties = Map::new();
    properties.insert(
        "schema".into(),
        json!({
            "description": format!(
                "The schema this manifest follows, `{}`: the manifest's first key.",
                schema.id
            ),
            "type": "string",
            "enum": [schema.id],
        }),
    );
    let mut required = vec![json!("schema")];
    gen.fields(schema.root, &mut properties, &mut required);
    doc.insert("properties".into(), Value::Object(properties));
    doc.insert("required".into(), Value::Array(required));
    doc.insert("additionalProperties".into(), json!(false));
    let mut definitions = Map::new();
    for (rid, key) in &gen.records {
        definitions.insert(key.clone(), gen.record(*rid));
    }
    for (eid, key) in &gen.enums {
        if let Some(def) = types.enum_def(*eid) {
            definitions.insert(key.clone(), enum_def(def));
        }
    }
    for (scalar, key) in &gen.scalars {
        definitions.insert(key.clone(), scalar.definition());
    }
    if !definitions.is_empty() {
        doc.insert("definitions".into(), Value::Object(definitions));
    }
    Ok(Value::Object(doc))
}

/// What the JSON Schema of one schema is made of.
struct Gen<'t> {
    types: &'t Types,
    root: RecordId,
    /// Every record the root reaches, but the root, with its key under
    /// `definitions`, in declaration order.
    records: Vec<(RecordId, String)>,
    /// Every enum the root reaches, with its key, in declaration order.
    enums: Vec<(EnumId, String)>,
    /// The scalar types with a definition of their own that the root
    /// reaches, with their keys.
    scalars: Vec<(Scalar, String)>,
    /// The record of the root's `waivers`, whose `rule` names a rule of the
    /// schema (`waivers::read`): the rules' ids are offered as examples.
    waiver: Option<RecordId>,
    rule_ids: Vec<String>,
}

impl<'t> Gen<'t> {
    fn new(types: &'t Types, root: RecordId, rule_ids: Vec<String>) -> Gen<'t> {
        let mut records = BTreeSet::new();
        let mut enums = BTreeSet::new();
        let (mut dates, mut durations) = (false, false);
        let mut stack: Vec<&Ty> = Vec::new();
        let root_fields = types.record(root).map(|r| r.fields.as_slice());
        stack.extend(root_fields.unwrap_or_default().iter().map(|f| &f.ty));
        while let Some(ty) = stack.pop() {
            match ty {
                Ty::Bool | Ty::Int | Ty::Str => {}
                Ty::Date => dates = true,
                Ty::Duration => durations = true,
                Ty::Enum(e) => {
                    enums.insert(*e);
                }
                Ty::Record(r) => {
                    if *r != root && records.insert(*r) {
                        if let Some(rec) = types.record(*r) {
                            stack.extend(rec.fields.iter().map(|f| &f.ty));
                        }
                    }
                }
                Ty::List(inner) | Ty::Optional(inner) => stack.push(inner),
                Ty::Map(k, v) => {
                    stack.push(k);
                    stack.push(v);
                }
            }
        }
        // Two files may each declare a record or enum of the same name; the
        // later one gets a number. `date` and `duration` are the scalar
        // types' own.
        let mut taken: BTreeSet<String> = BTreeSet::new();
        let mut key = |name: &str| {
            let mut key = name.to_string();
            let mut n = 1;
            while taken.contains(&key) {
                n += 1;
                key = format!("{name}_{n}");
            }
            taken.insert(key.clone());
            key
        };
        let scalars = [(Scalar::Date, dates), (Scalar::Duration, durations)]
            .into_iter()
            .filter(|(_, used)| *used)
            .map(|(scalar, _)| (scalar, key(scalar.name())))
            .collect();
        let records = records
            .into_iter()
            .filter_map(|r| Some((r, key(&types.record(r)?.name))))
            .collect();
        let enums = enums
            .into_iter()
            .filter_map(|e| Some((e, key(&types.enum_def(e)?.name))))
            .collect();
        let waiver = types
            .record(root)
            .and_then(|r| r.field("waivers"))
            .and_then(|(_, f)| match f.ty.required() {
                Ty::List(elem) => match elem.required() {
                    Ty::Record(w) => Some(*w),
                    _ => None,
                },
                _ => None,
            });
        Gen {
            types,
            root,
            records,
            enums,
            scalars,
            waiver,
            rule_ids,
        }
    }

    /// The properties of a record's fields, and the required ones' names.
    fn fields(
        &self,
        rid: RecordId,
        properties: &mut Map<String, Value>,
        required: &mut Vec<Value>,
    ) {
        let Some(rec) = self.types.record(rid) else {
            return;
        };
        for field in &rec.fields {
            // A root field named `schema` can never be written: its key
            // names the schema, and a second one is a duplicate.
            if rid == self.root && field.name == "schema" {
                continue;
            }
            properties.insert(field.name.clone(), self.field(rid, field));
            if !field.ty.is_optional() {
                required.push(json!(field.name));
            }
        }
    }

    fn field(&self, rid: RecordId, field: &FieldDef) -> Value {
        let mut out = Map::new();
        if !field.doc.is_empty() {
            out.insert("description".into(), json!(field.doc));
        }
        out.extend(self.ty(&field.ty, Some(&field.rules)));
        if self.waiver == Some(rid) && field.name == "rule" && *field.ty.required() == Ty::Str {
            out.insert("examples".into(), json!(self.rule_ids));
        }
        Value::Object(out)
    }

    fn record(&self, rid: RecordId) -> Value {
        let mut out = Map::new();
        if let Some(doc) = self.types.record(rid).map(|r| &r.doc) {
            if !doc.is_empty() {
                out.insert("description".into(), json!(doc));
            }
        }
        out.insert("type".into(), json!("object"));
        let mut properties = Map::new();
        let mut required = Vec::new();
        self.fields(rid, &mut properties, &mut required);
        out.insert("properties".into(), Value::Object(properties));
        if !required.is_empty() {
            out.insert("required".into(), Value::Array(required));
        }
        out.insert("additionalProperties".into(), json!(false));
        Value::Object(out)
    }

    /// The schema of a value of type `ty`; `rules` are its field's.
    fn ty(&self, ty: &Ty, rules: Option<&FieldRules>) -> Map<String, Value> {
        let mut out = Map::new();
        match ty {
            // A `null` (or an empty value) is an optional value left out.
            Ty::Optional(inner) => return nullable(self.ty(inner, rules)),
            Ty::Bool => {
                out.insert("type".into(), json!("boolean"));
            }
            Ty::Int => {
                // The loader reads ints as 64-bit.
                let rules = rules.cloned().unwrap_or_default();
                out.insert("type".into(), json!("integer"));
                out.insert("minimum".into(), json!(rules.min.unwrap_or(i64::MIN)));
                out.insert("maximum".into(), json!(rules.max.unwrap_or(i64::MAX)));
            }
            Ty::Str => {
                out.insert("type".into(), json!("string"));
                if rules.is_some_and(|r| r.not_blank) {
                    out.insert("pattern".into(), json!(NOT_BLANK_PATTERN));
                    out.insert(
                        "patternErrorMessage".into(),
                        json!("must not be blank: write a letter or a digit"),
                    );
                }
            }
            Ty::Date => {
                let key = self.reference(&self.scalars, Scalar::Date);
                out.insert("$ref".into(), json!(key));
            }
            Ty::Duration => {
                let key = self.reference(&self.scalars, Scalar::Duration);
                out.insert("$ref".into(), json!(key));
            }
            Ty::Enum(e) => {
                out.insert("$ref".into(), json!(self.reference(&self.enums, *e)));
            }
            Ty::Record(r) => {
                out.insert("$ref".into(), json!(self.reference(&self.records, *r)));
            }
            // A list's items are never `null`, whatever their type: the
            // loader reports `- ~` as an empty item.
            Ty::List(inner) => {
                out.insert("type".into(), json!("array"));
                out.insert(
                    "items".into(),
                    Value::Object(self.ty(inner.required(), None)),
                );
            }
            Ty::Map(k, v) => {
                out.insert("type".into(), json!("object"));
                // A key is read as text: an enum value, a string, a date or
                // a duration can be one, and nothing else.
                match k.required() {
                    Ty::Str => {}
                    key @ (Ty::Enum(_) | Ty::Date | Ty::Duration) => {
                        out.insert("propertyNames".into(), Value::Object(self.ty(key, None)));
                    }
                    Ty::Bool
                    | Ty::Int
                    | Ty::List(_)
                    | Ty::Map(..)
                    | Ty::Record(_)
                    | Ty::Optional(_) => {
                        out.insert("maxProperties".into(), json!(0));
                    }
                }
                out.insert(
                    "additionalProperties".into(),
                    Value::Object(self.ty(v, None)),
                );
            }
        }
        out
    }

    fn reference<T: PartialEq>(&self, keys: &[(T, String)], id: T) -> String {
        let key = keys
            .iter()
            .find(|(k, _)| *k == id)
            .map_or("", |(_, key)| key.as_str());
        format!("#/definitions/{key}")
    }
}

/// A scalar type written as a string of a given form, defined once.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Scalar {
    Date,
    Duration,
}

impl Scalar {
    fn name(self) -> &'static str {
        match self {
            Scalar::Date => "date",
            Scalar::Duration => "duration",
        }
    }

    /// Its definition. `patternErrorMessage` is what VS Code and
    /// yaml-language-server say instead of the pattern; it is the loader's
    /// help.
    fn definition(self) -> Value {
        match self {
            Scalar::Date => json!({
                "description": "A day, written YYYY-MM-DD (`2019-06-01`).",
                "type": "string",
                "pattern": DATE_PATTERN,
                "patternErrorMessage": "write dates as YYYY-MM-DD, for example `2019-06-01`",
            }),
            Scalar::Duration => json!({
                "description": "A whole number of days (`30d`) or weeks (`2w`).",
                "type": "string",
                "pattern": DURATION_PATTERN,
                "patternErrorMessage": "write durations as whole days (`30d`) or weeks (`2w`)",
            }),
        }
    }
}

/// `schema`, or `null`.
fn nullable(mut schema: Map<String, Value>) -> Map<String, Value> {
    let referenced = schema.contains_key("$ref");
    match schema.get_mut("type") {
        Some(ty @ Value::String(_)) if !referenced => {
            *ty = json!([ty.clone(), "null"]);
            schema
        }
        _ => {
            let mut out = Map::new();
            out.insert(
                "anyOf".into(),
                json!([Value::Object(schema), {"type": "null"}]),
            );
            out
        }
    }
}

/// An enum: its values, as the loader accepts them (the leaves of a
/// taxonomy, written with their branches; a branch alone is not a value),
/// with the taxonomy in the description and each value's doc comments (its
/// branches' and its own) in `enumDescriptions`, which VS Code's and
/// yaml-language-server's completion show beside each value.
fn enum_def(def: &EnumDef) -> Value {
    let mut description = def.doc.clone();
    let branches = def.branches();
    if !branches.is_empty() {
        if !description.is_empty() {
            description.push_str("\n\n");
        }
        let example = def.values.first().map_or("", String::as_str);
        let branch = branches.first().map_or("", String::as_str);
        description.push_str(&format!(
            "A value is a leaf of the taxonomy, written with its branches (`{example}`); a branch alone (`{branch}`) is not a value."
        ));
        for branch in &branches {
            let prefix = format!("{branch}.");
            let leaves: Vec<&str> = def
                .values
                .iter()
                .filter(|v| {
                    v.strip_prefix(&prefix)
                        .is_some_and(|rest| !rest.contains('.'))
                })
                .map(String::as_str)
                .collect();
            description.push_str("\n- ");
            description.push_str(branch);
            if let Some(doc) = def.item_doc(branch) {
                let doc = doc.split_whitespace().collect::<Vec<_>>().join(" ");
                description.push_str(&format!(" ({})", doc.strip_suffix('.').unwrap_or(&doc)));
            }
            if !leaves.is_empty() {
                description.push_str(": ");
                description.push_str(&leaves.join(", "));
            }
        }
    }
    let mut out = Map::new();
    if !description.is_empty() {
        out.insert("description".into(), json!(description));
    }
    out.insert("type".into(), json!("string"));
    out.insert("enum".into(), json!(def.values));
    if !def.item_docs.is_empty() {
        let docs: Vec<String> = def.values.iter().map(|v| value_doc(def, v)).collect();
        out.insert("enumDescriptions".into(), json!(docs));
    }
    Value::Object(out)
}

/// The doc comments of a value and of its branches, outermost first; for a
/// value without any, the enum's own, which editors show when a value has
/// no description.
fn value_doc(def: &EnumDef, value: &str) -> String {
    let mut docs = Vec::new();
    for (i, _) in value.match_indices('.') {
        if let Some(doc) = value.get(..i).and_then(|branch| def.item_doc(branch)) {
            docs.push(doc);
        }
    }
    docs.extend(def.item_doc(value));
    if docs.is_empty() {
        return def.doc.clone();
    }
    docs.join("\n\n")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::date::Date;

    #[test]
    fn the_date_pattern_accepts_the_days_the_loader_accepts() {
        let pattern = regex::Regex::new(DATE_PATTERN).unwrap();
        let mut accepted = 0;
        // A whole 400-year cycle of leap years, and this century's.
        let years: Vec<i32> = (0..=401).chain(1896..=2104).chain([9996, 9999]).collect();
        for &year in &years {
            for month in 0..=13 {
                for day in 0..=32 {
                    let text = format!("{year:04}-{month:02}-{day:02}");
                    assert_eq!(
                        pattern.is_match(&text),
                        Date::parse(&text).is_some(),
                        "{text}"
                    );
                    accepted += usize::from(pattern.is_match(&text));
                }
            }
        }
        // Leap years: 98 from 0 to 400 (not 100, 200, 300), 51 from 1896
        // to 2104 (not 1900, 2100), and 9996.
        assert_eq!(accepted, years.len() * 365 + 98 + 51 + 1);
        for text in [
            "2019-1-01",
            "２019-01-01",
            "2019-01-01 ",
            "x2019-01-01",
            "20190-01-01",
        ] {
            assert!(!pattern.is_match(text), "{text}");
            assert!(Date::parse(text).is_none(), "{text}");
        }
    }

    #[test]
    fn the_duration_pattern_accepts_the_durations_the_loader_accepts() {
        let pattern = regex::Regex::new(DURATION_PATTERN).unwrap();
        for text in [
            "30d", "2w", "0d", "007w", "30", "d", "3m", "30 d", "-1d", "1.5d", "٣d",
        ] {
            assert_eq!(
                pattern.is_match(text),
                crate::date::parse_duration(text).is_some(),
                "{text}"
            );
        }
    }
}
