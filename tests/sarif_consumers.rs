//! `--format sarif` read by the tools that consume it, as installed from
//! their registries:
//!
//! - the SARIF Multitool (npm `@microsoft/sarif-multitool`), which checks a
//!   log against the SARIF rules and, configured by
//!   `tests/data/sarif-github.config.xml`, against GitHub code scanning's
//!   ingestion rules;
//! - sarif-tools (PyPI `sarif-tools`), which summarises logs in CI and
//!   fails a job on their findings.
//!
//! Neither comes with a Rust toolchain, so these tests are ignored by a
//! plain `cargo test`: `.ci/sarif-consumers` installs both at pinned
//! versions and runs them (`.ci/run` calls it). Run with `--ignored`
//! without the tools, they fail and say how to get them.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use serde_json::Value;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const AS_OF: &str = "2018-12-18";

fn repo() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// The program a variable names, which `.ci/sarif-consumers` sets.
fn tool(var: &str, what: &str) -> PathBuf {
    let path = std::env::var_os(var).unwrap_or_else(|| {
        panic!("{var} is not set: this test needs {what}; `.ci/sarif-consumers` installs it and runs this test")
    });
    let path = PathBuf::from(path);
    assert!(
        path.is_file(),
        "{var} names `{}`, which is not a file: run `.ci/sarif-consumers` to install {what}",
        path.display()
    );
    path
}

fn multitool() -> PathBuf {
    tool(
        "SARIF_MULTITOOL",
        "the SARIF Multitool (npm @microsoft/sarif-multitool)",
    )
}

fn sarif_tools() -> PathBuf {
    tool("SARIF_TOOLS", "sarif-tools (PyPI sarif-tools)")
}

/// `proviso check ARGS --as-of 2018-12-18 --format sarif` in `dir`, written
/// to `out`.
fn log(dir: &Path, args: &[&str], out: &Path) -> Value {
    let mut all = vec!["check"];
    all.extend_from_slice(args);
    all.extend_from_slice(&["--as-of", AS_OF, "--format", "sarif"]);
    let run = Command::new(env!("CARGO_BIN_EXE_proviso"))
        .current_dir(dir)
        .args(&all)
        .output()
        .unwrap();
    assert!(
        matches!(run.status.code(), Some(0 | 1)),
        "{args:?}: {}",
        String::from_utf8_lossy(&run.stderr)
    );
    std::fs::write(out, &run.stdout).unwrap();
    serde_json::from_slice(&run.stdout).unwrap()
}

/// A repository with what proviso reports in SARIF: the examples, a
/// waiver, a fix, a broken and an unreadable file, a rule of its own
/// policy, and a partner id used twice.
fn repository() -> tempfile::TempDir {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path();
    std::fs::create_dir(root.join(".git")).unwrap();
    for sub in ["facebook-2018", "compliant"] {
        let to = root.join("examples").join(sub);
        std::fs::create_dir_all(&to).unwrap();
        for entry in std::fs::read_dir(repo().join("examples").join(sub)).unwrap() {
            let path = entry.unwrap().path();
            std::fs::copy(&path, to.join(path.file_name().unwrap())).unwrap();
        }
    }
    let data = root.join("data");
    std::fs::create_dir(&data).unwrap();
    for name in ["waived.yaml", "non-ascii.yaml", "broken.yaml"] {
        std::fs::copy(
            repo().join("tests/data/formats").join(name),
            data.join(name),
        )
        .unwrap();
    }
    std::fs::copy(
        repo().join("tests/data/formats/waived.yaml"),
        data.join("same-partner.yaml"),
    )
    .unwrap();
    std::fs::write(data.join("unreadable.yaml"), b"schema: \xff\xfe\n").unwrap();
    std::fs::create_dir(root.join("policies")).unwrap();
    std::fs::write(
        root.join("policies/ours.proviso"),
        "policy ours for partnership/v1\n\
         \n\
         /// Consent is recorded.\n\
         rule ours/recorded-consent {\n\
         \x20 title    \"consent is recorded\"\n\
         \x20 severity warning\n\
         \x20 each grant in grants\n\
         \x20 require grant.consent.recorded\n\
         \x20 message \"consent for `{grant.id}` is not recorded\"\n\
         }\n",
    )
    .unwrap();
    tmp
}

