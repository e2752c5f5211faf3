#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]
//! The shipped catalogue's own cases: `tests/rules/<policy>/<rule>.test.yaml`,
//! run by `proviso test` against the policy files, as a policy author runs
//! their own. Each case names a manifest (in `tests/rules/<policy>/<rule>/`)
//! and says what the rule must make of it, findings placed by JSON pointer.
//! Coverage must be complete: every rule has a passing and a failing case,
//! and every condition of every rule is made true by one case and false by
//! another.

mod common;

use common::Run;
use proviso::check::{compile, Program};
use proviso::shipped::POLICIES;
use proviso::source::Source;
use std::path::PathBuf;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn shipped_program() -> Program {
    let sources: Vec<_> = POLICIES
        .iter()
        .map(|(name, text)| Source::new(*name, *text))
        .collect();
    match compile(&sources) {
        Ok(program) => program,
        Err(errors) => {
            let shown: Vec<String> = errors
                .iter()
                .map(|d| {
                    let (line, col) = d.span.src.line_col(d.span.start);
                    format!("{}:{line}:{col}: {}", d.span.src.name, d.message)
                })
                .collect();
            panic!("the shipped policies do not compile:\n{}", shown.join("\n"))
        }
    }
}

/// A run reads the shipped policies from the image the build made of them
/// (build.rs), not from their text: it must be the very program their text
/// compiles to, every span pointing at the same place in the same text.
#[test]
fn the_built_catalogue_is_the_program_of_the_policy_text() {
    let compiled = shipped_program();
    let built = proviso::shipped::program_from_image()
        .expect("the build's image matches the shipped policy files");
    let summary = |p: &Program| -> Vec<String> {
        p.rules
            .iter()
            .map(|r| {
                format!(
                    "{} {} {:?} {}@{:?} {:?}",
                    r.id,
                    r.severity.as_str(),
                    r.title,
                    r.span.src.name,
                    r.span.range(),
                    r.id_span.range()
                )
            })
            .collect()
    };
    assert_eq!(summary(&built), summary(&compiled));
    // Everything else, spans included (a span shows as `file@range`).
    assert_eq!(format!("{built:#?}"), format!("{compiled:#?}"));
    for rule in &built.rules {
        let (_, text) = POLICIES
            .iter()
            .find(|(name, _)| *name == rule.span.src.name)
            .unwrap();
        assert_eq!(rule.span.src.text, *text);
        assert_eq!(rule.id_span.text(), rule.id);
        let declared = format!("rule {} {{", rule.id);
        assert!(rule.span.text().contains(&declared), "{}", rule.id);
    }
    for field in built.types.records.iter().flat_map(|r| &r.fields) {
        assert_eq!(field.span.text(), field.name);
    }
}

fn cases() -> (Run, serde_json::Value) {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_proviso"))
        .current_dir(root())
        .args([
            "test",
            "tests/rules",
            "--policy",
            "policies/",
            "--coverage",
            "--format",
            "json",
        ])
        .output()
        .unwrap();
    let run = Run::of(out);
    let doc: serde_json::Value = serde_json::from_str(&run.stdout)
        .unwrap_or_else(|e| panic!("{e}\n{}\n{}", run.stdout, run.stderr));
    (run, doc)
}

#[test]
fn rule_cases() {
    let (run, doc) = cases();
    let failed: Vec<String> = doc["files"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|f| f["cases"].as_array().unwrap())
        .filter(|c| c["passed"] != true)
        .map(|c| serde_json::to_string_pretty(c).unwrap())
        .collect();
    assert!(failed.is_empty(), "{}", failed.join("\n"));
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        doc["summary"]["cases"].as_u64().unwrap() >= 125,
        "{}",
        doc["summary"]
    );
}

#[test]
fn coverage_of_the_catalogue_is_complete() {
    let (_, doc) = cases();
    let program = shipped_program();
    let coverage = doc["coverage"].as_array().unwrap();
    let mut gaps = Vec::new();
    for rule in &program.rules {
        let Some(c) = coverage.iter().find(|c| c["rule"] == rule.id.as_str()) else {
            gaps.push(format!("{}: not covered at all", rule.id));
            continue;
        };
        if c["pass"] == 0 || c["fail"] == 0 {
            gaps.push(format!(
                "{}: {} passing, {} failing cases",
                rule.id, c["pass"], c["fail"]
            ));
        }
        for kind in ["never_true", "never_false", "never_reached"] {
            for cond in c[kind].as_array().unwrap() {
                gaps.push(format!(
                    "{}: {kind}: {} ({})",
                    rule.id, cond["text"], cond["at"]
                ));
            }
        }
    }
    assert!(gaps.is_empty(), "{}", gaps.join("\n"));
}

#[test]
fn the_catalogue_passes_require_coverage() {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_proviso"))
        .current_dir(root())
        .args([
            "test",
            "tests/rules",
            "--policy",
            "policies/",
            "--require-coverage",
            "--format",
            "short",
        ])
        .output()
        .unwrap();
    let run = Run::of(out);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    assert!(run.stderr.contains("held, 0 failed"), "{}", run.stderr);
}

/// A policy file that is not compiled into the binary would silently not
/// run.
#[test]
fn every_policy_file_is_shipped() {
    let dir = root().join("policies");
    let mut on_disk: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|name| name.ends_with(".proviso"))
        .map(|name| format!("builtin:{name}"))
        .collect();
    on_disk.sort();
    let mut shipped: Vec<String> = POLICIES.iter().map(|(name, _)| name.to_string()).collect();
    shipped.sort();
    assert_eq!(
        on_disk, shipped,
        "the files in policies/ and the list in src/shipped/catalogue.rs differ"
    );
}
