//! Values as they appear in messages: enum values by name, lists joined
//! with commas, durations as written (`30d`, `2w`).

use crate::check::types::{Ty, Types};
use crate::value::Value;

pub fn render(value: &Value, ty: &Ty, types: &Types) -> String {
    let ty = ty.required();
    match (value, ty) {
        (Value::Enum(i), Ty::Enum(id)) => types
            .enum_def(*id)
            .map_or_else(|| i.to_string(), |d| d.name_of(*i).to_string()),
        (Value::List(items), Ty::List(_)) if items.is_empty() => "none".to_string(),
        (Value::Map(entries), Ty::Map(..)) if entries.is_empty() => "none".to_string(),
        (Value::List(items), Ty::List(elem)) => items
            .iter()
            .map(|v| render(v, elem, types))
            .collect::<Vec<_>>()
            .join(", "),
        (Value::Map(entries), Ty::Map(k, _)) => entries
            .iter()
            .map(|(key, _)| render(key, k, types))
            .collect::<Vec<_>>()
            .join(", "),
        (other, _) => other.render(&|i| i.to_string()),
    }
}
