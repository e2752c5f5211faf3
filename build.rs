//! Parses and checks the shipped policies (`policies/`) with proviso's own
//! parser and checker, and writes the checked program to
//! `$OUT_DIR/shipped.image`, which the binary reads at start-up instead of
//! parsing the same text on every run (src/shipped.rs). A shipped policy
//! with an error fails the build, with its diagnostics.
//!
//! The modules are the library's own files, included by path: the parser,
//! the checker and what they are built on. A `crate::` path in them names a
//! module declared here, under the same name.

// The included modules are compiled whole; the build uses a part of them.
#![allow(dead_code, unused_imports)]
#![allow(clippy::expect_used, clippy::unwrap_used, clippy::panic)]

#[path = "src/ast.rs"]
mod ast;
#[path = "src/check/mod.rs"]
mod check;
#[path = "src/date.rs"]
mod date;
#[path = "src/diagnostics.rs"]
mod diagnostics;
#[path = "src/manifest/path.rs"]
mod manifest_path;
#[path = "src/ops.rs"]
mod ops;
#[path = "src/schema.rs"]
mod schema;
#[path = "src/source.rs"]
mod source;
#[path = "src/suggest.rs"]
mod suggest;
#[path = "src/syntax/mod.rs"]
mod syntax;
#[path = "src/value.rs"]
mod value;
mod manifest {
    pub(crate) use super::manifest_path as path;
}
#[path = "src/shipped/catalogue.rs"]
mod catalogue;

use std::path::PathBuf;

/// Everything the image is made from: a change to any of these makes it
/// again.
const INPUTS: &[&str] = &[
    "build.rs",
    "grammar",
    "policies",
    "src/ast.rs",
    "src/check",
    "src/date.rs",
    "src/diagnostics.rs",
    "src/manifest/path.rs",
    "src/ops.rs",
    "src/schema.rs",
    "src/shipped/catalogue.rs",
    "src/source.rs",
    "src/suggest.rs",
    "src/syntax",
    "src/value.rs",
];

fn main() {
    for input in INPUTS {
        println!("cargo:rerun-if-changed={input}");
    }
    let sources: Vec<_> = catalogue::POLICIES
        .iter()
        .map(|(name, text)| source::Source::new(*name, *text))
        .collect();
    let program = match check::compile(&sources) {
        Ok(program) => program,
        Err(errors) => {
            for d in &errors {
                eprintln!("{}", show(d));
            }
            let n = errors.len();
            let errors = if n == 1 { "error" } else { "errors" };
            eprintln!(
                "error: the shipped policies have {n} {errors}; proviso is not built with them"
            );
            std::process::exit(1);
        }
    };
    let image = check::image::encode(&program, &sources)
        .unwrap_or_else(|e| panic!("cannot store the shipped policies: {e}"));
    let out = PathBuf::from(std::env::var_os("OUT_DIR").expect("cargo sets OUT_DIR"));
    std::fs::write(out.join("shipped.image"), image).expect("cannot write the image");
}

/// A diagnostic as `file:line:col: message`, with its label, help and
/// related places on the lines below.
fn show(d: &diagnostics::Diag) -> String {
    // The shipped files are named `builtin:NAME` for users; the build
    // names them where they are in the repository.
    let at = |span: &source::Span| {
        let (line, col) = span.start_line_col();
        let name = &span.src.name;
        let name = match name.strip_prefix(source::BUILTIN_PREFIX) {
            Some(file) => format!("policies/{file}"),
            None => name.clone(),
        };
        format!("{name}:{line}:{col}")
    };
    let mut text = format!("{}: error: {}", at(&d.span), d.message);
    if !d.label.is_empty() {
        text.push_str(&format!("\n    {}: `{}`", d.label, d.span.text()));
    }
    for (span, label) in &d.related {
        text.push_str(&format!("\n    {}: {label}", at(span)));
    }
    if let Some(help) = &d.help {
        text.push_str(&format!("\n    help: {help}"));
    }
    text
}
