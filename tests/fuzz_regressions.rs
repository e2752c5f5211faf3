//! Replays the inputs kept from fuzzing (`fuzz/regressions/<target>/`)
//! through the same code the fuzz targets run, on stable, in every test
//! run: what once crashed, hung or reached new code must keep working.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

#[path = "../fuzz/src/harness.rs"]
mod harness;
#[path = "../fuzz/src/manifest_gen.rs"]
mod manifest_gen;

use proviso::run::{FileKind, FileReport};
use std::path::PathBuf;

/// Fewer kept inputs than this means the folder was lost or emptied.
const MIN_INPUTS: usize = 5;

fn inputs(target: &str) -> Vec<(String, Vec<u8>)> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("fuzz/regressions")
        .join(target);
    let mut paths: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_file())
        .collect();
    paths.sort();
    assert!(
        paths.len() >= MIN_INPUTS,
        "{}: {} inputs, expected at least {MIN_INPUTS}",
        dir.display(),
        paths.len()
    );
    paths
        .into_iter()
        .map(|p| {
            let name = p.file_name().unwrap().to_string_lossy().into_owned();
            (name, std::fs::read(&p).unwrap())
        })
        .collect()
}

/// Runs `run` on every input of `target`, then `check` on what it returned.
/// Every input is run even after one panics, and the failure names them all.
///
/// Each input runs on a thread named after it: a stack overflow aborts the
/// whole test binary, and its message names the thread. Threads get the
/// default stack size, as the worker threads that parse policies and check
/// manifests do.
fn replay<T: Send>(target: &str, run: fn(&[u8]) -> T, check: impl Fn(&str, &[u8], T)) {
    let mut panicked = Vec::new();
    for (name, data) in inputs(target) {
        let out = std::thread::scope(|s| {
            std::thread::Builder::new()
                .name(format!("{target}/{name}"))
                .spawn_scoped(s, || run(&data))
                .unwrap()
                .join()
        });
        match out {
            Ok(out) => check(&name, &data, out),
            Err(_) => panicked.push(name),
        }
    }
    assert!(
        panicked.is_empty(),
        "fuzz/regressions/{target}: panicked on {panicked:?}"
    );
}

/// Every finding is reported against the file that was checked, and
/// rendered with that name.
fn check_report(name: &str, report: &FileReport, rendered: &[String]) {
    assert_eq!(report.path, harness::MANIFEST_NAME, "{name}");
    assert_eq!(rendered.len(), 2 * report.findings.len(), "{name}");
    for f in &report.findings {
        assert_eq!(f.location.path, harness::MANIFEST_NAME, "{name}");
    }
    for pair in rendered.chunks(2) {
        let short = format!("{}:", harness::MANIFEST_NAME);
        let github = format!("file={}", harness::MANIFEST_NAME);
        assert!(pair[0].starts_with(&short), "{name}: {}", pair[0]);
        assert!(pair[1].contains(&github), "{name}: {}", pair[1]);
    }
    if report.kind == FileKind::Broken {
        assert!(
            !report.findings.is_empty(),
            "{name}: a broken file says why"
        );
    }
}

#[test]
fn policy_inputs_compile_or_report_errors() {
    replay("policy", harness::policy, |name, data, out| {
        let Some(diags) = out else {
            assert!(std::str::from_utf8(data).is_err(), "{name}");
            return;
        };
        let prefix = format!("{}:", harness::POLICY_NAME);
        for d in diags {
            assert!(d.starts_with(&prefix), "{name}: {d}");
        }
    });
}

#[test]
fn manifest_inputs_are_reported_as_the_checked_file() {
    replay("manifest", harness::manifest, |name, data, out| match out {
        Some((report, rendered)) => check_report(name, &report, &rendered),
        None => assert!(std::str::from_utf8(data).is_err(), "{name}"),
    });
}

#[test]
fn structured_inputs_are_reported_as_the_checked_file() {
    let evaluated = std::cell::Cell::new(0);
    replay("structured", harness::structured, |name, _, out| {
        let Some((yaml, report, rendered)) = out else {
            return;
        };
        check_report(name, &report, &rendered);
        if report.kind == FileKind::Manifest {
            assert!(!report.results.is_empty(), "{name}: no rule ran on\n{yaml}");
            evaluated.set(evaluated.get() + 1);
        }
    });
    // The generator's point is to get past validation to the rules.
    assert!(evaluated.get() > 0, "no structured input was evaluated");
}