/// The logs of the repository's checks, written beside it: from its root
/// and from subdirectories, with the shipped rules and with its own.
fn logs(root: &Path) -> Vec<(PathBuf, Value)> {
    let out = root.join("logs");
    std::fs::create_dir_all(&out).unwrap();
    let runs: [(&str, &Path, &[&str]); 4] = [
        ("examples.sarif", root, &["examples"]),
        (
            "from-a-subdirectory.sarif",
            &root.join("examples/facebook-2018"),
            &["..", "../../data"],
        ),
        ("data.sarif", &root.join("data"), &["."]),
        (
            "own-policy.sarif",
            &root.join("data"),
            &[
                "waived.yaml",
                "--policy",
                "builtin",
                "--policy",
                "../policies/ours.proviso",
            ],
        ),
    ];
    runs.iter()
        .map(|(name, dir, args)| {
            let path = out.join(name);
            let value = log(dir, args, &path);
            (path, value)
        })
        .collect()
}

/// What the Multitool says of `files`, by file: each problem's rule and
/// message.
fn validate(files: &[PathBuf], dir: &Path) -> BTreeMap<String, Vec<String>> {
    let out = dir.join("validation.sarif");
    let run = Command::new(multitool())
        .arg("validate")
        .args(["--rule-kind", "Ghas;Sarif", "--level", "Error;Warning"])
        .arg("--config")
        .arg(repo().join("tests/data/sarif-github.config.xml"))
        .args(["--log", "ForceOverwrite", "--output"])
        .arg(&out)
        .args(files)
        // The Multitool is a .NET program, which does not start where ICU
        // (libicu) is missing unless told to do without it.
        .env("DOTNET_SYSTEM_GLOBALIZATION_INVARIANT", "1")
        .output()
        .unwrap();
    let text = std::fs::read_to_string(&out).unwrap_or_else(|e| {
        panic!(
            "the Multitool wrote no log ({e}):\n{}\n{}",
            String::from_utf8_lossy(&run.stdout),
            String::from_utf8_lossy(&run.stderr)
        )
    });
    let report: Value = serde_json::from_str(&text).unwrap();
    let run = &report["runs"][0];
    // A file the Multitool could not read is said in the notifications.
    for invocation in run["invocations"].as_array().into_iter().flatten() {
        for n in invocation["toolExecutionNotifications"]
            .as_array()
            .into_iter()
            .flatten()
        {
            assert_ne!(n["level"], "error", "the Multitool failed: {n}");
        }
    }
    let mut said: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for r in run["results"].as_array().into_iter().flatten() {
        let file = r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
            .as_str()
            .unwrap_or("?");
        let file = file.rsplit('/').next().unwrap_or(file).to_string();
        said.entry(file)
            .or_default()
            .push(format!("{} {}", r["ruleId"], r["message"]));
    }
    said
}

/// Every log proviso writes passes the SARIF rules and GitHub's ingestion
/// rules: nothing at warning or error.
#[test]
#[ignore = "needs the SARIF Multitool and sarif-tools: run .ci/sarif-consumers"]
fn the_multitool_finds_nothing_to_fix_under_githubs_rules() {
    let tmp = repository();
    let logs = logs(tmp.path());
    let files: Vec<PathBuf> = logs.iter().map(|(p, _)| p.clone()).collect();
    // The logs hold what they are meant to test.
    let data = &logs[2].1["runs"][0]["results"];
    let rules: Vec<&str> = data
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["ruleId"].as_str().unwrap())
        .collect();
    for rule in [
        "manifest/unreadable",
        "manifest/syntax",
        "manifest/schema",
        "repo/unique-partner-id",
    ] {
        assert!(rules.contains(&rule), "{rule} is not in {rules:?}");
    }
    let ours = logs[3].1["runs"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["ruleId"] == "ours/recorded-consent")
        .unwrap();
    assert_eq!(
        ours["relatedLocations"][0]["physicalLocation"]["artifactLocation"]["uri"],
        "policies/ours.proviso"
    );
    let said = validate(&files, tmp.path());
    assert!(said.is_empty(), "{said:#?}");
}

/// The configuration is in force: a log that points into a shipped
/// policy, as proviso's once did, and has a rule without help fails
/// GitHub's rules.
#[test]
#[ignore = "needs the SARIF Multitool and sarif-tools: run .ci/sarif-consumers"]
fn the_multitool_rejects_what_github_rejects() {
    let tmp = repository();
    let mut bad = log(
        tmp.path(),
        &["examples/facebook-2018/spotify.yaml"],
        &tmp.path().join("good.sarif"),
    );
    bad["runs"][0]["results"][0]["relatedLocations"] = serde_json::json!([{
        "id": 1,
        "physicalLocation": {
            "artifactLocation": { "uri": "builtin:ftc2012.proviso" },
            "region": { "startLine": 10 },
        },
    }]);
    bad["runs"][0]["tool"]["driver"]["rules"][0]
        .as_object_mut()
        .unwrap()
        .remove("help");
    let path = tmp.path().join("bad.sarif");
    std::fs::write(&path, serde_json::to_string_pretty(&bad).unwrap()).unwrap();
    let said = validate(&[path], tmp.path());
    let all = said
        .values()
        .flatten()
        .cloned()
        .collect::<Vec<_>>()
        .join("\n");
    assert!(all.contains("\"GH1005\""), "{all}");
    assert!(all.contains("\"GH2012\""), "{all}");
}

