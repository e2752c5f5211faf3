//! Manifests: discovery, reading, YAML events to schema-typed values with
//! their places in the text, validation.

pub mod discover;
pub mod load;
pub mod path;
pub mod read;
pub mod spans;
pub mod yaml;
