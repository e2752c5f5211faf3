//! proviso: policy-as-code for data-sharing partnerships.
//!
//! The modules follow the data's path: `syntax` parses policy files into an
//! `ast`, `check` resolves and types them into `check::ir` and the `schema`
//! model, `manifest` finds and loads YAML manifests into schema-typed
//! values, `eval` runs the rules, `run` ties them together into findings,
//! and `report` renders them. `fmt` lays policy files out again.

pub mod across;
pub mod ast;
pub mod builtin;
pub mod check;
pub mod cli;
pub mod config;
pub mod date;
pub mod diagnostics;
pub mod eval;
pub mod explain;
pub mod fmt;
pub mod json_schema;
pub mod lsp;
pub mod manifest;
pub mod ops;
pub mod report;
pub mod run;
pub mod schema;
pub mod shipped;
pub mod source;
pub mod suggest;
pub mod syntax;
pub mod testing;
pub mod value;
pub mod waivers;
