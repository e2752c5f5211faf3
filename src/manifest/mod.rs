//! Manifests: discovery, YAML to schema-typed values, validation, spans.

pub mod path;
pub mod discover;
pub mod load;
pub mod spans;
