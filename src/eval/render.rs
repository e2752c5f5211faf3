//! Values as they appear in messages: enum values by name, lists joined
//! with commas, durations as written (`30d`, `2w`).

use crate::schema::{Ty, Types};
use crate::value::Value;

/// Items of a list, and characters of a string, shown in a message: a
/// message repeats in every finding, so a manifest must not be able to make
/// each one as large as itself.
const MAX_ITEMS: usize = 20;
const MAX_CHARS: usize = 256;

/// The first `MAX_ITEMS` items, joined, and how many were left out.
fn joined<'v, T: 'v>(
    items: impl ExactSizeIterator<Item = &'v T>,
    show: impl Fn(&T) -> String,
) -> String {
    let total = items.len();
    let mut out: Vec<String> = items.take(MAX_ITEMS).map(show).collect();
    if total > MAX_ITEMS {
        out.push(format!("… {} more", total - MAX_ITEMS));
    }
    out.join(", ")
}

pub fn render(value: &Value, ty: &Ty, types: &Types) -> String {
    let ty = ty.required();
    match (value, ty) {
        (Value::Str(s), _) if s.chars().count() > MAX_CHARS => {
            let head: String = s.chars().take(MAX_CHARS).collect();
            format!(
                "{head}… ({} more characters)",
                s.chars().count() - MAX_CHARS
            )
        }
        (Value::Enum(i), Ty::Enum(id)) => types
            .enum_def(*id)
            .map_or_else(|| i.to_string(), |d| d.name_of(*i).to_string()),
        (Value::List(items), Ty::List(_)) if items.is_empty() => "none".to_string(),
        (Value::Map(entries), Ty::Map(..)) if entries.is_empty() => "none".to_string(),
        (Value::List(items), Ty::List(elem)) => joined(items.iter(), |v| render(v, elem, types)),
        (Value::Map(entries), Ty::Map(k, _)) => {
            joined(entries.iter(), |(key, _)| render(key, k, types))
        }
        (other, _) => other.render(&|i| i.to_string()),
    }
}
