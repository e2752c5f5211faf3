//! The schema model every stage shares: records, enums (dotted taxonomies),
//! schemas, constants, and the types of fields and expressions. The policy
//! checker fills it in; the manifest loader and the evaluator read it.

use crate::source::Span;
use std::fmt;

pub type RecordId = usize;
pub type EnumId = usize;

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Ty {
    Bool,
    Int,
    Str,
    Date,
    Duration,
    Enum(EnumId),
    List(Box<Ty>),
    Map(Box<Ty>, Box<Ty>),
    Record(RecordId),
    Optional(Box<Ty>),
}

impl Ty {
    pub fn is_optional(&self) -> bool {
        matches!(self, Ty::Optional(_))
    }

    /// The type without its optional marker.
    pub fn required(&self) -> &Ty {
        match self {
            Ty::Optional(inner) => inner,
            other => other,
        }
    }
}

#[derive(Debug)]
pub struct FieldDef {
    pub name: String,
    pub ty: Ty,
    pub doc: String,
    pub span: Span,
    pub rules: FieldRules,
}

/// What a field's values must satisfy beyond their type, as declared in
/// the schema (`unique`, `not blank`, `>= 0`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FieldRules {
    /// No two items of a list of the record share the value.
    pub unique: bool,
    /// A string must hold more than white space.
    pub not_blank: bool,
    pub min: Option<i64>,
    pub max: Option<i64>,
}

impl FieldRules {
    pub fn is_empty(&self) -> bool {
        *self == FieldRules::default()
    }
}

#[derive(Debug)]
pub struct RecordDef {
    pub name: String,
    pub fields: Vec<FieldDef>,
    pub doc: String,
    pub span: Span,
}

impl RecordDef {
    pub fn field(&self, name: &str) -> Option<(usize, &FieldDef)> {
        self.fields.iter().enumerate().find(|(_, f)| f.name == name)
    }

    pub fn field_names(&self) -> impl Iterator<Item = &str> {
        self.fields.iter().map(|f| f.name.as_str())
    }
}

/// An enum; nested items make a taxonomy whose leaves, written with dots
/// (`content.private_messages`), are the values.
#[derive(Debug)]
pub struct EnumDef {
    pub name: String,
    pub values: Vec<String>,
    /// The doc comments of the enum's items, by dotted name: a value
    /// (`content.posts`) or a branch (`special`). Items without one are
    /// left out.
    pub item_docs: Vec<(String, String)>,
    pub doc: String,
    pub span: Span,
}

impl EnumDef {
    pub fn index(&self, value: &str) -> Option<u32> {
        self.values
            .iter()
            .position(|v| v == value)
            .map(|i| i as u32)
    }

    /// The values under a branch: `special` gives every `special.*` value.
    pub fn branch(&self, prefix: &str) -> Vec<u32> {
        let dotted = format!("{prefix}.");
        (0..self.values.len())
            .filter(|&i| self.values.get(i).is_some_and(|v| v.starts_with(&dotted)))
            .map(|i| i as u32)
            .collect()
    }

    /// Every branch name (`content`, `special`, ...), for suggestions.
    pub fn branches(&self) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        for v in &self.values {
            let mut prefix = String::new();
            let parts: Vec<&str> = v.split('.').collect();
            for part in parts.iter().take(parts.len().saturating_sub(1)) {
                if !prefix.is_empty() {
                    prefix.push('.');
                }
                prefix.push_str(part);
                if !out.contains(&prefix) {
                    out.push(prefix.clone());
                }
            }
        }
        out
    }

    /// The doc comment of an item (a value or a branch), if it has one.
    pub fn item_doc(&self, item: &str) -> Option<&str> {
        self.item_docs
            .iter()
            .find(|(name, _)| name == item)
            .map(|(_, doc)| doc.as_str())
    }

    pub fn name_of(&self, index: u32) -> &str {
        self.values.get(index as usize).map_or("?", String::as_str)
    }
}

#[derive(Debug)]
pub struct SchemaDef {
    pub id: String,
    pub root: RecordId,
    pub span: Span,
}

/// A named value (`const EEA: [Country] = [...]`).
#[derive(Debug)]
pub struct ConstDef {
    pub name: String,
    pub ty: Ty,
    /// `Value::Invalid` until checked, and if its value does not check.
    pub value: crate::value::Value,
    pub span: Span,
}

/// Every declared type and constant of the loaded policy files.
#[derive(Debug, Default)]
pub struct Types {
    pub records: Vec<RecordDef>,
    pub enums: Vec<EnumDef>,
    pub schemas: Vec<SchemaDef>,
    pub consts: Vec<ConstDef>,
}

impl Types {
    pub fn record(&self, id: RecordId) -> Option<&RecordDef> {
        self.records.get(id)
    }

    pub fn enum_def(&self, id: EnumId) -> Option<&EnumDef> {
        self.enums.get(id)
    }

    /// The declared type of a field of a record type.
    pub fn record_field_ty(&self, record: &Ty, name: &str) -> Option<&Ty> {
        let Ty::Record(rid) = record.required() else {
            return None;
        };
        self.record(*rid)?.field(name).map(|(_, f)| &f.ty)
    }

    pub fn schema(&self, id: &str) -> Option<(usize, &SchemaDef)> {
        self.schemas.iter().enumerate().find(|(_, s)| s.id == id)
    }

    pub fn display<'a>(&'a self, ty: &'a Ty) -> TyDisplay<'a> {
        TyDisplay { types: self, ty }
    }
}

pub struct TyDisplay<'a> {
    types: &'a Types,
    ty: &'a Ty,
}

impl fmt::Display for TyDisplay<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let t = self.types;
        match self.ty {
            Ty::Bool => f.write_str("bool"),
            Ty::Int => f.write_str("int"),
            Ty::Str => f.write_str("string"),
            Ty::Date => f.write_str("date"),
            Ty::Duration => f.write_str("duration"),
            Ty::Enum(e) => f.write_str(t.enum_def(*e).map_or("?", |e| e.name.as_str())),
            Ty::Record(r) => f.write_str(t.record(*r).map_or("?", |r| r.name.as_str())),
            Ty::List(inner) => write!(f, "[{}]", t.display(inner)),
            Ty::Map(k, v) => write!(f, "map<{}, {}>", t.display(k), t.display(v)),
            Ty::Optional(inner) => write!(f, "{}?", t.display(inner)),
        }
    }
}
