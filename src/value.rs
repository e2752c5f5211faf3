//! Values of a validated manifest, shaped by its schema.
//!
//! Records are stored by field index (resolved once by the type checker), so
//! evaluation never looks a field up by name.

use crate::date::{Date, Days};

#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    Bool(bool),
    Int(i64),
    Str(String),
    Date(Date),
    /// A number of days, shown as written.
    Duration(Days),
    /// The index of a value in its enum's list of (leaf) values.
    Enum(u32),
    List(Vec<Value>),
    /// Fields in declaration order; `None` for an optional field left out.
    Record(Vec<Option<Value>>),
    Map(Vec<(Value, Value)>),
    /// A placeholder where validation failed; never evaluated.
    Invalid,
}

impl Value {
    /// Renders a scalar for messages; `enum_name` maps an enum index to
    /// its name.
    pub fn render(&self, enum_name: &dyn Fn(u32) -> String) -> String {
        match self {
            Value::Bool(b) => b.to_string(),
            Value::Int(i) => i.to_string(),
            Value::Str(s) => s.clone(),
            Value::Date(d) => d.to_string(),
            Value::Duration(d) => d.to_string(),
            Value::Enum(e) => enum_name(*e),
            Value::List(items) => items
                .iter()
                .map(|v| v.render(enum_name))
                .collect::<Vec<_>>()
                .join(", "),
            Value::Map(entries) => entries
                .iter()
                .map(|(k, _)| k.render(enum_name))
                .collect::<Vec<_>>()
                .join(", "),
            Value::Record(_) => "{...}".to_string(),
            Value::Invalid => "(invalid)".to_string(),
        }
    }
}
