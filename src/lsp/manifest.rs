//! What is at a place in a manifest: the schema field of the key or value
//! under the cursor, read from the text as it is in the editor.

use crate::schema::{FieldDef, Ty, Types};
use crate::source::Source;
use crate::testing::tree::{read, Kind, Node};
use std::ops::Range;

/// The field whose key or value holds the offset, and its key's range.
pub struct Hit<'t> {
    pub field: &'t FieldDef,
    pub key: Range<usize>,
}

/// The schema field at `offset` of a manifest's text, when the text reads
/// as YAML and names a loaded schema.
pub fn field_at<'t>(types: &'t Types, text: &str, offset: usize) -> Option<Hit<'t>> {
    let src = Source::new("manifest", text);
    let root = read(&src).ok()??;
    let id = root.get("schema")?.scalar()?;
    let (_, schema) = types.schema(id)?;
    within(types, &root, &Ty::Record(schema.root), offset)
}

fn within<'t>(types: &'t Types, node: &Node, ty: &Ty, offset: usize) -> Option<Hit<'t>> {
    let contains = |r: &Range<usize>| r.start <= offset && offset <= r.end;
    match (&node.kind, ty.required()) {
        (Kind::Map(entries), Ty::Record(id)) => {
            let record = types.record(*id)?;
            for (key, key_span, value) in entries {
                let Some((_, field)) = record.field(key) else {
                    continue;
                };
                if contains(&key_span.range()) {
                    return Some(Hit {
                        field,
                        key: key_span.range(),
                    });
                }
                if contains(&value.span.range()) {
                    return within(types, value, &field.ty, offset).or(Some(Hit {
                        field,
                        key: key_span.range(),
                    }));
                }
            }
            None
        }
        (Kind::Seq(items), Ty::List(elem)) => items
            .iter()
            .find(|i| contains(&i.span.range()))
            .and_then(|i| within(types, i, elem, offset)),
        (Kind::Map(entries), Ty::Map(_, value_ty)) => entries
            .iter()
            .find(|(_, _, v)| contains(&v.span.range()))
            .and_then(|(_, _, v)| within(types, v, value_ty, offset)),
        _ => None,
    }
}

/// A field described for a hover: its name and type, its doc comment, and
/// the values an enum allows.
pub fn describe(types: &Types, field: &FieldDef) -> String {
    let mut out = format!("**`{}`**: `{}`", field.name, types.display(&field.ty));
    if !field.doc.is_empty() {
        out.push_str("\n\n");
        out.push_str(&field.doc);
    }
    let mut ty = field.ty.required();
    while let Ty::List(inner) = ty {
        ty = inner.required();
    }
    if let Ty::Enum(id) = ty {
        if let Some(def) = types.enum_def(*id) {
            const SHOWN: usize = 40;
            let values: Vec<String> = def
                .values
                .iter()
                .take(SHOWN)
                .map(|v| format!("`{v}`"))
                .collect();
            out.push_str("\n\nValues: ");
            out.push_str(&values.join(", "));
            if def.values.len() > SHOWN {
                out.push_str(&format!(", … {} more", def.values.len() - SHOWN));
            }
        }
    }
    out
}