fn sarif_tools_run(args: &[&str], files: &[&Path]) -> Output {
    Command::new(sarif_tools())
        .args(args)
        .args(files)
        .output()
        .unwrap()
}

/// sarif-tools lists each result with its level, rule, message, file
/// (relative to the repository's root, from wherever proviso ran) and line.
#[test]
#[ignore = "needs the SARIF Multitool and sarif-tools: run .ci/sarif-consumers"]
fn sarif_tools_lists_every_result_where_it_is() {
    let tmp = repository();
    let logs = logs(tmp.path());
    for (path, log) in &logs[..2] {
        let csv = tmp.path().join("results.csv");
        let run = sarif_tools_run(&["csv", "--output", csv.to_str().unwrap()], &[path]);
        assert!(
            run.status.success(),
            "{}",
            String::from_utf8_lossy(&run.stderr)
        );
        let mut listed: Vec<Vec<String>> = csv_rows(&std::fs::read_to_string(&csv).unwrap())
            .into_iter()
            .skip(1)
            .map(|row| row.into_iter().skip(1).collect())
            .collect();
        let mut ours: Vec<Vec<String>> = log["runs"][0]["results"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| {
                let location = &r["locations"][0]["physicalLocation"];
                vec![
                    r["level"].as_str().unwrap().to_string(),
                    r["ruleId"].as_str().unwrap().to_string(),
                    r["message"]["text"].as_str().unwrap().to_string(),
                    location["artifactLocation"]["uri"]
                        .as_str()
                        .unwrap()
                        .to_string(),
                    location["region"]["startLine"].to_string(),
                ]
            })
            .collect();
        listed.sort();
        ours.sort();
        assert_eq!(listed, ours, "{}", path.display());
    }
}

/// `sarif --check error` fails a job on the errors of a log; waived
/// findings count too unless the filter of the README leaves them out.
#[test]
#[ignore = "needs the SARIF Multitool and sarif-tools: run .ci/sarif-consumers"]
fn sarif_tools_fails_on_errors_and_its_filter_leaves_out_waived_ones() {
    let tmp = repository();
    let path = tmp.path().join("waived.sarif");
    let waived_log = log(&tmp.path().join("data"), &["waived.yaml"], &path);
    let results = waived_log["runs"][0]["results"].as_array().unwrap();
    let waived = results
        .iter()
        .filter(|r| r["suppressions"].is_array())
        .count();
    assert_eq!((results.len(), waived), (2, 1));
    let all = sarif_tools_run(&["--check", "error", "summary"], &[&path]);
    assert_eq!(all.status.code(), Some(2));
    let filter = repo().join("tests/data/sarif-tools-waived.yaml");
    let live = sarif_tools_run(
        &[
            "--check",
            "error",
            "summary",
            "--filter",
            filter.to_str().unwrap(),
        ],
        &[&path],
    );
    assert_eq!(
        live.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&live.stdout)
    );
}

/// The rows of a CSV text (RFC 4180: quoted fields may hold commas,
/// quotes doubled, and line breaks).
fn csv_rows(text: &str) -> Vec<Vec<String>> {
    let mut rows = Vec::new();
    let mut row = Vec::new();
    let mut field = String::new();
    let mut quoted = false;
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match (quoted, c) {
            (true, '"') if chars.peek() == Some(&'"') => {
                field.push('"');
                chars.next();
            }
            (true, '"') => quoted = false,
            (true, c) => field.push(c),
            (false, '"') => quoted = true,
            (false, ',') => row.push(std::mem::take(&mut field)),
            (false, '\r') => {}
            (false, '\n') => {
                row.push(std::mem::take(&mut field));
                rows.push(std::mem::take(&mut row));
            }
            (false, c) => field.push(c),
        }
    }
    if !field.is_empty() || !row.is_empty() {
        row.push(field);
        rows.push(row);
    }
    rows
}
