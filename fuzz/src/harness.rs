//! The fuzz targets' bodies. Each returns what it produced, so that the
//! replay test can check it; the fuzzer only looks for panics, hangs and
//! memory blow-ups.

use crate::manifest_gen;
use proviso::check::{compile, Program};
use proviso::date::Date;
use proviso::report::{github, short};
use proviso::run::{check_text, FileReport, Options};
use proviso::source::{ColumnUnit, Source};
use std::sync::OnceLock;

/// The name a fuzzed policy file is checked under.
pub const POLICY_NAME: &str = "fuzz.proviso";
/// The name a fuzzed manifest is checked under.
pub const MANIFEST_NAME: &str = "fuzz.yaml";

/// Compiles `data` as a policy file on its own, and renders every
/// diagnostic. `None` when it is not UTF-8, which a policy file must be.
pub fn policy(data: &[u8]) -> Option<Vec<String>> {
    let text = std::str::from_utf8(data).ok()?;
    let src = Source::new(POLICY_NAME, text);
    Some(match compile(&[src]) {
        Ok(_) => Vec::new(),
        Err(diags) => diags
            .iter()
            .map(|d| short::diag(d, ColumnUnit::Display))
            .collect(),
    })
}

/// Checks `data` as a manifest against the shipped policies, and renders
/// every finding. `None` when it is not UTF-8: reading a file refuses that
/// before `check_text` is reached.
pub fn manifest(data: &[u8]) -> Option<(FileReport, Vec<String>)> {
    let text = std::str::from_utf8(data).ok()?;
    Some(check(text.to_string()))
}

/// Decodes `data` into a `partnership/v1` manifest, writes it as YAML and
/// checks it as `manifest` does. Returns the YAML too.
pub fn structured(data: &[u8]) -> Option<(String, FileReport, Vec<String>)> {
    let yaml = manifest_gen::from_bytes(data)?;
    let (report, rendered) = check(yaml.clone());
    Some((yaml, report, rendered))
}

fn check(text: String) -> (FileReport, Vec<String>) {
    let report = check_text(program(), MANIFEST_NAME, text, &options());
    let rendered = report
        .findings
        .iter()
        .flat_map(|f| {
            [
                short::finding(f, ColumnUnit::Display),
                github::finding(f, ColumnUnit::Utf16),
            ]
        })
        .collect();
    (report, rendered)
}

/// The shipped policies, compiled once: compiling them on every input
/// would leave little time for the input itself.
pub fn program() -> &'static Program {
    static PROGRAM: OnceLock<Program> = OnceLock::new();
    PROGRAM.get_or_init(|| match compile(&proviso::shipped::sources()) {
        Ok(program) => program,
        Err(diags) => panic!("the shipped policies do not compile: {diags:?}"),
    })
}

/// A fixed `today`, so that a saved input replays the same way on any day.
pub fn options() -> Options {
    // 2019-01-01, in days since 1970-01-01.
    Options::new(Date::parse("2019-01-01").unwrap_or(Date(17_897)))
}
