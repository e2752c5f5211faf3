//! Manifests: discovery, YAML to schema-typed values, validation, spans.

pub mod discover;
pub mod load;
pub mod path;
pub mod spans;
