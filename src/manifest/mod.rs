//! Manifests: discovery, YAML to schema-typed values, validation, spans.

pub mod discover;
pub mod limits;
pub mod load;
pub mod locate;
pub mod path;
pub mod read;
pub mod spans;
