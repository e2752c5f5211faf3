//! `--format junit` as CI services read it: the report of `examples/` with
//! each `--fail-on`, read by junitparser and junit2html (from the Python
//! package index, installed by `.ci/run`) through `tests/junit/consumers.py`.
//!
//! A case fails exactly when a finding of its rule in its manifest is at
//! or above `--fail-on` and not waived; a case whose findings all fall
//! below it passes, with them in its output. The expected cases are worked
//! out from `--format json` on the same run.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use serde_json::Value;
use std::collections::BTreeSet;
use std::path::Path;
use std::process::Command;

const AS_OF: &str = "2018-12-18";

fn repo() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn check(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_proviso"))
        .current_dir(repo())
        .args(["check", "examples", "--as-of", AS_OF])
        .args(args)
        .output()
        .unwrap()
}

/// Test cases by rule id and manifest path.
type Cases = BTreeSet<(String, String)>;

fn rank(severity: &str) -> u8 {
    match severity {
        "note" => 1,
        "warning" => 2,
        "error" => 3,
        other => panic!("unknown severity `{other}`"),
    }
}

/// The (rule, manifest) cases with a finding that fails the run under
/// `fail_on`, and those with findings of which none does and some are
/// not waived.
fn expected(fail_on: &str) -> (Cases, Cases) {
    let out = check(&["--format", "json", "--fail-on", fail_on]);
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
    let threshold = match fail_on {
        "never" => None,
        level => Some(rank(level)),
    };
    let mut failing = BTreeSet::new();
    let mut live = BTreeSet::new();
    for f in doc["findings"].as_array().unwrap() {
        let case = (
            f["rule"].as_str().unwrap().to_string(),
            f["location"]["path"].as_str().unwrap().to_string(),
        );
        if f["waived"].as_bool().unwrap() {
            continue;
        }
        if threshold.is_some_and(|t| rank(f["severity"].as_str().unwrap()) >= t) {
            failing.insert(case.clone());
        }
        live.insert(case);
    }
    let passing_with_output = live.difference(&failing).cloned().collect();
    (failing, passing_with_output)
}

/// What the consumers read in a report, or a clear failure when they are
/// not installed.
fn consume(report: &Path, html: &Path) -> Value {
    let script = repo().join("tests/junit/consumers.py");
    let run = Command::new("python3")
        .arg(&script)
        .arg(report)
        .arg(html)
        .output()
        .unwrap_or_else(|e| {
            panic!(
                "cannot run python3 ({e}): it runs the JUnit consumers junitparser and junit2html; \
                 install Python 3, then `python3 -m pip install junitparser==5.0.3 junit2html==31.1.4` \
                 (.ci/run does)"
            )
        });
    let stderr = String::from_utf8_lossy(&run.stderr);
    match run.status.code() {
        Some(0) => {}
        Some(3) => panic!("{stderr}"),
        _ => panic!(
            "the JUnit consumers disagree on {}:\n{stderr}\n{}",
            report.display(),
            String::from_utf8_lossy(&run.stdout)
        ),
    }
    serde_json::from_slice(&run.stdout).unwrap()
}

#[test]
fn junit_failures_are_the_findings_at_or_above_fail_on() {
    let tmp = tempfile::tempdir().unwrap();
    let mut failures_by_level = Vec::new();
    for fail_on in ["error", "warning", "note", "never"] {
        let report = tmp.path().join(format!("junit-{fail_on}.xml"));
        let html = tmp.path().join(format!("junit-{fail_on}.html"));
        let out = check(&[
            "--format",
            "junit",
            "--fail-on",
            fail_on,
            "--output",
            report.to_str().unwrap(),
        ]);
        let code = out.status.code();
        let read = consume(&report, &html);
        let (failing, with_output) = expected(fail_on);

        let counts = &read["junitparser"];
        let failed = counts["failures"].as_u64().unwrap() + counts["errors"].as_u64().unwrap();
        assert_eq!(
            failed,
            failing.len() as u64,
            "--fail-on {fail_on}: {read}\nexpected to fail: {failing:?}"
        );
        assert_eq!(
            read["junit2html"]["failed"].as_u64(),
            Some(failing.len() as u64),
            "--fail-on {fail_on}: {read}"
        );
        // The findings that do not fail the run are still in the report.
        let shown: Cases = read["passed_with_output"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| {
                let output = c["output"].as_str().unwrap();
                let rule = c["rule"].as_str().unwrap();
                assert!(
                    output.contains(&format!("[{rule}]: ")),
                    "--fail-on {fail_on}: {output}"
                );
                (rule.to_string(), c["path"].as_str().unwrap().to_string())
            })
            .collect();
        assert_eq!(shown, with_output, "--fail-on {fail_on}");
        // A red test view and a failing run go together.
        assert_eq!(
            code,
            Some(if failed > 0 { 1 } else { 0 }),
            "--fail-on {fail_on}"
        );
        assert!(std::fs::metadata(&html).unwrap().len() > 0);
        failures_by_level.push((fail_on, failed));
    }
    // The examples hold a warning: it fails the run from `--fail-on
    // warning` down, and passes, with its output, under `error`.
    let failed = |level: &str| {
        failures_by_level
            .iter()
            .find(|(l, _)| *l == level)
            .unwrap()
            .1
    };
    assert!(failed("error") > 0);
    assert_eq!(failed("warning"), failed("error") + 1);
    assert_eq!(failed("note"), failed("warning"));
    assert_eq!(failed("never"), 0);
    let (_, under_error) = expected("error");
    assert!(
        under_error.contains(&(
            "gdpr/retention-limit".to_string(),
            "examples/compliant/hanse-direktbank.yaml".to_string()
        )),
        "{under_error:?}"
    );
}
