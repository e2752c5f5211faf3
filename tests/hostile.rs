//! Hostile input, tried as a contributor to a manifest repository could:
//! each test guards one way a file, a name, a flag or a waiver could turn a
//! failing run into a pass, crash the run, or stall it. Every run here also
//! checks a good failing manifest beside the hostile file, and its findings
//! must all still be reported.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use common::{edit, Run, COMPLIANT};
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};
use tempfile::TempDir;

const AS_OF: &str = "2018-12-18";

/// Fails `ftc2012/privacy-settings` once, at a known place.
fn failing() -> String {
    edit(
        COMPLIANT,
        "honors_privacy_settings: true",
        "honors_privacy_settings: false",
    )
}

impl Run {
    fn lines_of(&self, file: &str) -> Vec<&str> {
        self.stdout
            .lines()
            .filter(|l| l.starts_with(&format!("{file}:")))
            .collect()
    }

    /// `file` has exactly one finding, and its line holds `text`.
    fn has_one(&self, file: &str, text: &str) -> &str {
        let lines = self.lines_of(file);
        assert_eq!(lines.len(), 1, "{file}: {self}");
        assert!(lines[0].contains(text), "{file}: `{text}` expected\n{self}");
        lines[0]
    }

    /// The good manifest's one finding is there, whatever else happened.
    fn has_good_finding(&self) {
        self.has_one("good.yaml", "error[ftc2012/privacy-settings]");
    }
}

fn tempdir() -> TempDir {
    common::fenced_tempdir()
}

/// Writes a file. A manifest of the test partner gets a partner id of its
/// own, from its name: two manifests of one partner are a finding of
/// their own (`repo/unique-partner-id`), which these tests are not about.
fn write(dir: &Path, name: &str, text: impl AsRef<[u8]>) -> PathBuf {
    let path = dir.join(name);
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).unwrap();
    }
    let own: String = name
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
        .collect();
    let text = text.as_ref();
    let marker: &[u8] = b"\n  id: spotify\n";
    let text = match text.windows(marker.len()).position(|w| w == marker) {
        Some(at) => {
            let mut t = text[..at].to_vec();
            t.extend_from_slice(format!("\n  id: spotify-{own}\n").as_bytes());
            t.extend_from_slice(&text[at + marker.len()..]);
            t
        }
        None => text.to_vec(),
    };
    std::fs::write(&path, text).unwrap();
    path
}

/// Runs proviso in `dir` with `--format short` and the fixed date; fails
/// the test if it has not finished by `deadline` (a stall is a defect).
fn run_in(dir: &Path, args: &[&str], deadline: Duration) -> Run {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_proviso"));
    cmd.current_dir(dir)
        .args(args)
        .env("NO_COLOR", "1")
        // Reports wrap at 100 columns, whatever the test run's terminal.
        .env_remove("COLUMNS")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let child = cmd.spawn().unwrap();
    let start = Instant::now();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let _ = tx.send(child.wait_with_output());
    });
    let out = rx
        .recv_timeout(deadline)
        .unwrap_or_else(|_| panic!("proviso {args:?} ran past {deadline:?}"))
        .unwrap();
    let _ = start;
    Run::of(out)
}

fn check(dir: &Path, extra: &[&str]) -> Run {
    check_as("short", dir, extra)
}

fn check_as(format: &str, dir: &Path, extra: &[&str]) -> Run {
    let mut args = vec!["check", "--format", format, "--as-of", AS_OF];
    args.extend_from_slice(extra);
    run_in(dir, &args, Duration::from_secs(120))
}

/// A directory holding the good failing manifest.
fn with_good() -> TempDir {
    let dir = tempdir();
    write(dir.path(), "good.yaml", failing());
    dir
}

// ---- silent passes ---------------------------------------------------------

#[test]
fn a_file_size_limit_that_would_wrap_is_refused() {
    let dir = with_good();
    for size in [
        "18446744073709551615",
        "18446744073709551615KiB",
        "2GiB",
        "0",
    ] {
        let run = check(dir.path(), &["--max-file-size", size]);
        assert_eq!(run.code, 2, "{size}: {run}");
        assert!(run.stderr.contains("--max-file-size"), "{run}");
        assert!(run.stdout.is_empty(), "{run}");
    }
    let run = check(dir.path(), &["--max-file-size", "1GiB"]);
    assert_eq!(run.code, 1, "{run}");
    run.has_good_finding();
}

#[test]
fn a_manifest_in_a_later_document_is_reported_not_skipped() {
    let cases = [
        ("empty-documents.yaml", format!("---\n---\n{}", failing())),
        ("null-first.yaml", format!("~\n---\n{}", failing())),
        ("scalar-first.yaml", format!("hello\n---\n{}", failing())),
        (
            "header-first.yaml",
            format!("kind: header\n---\n{}", failing()),
        ),
        (
            "third.yaml",
            format!("kind: header\n---\n[1, 2]\n---\n{}", failing()),
        ),
    ];
    let dir = with_good();
    for (name, text) in &cases {
        write(dir.path(), name, text);
    }
    let run = check(dir.path(), &[]);
    assert_eq!(run.code, 1, "{run}");
    run.has_good_finding();
    for (name, text) in &cases {
        let line = run.has_one(name, "error[manifest/syntax]");
        assert!(line.contains("is a manifest"), "{run}");
        // It points at the `---` that opens the manifest's document.
        let line: usize = line.split(':').nth(1).unwrap().parse().unwrap();
        let manifest_start = text.rfind("---\n").unwrap();
        assert_eq!(
            line,
            text[..manifest_start].matches('\n').count() + 1,
            "{run}"
        );
    }
    assert!(run.stderr.starts_with("checked 6 manifests"), "{run}");
}

#[test]
fn hidden_files_and_odd_extensions_are_checked() {
    let dir = with_good();
    let names = [".acme.yaml", "Mixed.Yaml", "UPPER.YML", "trailing.yaml "];
    for name in names {
        write(dir.path(), name, failing());
    }
    // Hidden directories are not entered, but they are named.
    write(dir.path(), ".github/workflow.yaml", failing());
    let run = check(dir.path(), &[]);
    assert_eq!(run.code, 1, "{run}");
    run.has_good_finding();
    for name in names {
        assert_eq!(run.lines_of(name).len(), 1, "{name:?}: {run}");
    }
    assert!(run.lines_of(".github/workflow.yaml").is_empty(), "{run}");
    assert!(
        run.stderr
            .contains("not entered: 1 hidden directory (`.github`)"),
        "{run}"
    );
}

#[cfg(unix)]
#[test]
fn an_unreadable_policy_path_fails_the_run() {
    let dir = tempdir();
    let policies = dir.path().join("policies");
    std::fs::create_dir(&policies).unwrap();
    std::fs::copy(
        concat!(env!("CARGO_MANIFEST_DIR"), "/policies/gdpr.proviso"),
        policies.join("gdpr.proviso"),
    )
    .unwrap();
    std::os::unix::fs::symlink("gone.proviso", policies.join("ftc2012.proviso")).unwrap();
    for args in [
        vec!["rules", "--policy", "policies"],
        vec!["check", "--policy", "policies", "."],
    ] {
        let run = run_in(dir.path(), &args, Duration::from_secs(60));
        assert_eq!(run.code, 2, "{args:?}: {run}");
        assert!(
            run.stderr.contains("policies/ftc2012.proviso")
                && run.stderr.contains("a symbolic link to nothing"),
            "{run}"
        );
        assert!(run.stdout.is_empty(), "{run}");
    }
}

#[test]
fn a_run_that_checks_no_manifest_fails_unless_allowed() {
    let dir = tempdir();
    write(dir.path(), "README.md", "# not YAML\n");
    write(dir.path(), "ci.yaml", "on: push\n");
    let run = check(dir.path(), &[]);
    assert_eq!(run.code, 2, "{run}");
    assert!(
        run.stderr
            .contains("no manifest was checked: the one YAML file found is not a manifest (no `schema:` naming a schema)"),
        "{run}"
    );
    assert!(run.stderr.contains("--allow-empty"), "{run}");
    let run = check(dir.path(), &["--allow-empty"]);
    assert_eq!(run.code, 0, "{run}");
    // A path with no YAML at all.
    let empty = tempdir();
    let run = check(empty.path(), &[]);
    assert_eq!(run.code, 2, "{run}");
    assert!(run.stderr.contains("no YAML file was found"), "{run}");
}

// ---- crashes and runaways --------------------------------------------------

/// `big: &b [x, x, ...]` and then `*b` `uses` times.
fn alias_bomb(items: usize, uses: usize) -> String {
    let mut text = edit(
        COMPLIANT,
        "access_logs: true\n",
        "access_logs: true\nbig: &b [",
    );
    text.push_str(&vec!["x"; items].join(","));
    text.push_str("]\nuses:\n");
    for _ in 0..uses {
        text.push_str("  - *b\n");
    }
    text
}

#[test]
fn an_alias_reused_past_the_file_size_is_refused_for_that_file_alone() {
    let dir = with_good();
    let small = alias_bomb(10_000, 3_000);
    assert!(small.len() < 120 * 1024);
    write(dir.path(), "bomb.yaml", &small);
    write(dir.path(), "bigger.yaml", alias_bomb(10_000, 80_000));
    let run = check(dir.path(), &[]);
    assert_eq!(run.code, 1, "{run}");
    run.has_good_finding();
    for file in ["bomb.yaml", "bigger.yaml"] {
        let line = run.has_one(file, "error[manifest/syntax]");
        assert!(line.contains("aliases expand this file past"), "{run}");
    }
}

#[test]
fn flow_nesting_is_counted_on_the_parser_s_events() {
    let dir = with_good();
    // A backslash before the closing quote used to fool the text scan.
    let tricky = format!("{}q: \"\\\\\"\nr: {}\n", COMPLIANT, "[".repeat(200_000));
    write(dir.path(), "tricky.yaml", &tricky);
    // Brackets inside a single-quoted scalar with an escaped quote are
    // text, not nesting.
    let quoted = edit(
        COMPLIANT,
        "purposes: [messaging]",
        &format!("purposes: ['it''s {}']", "[[".repeat(300)),
    );
    write(dir.path(), "quoted.yaml", quoted);
    let run = check(dir.path(), &[]);
    assert_eq!(run.code, 1, "{run}");
    run.has_good_finding();
    run.has_one("tricky.yaml", "nesting deeper than 128 levels");
    assert!(run.lines_of("quoted.yaml").is_empty(), "{run}");
}

/// `n` grants that each fail `ftc2012/privacy-settings`.
fn many_failing_grants(n: usize) -> String {
    let base = failing();
    let grant_start = base.find("  - id: inbox").unwrap();
    let grant_end = base.find("transfers:").unwrap();
    let grant = base[grant_start..grant_end].to_string();
    let mut text = base[..grant_start].to_string();
    for i in 0..n {
        text.push_str(&grant.replacen("id: inbox", &format!("id: inbox-{i}"), 1));
    }
    text.push_str(&base[grant_end..]);
    text
}

#[test]
fn ten_thousand_findings_in_one_file_are_all_reported_at_their_lines() {
    let dir = tempdir();
    let text = many_failing_grants(10_000);
    write(dir.path(), "many.yaml", &text);
    let run = check(dir.path(), &[]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    let lines = run.lines_of("many.yaml");
    assert_eq!(lines.len(), 10_000, "{}", run.stderr);
    let expected: Vec<usize> = text
        .match_indices("honors_privacy_settings: false")
        .map(|(i, _)| text[..i].matches('\n').count() + 1)
        .collect();
    let got: Vec<usize> = lines
        .iter()
        .map(|l| l.split(':').nth(1).unwrap().parse().unwrap())
        .collect();
    assert_eq!(got, expected);
}

#[test]
fn a_mapping_of_many_unknown_keys_is_reported_key_by_key() {
    let dir = tempdir();
    let mut text = COMPLIANT.to_string();
    text.push_str("extra:\n");
    let mut text = edit(&text, "extra:\n", "");
    for i in 0..50_000 {
        text.push_str(&format!("unknown_{i}: 1\n"));
    }
    write(dir.path(), "keys.yaml", &text);
    let run = check(dir.path(), &[]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert_eq!(run.lines_of("keys.yaml").len(), 50_000);
    let last = run.lines_of("keys.yaml")[49_999];
    let line = COMPLIANT.lines().count() + 50_000;
    assert!(
        last.starts_with(&format!(
            "keys.yaml:{line}:1: error[manifest/schema]: unknown key `unknown_49999`"
        )),
        "{last}"
    );
}

/// `n` features and `n` grants, each grant joined to its own feature.
fn wide_join(n: usize, retired: bool) -> String {
    let feature_start = COMPLIANT.find("  - id: messenger-in-spotify").unwrap();
    let grants_start = COMPLIANT.find("grants:").unwrap();
    let grant_end = COMPLIANT.find("transfers:").unwrap();
    let feature = &COMPLIANT[feature_start..grants_start];
    let grant = &COMPLIANT[grants_start + "grants:\n".len()..grant_end];
    let mut text = COMPLIANT[..feature_start].to_string();
    for i in 0..n {
        let f = feature.replace("id: messenger-in-spotify", &format!("id: f-{i}"));
        let f = if retired {
            f
        } else {
            f.replace("    retired: 2018-11-15\n", "")
        };
        text.push_str(&f);
    }
    text.push_str("grants:\n");
    for i in 0..n {
        text.push_str(
            &grant
                .replace("id: inbox", &format!("id: g-{i}"))
                .replace("feature: messenger-in-spotify", &format!("feature: f-{i}")),
        );
    }
    text.push_str(&COMPLIANT[grant_end..]);
    text
}

#[test]
fn equality_joins_take_linear_time() {
    let dir = tempdir();
    // Checked item by item, this is 2.25e8 pairs per join rule.
    write(dir.path(), "wide.yaml", wide_join(15_000, false));
    let run = check(dir.path(), &["--max-file-size", "64MiB"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stderr.starts_with("checked 1 manifest"), "{run}");
}

#[test]
fn a_policy_nested_past_the_limit_is_refused_where_it_gets_too_deep() {
    let dir = with_good();
    let rule = |require: String| {
        format!(
            "policy deep for partnership/v1\n\nrule deep/rule {{\n  title \"t\"\n  severity error\n  require {require}\n  message \"m\"\n}}\n"
        )
    };
    let cases = [
        (
            "parens.proviso",
            rule(format!("{}true{}", "(".repeat(5_000), ")".repeat(5_000))),
            "nested deeper than 32 levels",
        ),
        (
            "chain.proviso",
            rule(vec!["own_purpose_use"; 3_000].join(" and ")),
            "nested more than 100 operators deep",
        ),
        (
            "nots.proviso",
            rule(format!("{}own_purpose_use", "not ".repeat(3_000))),
            "nested more than 100 operators deep",
        ),
        (
            "types.proviso",
            format!(
                "schema deep/v1 {{\n  x: {}string{}\n}}\n",
                "[".repeat(5_000),
                "]".repeat(5_000)
            ),
            "nested deeper than 32 levels",
        ),
    ];
    for (name, text, message) in &cases {
        write(dir.path(), name, text);
        for command in ["rules", "check"] {
            let run = run_in(
                dir.path(),
                &[command, "--policy", name],
                Duration::from_secs(60),
            );
            assert_eq!(run.code, 2, "{name} {command}: {run}");
            assert!(run.stderr.contains(message), "{name}: {run}");
            // The rule's `require` is on line 6; the schema's field on 2.
            assert!(
                run.stderr.contains(&format!("{name}:6:"))
                    || run.stderr.contains(&format!("{name}:2:")),
                "{name}: {run}"
            );
        }
    }
    // At the limit, the rule loads and runs.
    let fine = rule(vec!["own_purpose_use"; 100].join(" or "));
    write(dir.path(), "fine.proviso", &fine);
    let run = run_in(
        dir.path(),
        &[
            "check",
            "--format",
            "short",
            "--as-of",
            AS_OF,
            "--policy",
            "fine.proviso",
            "good.yaml",
        ],
        Duration::from_secs(60),
    );
    assert_eq!(run.code, 1, "{run}");
}

// ---- output a manifest could forge -----------------------------------------

#[cfg(unix)]
#[test]
fn links_out_of_the_checked_paths_are_not_followed_but_counted() {
    let outside = tempdir();
    write(outside.path(), "secret.yaml", failing());
    let dir = with_good();
    std::os::unix::fs::symlink(outside.path(), dir.path().join("usr")).unwrap();
    std::os::unix::fs::symlink(
        outside.path().join("secret.yaml"),
        dir.path().join("link.yaml"),
    )
    .unwrap();
    // A link that stays inside is followed.
    std::fs::create_dir(dir.path().join("inner")).unwrap();
    write(dir.path(), "inner/real.yaml", failing());
    std::os::unix::fs::symlink("inner", dir.path().join("alias")).unwrap();
    let run = check(dir.path(), &[]);
    assert_eq!(run.code, 1, "{run}");
    run.has_good_finding();
    assert!(!run.stdout.contains("secret"), "{run}");
    assert!(run.lines_of("usr/secret.yaml").is_empty(), "{run}");
    assert!(run.lines_of("link.yaml").is_empty(), "{run}");
    // The same file, inside, through a link: checked once.
    assert_eq!(
        run.lines_of("alias/real.yaml").len() + run.lines_of("inner/real.yaml").len(),
        1,
        "{run}"
    );
    assert!(
        run.stderr
            .contains("2 links out of the checked paths (`link.yaml`, `usr`)"),
        "{run}"
    );
}

#[cfg(unix)]
#[test]
fn a_fifo_inside_a_directory_is_counted_and_never_opened() {
    let dir = with_good();
    let fifo = dir.path().join("pipe.yaml");
    let made = Command::new("mkfifo").arg(&fifo).status();
    if !made.is_ok_and(|s| s.success()) {
        return;
    }
    let run = check(dir.path(), &[]);
    assert_eq!(run.code, 1, "{run}");
    run.has_good_finding();
    assert!(
        run.stderr.contains("1 FIFO or device (`pipe.yaml`)"),
        "{run}"
    );
}

#[cfg(unix)]
#[test]
fn file_names_that_are_not_utf8_are_escaped_visibly() {
    use std::os::unix::ffi::OsStrExt;
    let dir = with_good();
    let name = std::ffi::OsStr::from_bytes(b"caf\xe9.yaml");
    std::fs::write(dir.path().join(name), failing()).unwrap();
    let run = check(dir.path(), &[]);
    assert_eq!(run.code, 1, "{run}");
    assert_eq!(run.lines_of("caf\\xE9.yaml").len(), 1, "{run}");
    assert!(!run.stdout.contains('\u{fffd}'), "{run}");
    // SARIF names the file by its bytes.
    let sarif = check_as("sarif", dir.path(), &[]);
    let log: serde_json::Value = serde_json::from_str(&sarif.stdout).unwrap();
    let uris: Vec<&str> = log["runs"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
                .as_str()
                .unwrap()
        })
        .collect();
    assert!(uris.contains(&"caf%E9.yaml"), "{uris:?}");
}

// ---- waivers anyone can write ----------------------------------------------

fn waived(reason: &str, approver: &str, expires: &str) -> String {
    format!(
        "{}waivers:\n  - rule: ftc2012/privacy-settings\n    reason: {reason}\n    approved_by: {approver}\n    expires: {expires}\n",
        failing()
    )
}

#[test]
fn a_waiver_without_a_reason_or_approver_is_a_schema_error() {
    let dir = with_good();
    write(
        dir.path(),
        "blank-reason.yaml",
        waived("\" \"", "privacy-legal", "2019-01-31"),
    );
    write(
        dir.path(),
        "blank-approver.yaml",
        waived("legal review", "\"\"", "2019-01-31"),
    );
    let run = check(dir.path(), &[]);
    assert_eq!(run.code, 1, "{run}");
    run.has_good_finding();
    for (file, field) in [
        ("blank-reason.yaml", "reason"),
        ("blank-approver.yaml", "approved_by"),
    ] {
        let lines = run.lines_of(file);
        assert_eq!(lines.len(), 1, "{run}");
        assert!(
            lines[0].contains(&format!(
                "error[manifest/schema]: `{field}` must not be blank"
            )),
            "{run}"
        );
    }
}

#[test]
fn a_waiver_further_ahead_than_the_maximum_silences_nothing() {
    let dir = tempdir();
    write(
        dir.path(),
        "forever.yaml",
        waived("legal review", "privacy-legal", "9999-12-31"),
    );
    let run = check(dir.path(), &[]);
    assert_eq!(run.code, 1, "{run}");
    let lines = run.lines_of("forever.yaml");
    assert_eq!(lines.len(), 2, "{run}");
    assert!(
        lines
            .iter()
            .any(|l| l.contains("error[ftc2012/privacy-settings]") && !l.contains("waived")),
        "{run}"
    );
    assert!(
        lines
            .iter()
            .any(|l| l.contains("error[proviso/waiver-too-long]")),
        "{run}"
    );
    // Within the maximum the waiver works; the maximum can be set.
    write(
        dir.path(),
        "forever.yaml",
        waived("legal review", "privacy-legal", "2019-12-18"),
    );
    let run = check(dir.path(), &[]);
    assert_eq!(run.code, 0, "{run}");
    let run = check(dir.path(), &["--max-waiver-days", "30"]);
    assert_eq!(run.code, 1, "{run}");
    assert!(
        run.stdout.contains("more than 30 days after 2018-12-18"),
        "{run}"
    );
}

#[test]
fn ids_repeated_within_their_list_are_schema_errors_at_the_second() {
    let dir = tempdir();
    let base = failing();
    let grant_start = base.find("  - id: inbox").unwrap();
    let grant_end = base.find("transfers:").unwrap();
    let grant = &base[grant_start..grant_end];
    let text = format!(
        "{}{grant}{}waivers:\n  - rule: ftc2012/privacy-settings\n    grant: inbox\n    reason: legal review\n    approved_by: privacy-legal\n    expires: 2019-01-31\n",
        &base[..grant_end],
        &base[grant_end..],
    );
    write(dir.path(), "twice.yaml", &text);
    let run = check_as("json", dir.path(), &[]);
    assert_eq!(run.code, 1, "{run}");
    let doc: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    let findings: Vec<&serde_json::Value> = doc["findings"].as_array().unwrap().iter().collect();
    assert_eq!(findings.len(), 1, "{run}");
    let f = findings[0];
    assert_eq!(f["rule"], "manifest/schema");
    assert_eq!(f["location"]["pointer"], "/grants/1/id");
    assert!(
        f["message"]
            .as_str()
            .unwrap()
            .contains("duplicate grant `id` `inbox`"),
        "{run}"
    );
    let second = text.match_indices("id: inbox").nth(1).unwrap().0;
    assert_eq!(
        f["location"]["line"].as_u64().unwrap() as usize,
        text[..second].matches('\n').count() + 1
    );
}

// ---- smaller defects -------------------------------------------------------

#[cfg(target_os = "linux")]
#[test]
fn a_full_disk_on_stdout_is_an_error_with_a_message() {
    let dir = with_good();
    let out = Command::new(env!("CARGO_BIN_EXE_proviso"))
        .current_dir(dir.path())
        .args(["check", "--format", "short", "--as-of", AS_OF])
        .stdout(
            std::fs::OpenOptions::new()
                .write(true)
                .open("/dev/full")
                .unwrap(),
        )
        .stderr(Stdio::piped())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("cannot write the report to standard output"),
        "{stderr}"
    );
}

#[test]
fn a_reader_that_goes_away_stops_the_run_quietly_in_every_format() {
    let dir = tempdir();
    for i in 0..600 {
        write(dir.path(), &format!("m{i:03}.yaml"), failing());
    }
    for format in ["short", "github", "human", "json"] {
        let mut child = Command::new(env!("CARGO_BIN_EXE_proviso"))
            .current_dir(dir.path())
            .args(["check", "--format", format, "--as-of", AS_OF])
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let mut first = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut first)
            .unwrap();
        // The reader is gone.
        let out = child.wait_with_output().unwrap();
        assert_eq!(out.status.code(), Some(2), "{format}");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(!stderr.contains("error"), "{format}: {stderr}");
        assert!(!stderr.contains("panicked"), "{format}: {stderr}");
    }
}

#[test]
fn the_report_never_overwrites_a_manifest_outside_the_checked_paths() {
    let dir = with_good();
    let other = write(dir.path(), "elsewhere/other.yaml", COMPLIANT);
    let run = check(
        dir.path(),
        &["good.yaml", "--output", other.to_str().unwrap()],
    );
    assert_eq!(run.code, 2, "{run}");
    assert!(run.stderr.contains("which is a manifest"), "{run}");
    let written = std::fs::read_to_string(&other).unwrap();
    assert_eq!(
        written,
        COMPLIANT.replace("id: spotify\n", "id: spotify-elsewhere-other-yaml\n")
    );
}

#[test]
fn a_negative_count_is_a_schema_error() {
    let dir = with_good();
    write(
        dir.path(),
        "negative.yaml",
        edit(COMPLIANT, "monthly_users: 70000000", "monthly_users: -5"),
    );
    let run = check(dir.path(), &[]);
    assert_eq!(run.code, 1, "{run}");
    let lines = run.lines_of("negative.yaml");
    assert_eq!(lines.len(), 1, "{run}");
    assert!(
        lines[0].contains("error[manifest/schema]: `-5` is out of range"),
        "{run}"
    );
}

#[test]
fn durations_are_shown_as_written() {
    let dir = tempdir();
    write(
        dir.path(),
        "long.yaml",
        edit(COMPLIANT, "retention: 30d", "retention: 999999999999d"),
    );
    write(
        dir.path(),
        "weeks.yaml",
        edit(COMPLIANT, "retention: 30d", "retention: 60w"),
    );
    let run = check(dir.path(), &[]);
    assert_eq!(run.code, 0, "warnings do not fail: {run}");
    let run = check(dir.path(), &["--fail-on", "warning"]);
    assert!(
        run.lines_of("long.yaml")[0].contains("for 999999999999d"),
        "{run}"
    );
    assert!(run.lines_of("weeks.yaml")[0].contains("for 60w"), "{run}");
}

#[test]
fn utf16_is_named_and_late_control_characters_are_placed() {
    let dir = with_good();
    let utf16: Vec<u8> = [0xff, 0xfe]
        .into_iter()
        .chain(COMPLIANT.encode_utf16().flat_map(u16::to_le_bytes))
        .collect();
    write(dir.path(), "utf16.yaml", utf16);
    let padding = "# padding\n".repeat(1_000);
    for (name, c) in [("nul.yaml", '\0'), ("esc.yaml", '\u{1b}')] {
        write(
            dir.path(),
            name,
            format!("{COMPLIANT}{padding}note: \"a{c}b\"\n"),
        );
    }
    let run = check(dir.path(), &[]);
    assert_eq!(run.code, 1, "{run}");
    run.has_good_finding();
    let lines = run.lines_of("utf16.yaml");
    assert!(
        lines[0].contains("UTF-16 (little-endian) text, not UTF-8"),
        "{run}"
    );
    let line = COMPLIANT.lines().count() + 1_000 + 1;
    for (name, code) in [("nul.yaml", "U+0000"), ("esc.yaml", "U+001B")] {
        let l = run.lines_of(name);
        assert_eq!(l.len(), 1, "{run}");
        assert!(
            l[0].starts_with(&format!("{name}:{line}:9: error[manifest/syntax]: ")),
            "{run}"
        );
        assert!(l[0].contains(code), "{run}");
    }
}

#[test]
fn built_in_checks_read_the_same_in_every_listing() {
    let dir = with_good();
    write(
        dir.path(),
        "broken.yaml",
        "schema: partnership/v1
key: [unclosed
",
    );
    let rules = run_in(dir.path(), &["rules"], Duration::from_secs(60));
    let json = check_as("json", dir.path(), &[]);
    let doc: serde_json::Value = serde_json::from_str(&json.stdout).unwrap();
    let sarif = check_as("sarif", dir.path(), &[]);
    let log: serde_json::Value = serde_json::from_str(&sarif.stdout).unwrap();
    let sarif_rules = log["runs"][0]["tool"]["driver"]["rules"]
        .as_array()
        .unwrap();
    for b in proviso::builtin::Builtin::ALL {
        let listed = rules
            .stdout
            .lines()
            .find(|l| l.starts_with(b.id()))
            .unwrap_or_else(|| panic!("{} not listed", b.id()));
        assert!(listed.contains(b.title()), "{listed}");
        assert!(listed.contains(b.severity().as_str()), "{listed}");
        let entry = sarif_rules.iter().find(|r| r["id"] == b.id()).unwrap();
        assert_eq!(entry["shortDescription"]["text"], b.title(), "{}", b.id());
    }
    let syntax = doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["rule"] == "manifest/syntax")
        .unwrap();
    assert_eq!(syntax["title"], proviso::builtin::Builtin::Syntax.title());
}

#[test]
fn a_rule_past_its_step_budget_ends_in_an_error_that_names_it() {
    use proviso::eval::{eval_rule, eval_rule_within, Outcome};
    use proviso::manifest::load::{load, Loaded};
    use proviso::source::Source;
    let policy = Source::new(
        "cross.proviso",
        "policy cross for partnership/v1\n\n\
         rule cross/every-pair {\n  title \"t\"\n  severity error\n  \
         require all f in features: all g in grants: g.feature != f.description\n  \
         message \"m\"\n}\n",
    );
    let mut sources = proviso::shipped::sources();
    sources.retain(|s| s.name.ends_with("partnership.proviso"));
    sources.push(policy);
    let program = proviso::check::compile(&sources).unwrap();
    let text = wide_join(60, true);
    let Loaded::Manifest { value, issues, .. } = load(&text, &program.types) else {
        panic!("not a manifest");
    };
    assert!(issues.is_empty(), "{issues:?}");
    let rule = program.rule("cross/every-pair").unwrap();
    let today = proviso::date::Date::parse(AS_OF).unwrap();
    // 60 × 60 pairs fit the default budget, not one of a thousand steps.
    assert!(matches!(
        eval_rule(rule, &value, &program.types, today),
        Outcome::Pass
    ));
    let Outcome::Error(message) = eval_rule_within(rule, &value, &program.types, today, 1_000)
    else {
        panic!("the budget did not stop the rule");
    };
    assert!(message.contains("more than 1000 steps"), "{message}");
    // Through the pipeline, the finding names the rule.
    let text = wide_join(5_000, true);
    let report = proviso::run::check_text(
        &program,
        "cross.yaml",
        text,
        &proviso::run::Options::new(today),
    );
    let errors: Vec<&str> = report
        .findings
        .iter()
        .filter(|f| f.rule == "cross/every-pair")
        .map(|f| f.message.as_str())
        .collect();
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert!(
        errors[0].starts_with("rule `cross/every-pair` could not be evaluated: it took more than"),
        "{errors:?}"
    );
}

// ---- variants found by an adversarial pass ---------------------------------

#[test]
fn later_manifests_are_found_behind_tags_errors_and_misspellings() {
    let dir = with_good();
    let cases = [
        ("tagged.yaml", format!("a: 1\n--- !x\n{}", failing())),
        (
            "broken-after.yaml",
            format!("a: 1\n---\n{}x: \"unterminated\n", failing()),
        ),
        (
            "clean-then-broken.yaml",
            format!("{COMPLIANT}---\n\"unterminated\n"),
        ),
        (
            "misspelled.yaml",
            format!("a: 1\n---\n{}", failing().replace("\nschema:", "\nSchema:")),
        ),
    ];
    for (name, text) in &cases {
        write(dir.path(), name, text);
    }
    let run = check(dir.path(), &[]);
    assert_eq!(run.code, 1, "{run}");
    run.has_good_finding();
    for (name, _) in &cases {
        run.has_one(name, "error[manifest/syntax]");
    }
}

#[test]
fn a_manifest_behind_unicode_line_breaks_in_comments_is_checked() {
    let dir = with_good();
    let body = &failing()[failing().find("schema:").unwrap()..];
    for (name, brk) in [("nel.yaml", '\u{85}'), ("ls.yaml", '\u{2028}')] {
        let text: String = body.lines().map(|l| format!("#{brk}{l}\n")).collect();
        write(dir.path(), name, text);
    }
    let run = check(dir.path(), &[]);
    assert_eq!(run.code, 1, "{run}");
    for name in ["nel.yaml", "ls.yaml"] {
        assert!(!run.lines_of(name).is_empty(), "{name}: {run}");
    }
    assert!(!run.stderr.contains("skipped"), "{run}");
}

#[test]
fn the_schema_key_and_id_in_capitals_are_misspellings_not_other_files() {
    let dir = with_good();
    write(
        dir.path(),
        "key.yaml",
        failing().replace("\nschema:", "\nSCHEMA:"),
    );
    write(
        dir.path(),
        "id.yaml",
        failing().replace("schema: partnership/v1", "schema: PARTNERSHIP/V1"),
    );
    let run = check(dir.path(), &[]);
    assert_eq!(run.code, 1, "{run}");
    for name in ["key.yaml", "id.yaml"] {
        run.has_one(name, "error[manifest/schema]");
    }
}

#[test]
fn names_with_trailing_dots_or_invisible_characters_are_checked() {
    let dir = with_good();
    let names = ["dot.yaml.", "zwsp.yml\u{200b}", "mark.yaml\u{301}"];
    for name in names {
        write(dir.path(), name, failing());
    }
    let run = check(dir.path(), &[]);
    assert_eq!(run.code, 1, "{run}");
    // Shown escaped where they are invisible, but checked.
    assert_eq!(run.lines_of("dot.yaml.").len(), 1, "{run}");
    assert!(run.stderr.starts_with("checked 4 manifests"), "{run}");
}

#[test]
fn findings_on_a_very_long_line_render_without_a_snippet() {
    let dir = with_good();
    let mut text = COMPLIANT.to_string();
    text.push_str(&format!("{}: 1\n", "x".repeat(1000)));
    text.push_str(&format!("extra: [{}]\n", vec!["zz"; 30_000].join(", ")));
    write(dir.path(), "long.yaml", &text);
    let run = run_in(
        dir.path(),
        &["check", "--format", "human", "--as-of", AS_OF],
        Duration::from_secs(120),
    );
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(!run.stderr.contains("panicked"), "{}", run.stderr);
    assert!(
        run.stdout.len() < 10 * text.len(),
        "{} bytes",
        run.stdout.len()
    );
    assert!(
        run.stdout.contains("long.yaml:"),
        "{}",
        &run.stdout[..2000.min(run.stdout.len())]
    );
    // Many findings on one line: each column is found without rescanning
    // the line.
    let text = edit(
        COMPLIANT,
        "subjects: [user, friends]",
        &format!("subjects: [{}]", vec!["zz"; 100_000].join(", ")),
    );
    write(dir.path(), "wide.yaml", &text);
    let run = check(dir.path(), &[]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    let lines = run.lines_of("wide.yaml");
    assert_eq!(lines.len(), 100_000);
    let line = COMPLIANT[..COMPLIANT.find("subjects:").unwrap()]
        .matches('\n')
        .count()
        + 1;
    assert!(
        lines[99_999].starts_with(&format!("wide.yaml:{line}:{}:", 16 + 99_999 * 4)),
        "{}",
        lines[99_999]
    );
}

#[test]
fn nested_quantifiers_are_refused_like_brackets() {
    let dir = with_good();
    let text = format!(
        "policy deep for partnership/v1\n\nrule deep/rule {{\n  title \"t\"\n  severity error\n  require {}true\n  message \"m\"\n}}\n",
        "any g in grants: ".repeat(4_000)
    );
    write(dir.path(), "q.proviso", text);
    for command in ["rules", "check"] {
        let run = run_in(
            dir.path(),
            &[command, "--policy", "q.proviso"],
            Duration::from_secs(60),
        );
        assert_eq!(run.code, 2, "{run}");
        assert!(run.stderr.contains("q.proviso:6:"), "{run}");
        assert!(run.stderr.contains("nested deeper than 32 levels"), "{run}");
    }
}

#[test]
fn long_lists_in_a_rule_meet_the_budget_and_messages_stay_short() {
    let dir = with_good();
    let n = 20_000;
    let text = edit(
        &edit(
            COMPLIANT,
            "subjects: [user, friends]",
            &format!("subjects: [{}]", vec!["friends"; n].join(", ")),
        ),
        "covers: [user, friends]",
        &format!("covers: [{}]", vec!["user"; n].join(", ")),
    );
    write(dir.path(), "square.yaml", &text);
    // A short list of the same kind: the message shows the first items.
    let text = edit(
        &edit(
            COMPLIANT,
            "subjects: [user, friends]",
            "subjects: [friends]",
        ),
        "covers: [user, friends]",
        &format!("covers: [{}]", vec!["user"; 30].join(", ")),
    );
    write(dir.path(), "short.yaml", &text);
    let run = check(dir.path(), &[]);
    assert_eq!(run.code, 1, "{run}");
    run.has_good_finding();
    let square = run.lines_of("square.yaml");
    assert!(
        square
            .iter()
            .any(|l| l.contains("rule `ftc2012/subject-consent` could not be evaluated")),
        "{square:?}"
    );
    let short = run.lines_of("short.yaml");
    assert_eq!(short.len(), 1, "{run}");
    assert!(short[0].contains("… 10 more"), "{run}");
    assert!(short[0].len() < 400, "{run}");
}

#[test]
fn the_report_never_overwrites_a_policy_or_a_manifest_in_any_spelling() {
    let dir = with_good();
    let policies = dir.path().join("policies");
    std::fs::create_dir(&policies).unwrap();
    let policy = concat!(env!("CARGO_MANIFEST_DIR"), "/policies/gdpr.proviso");
    std::fs::copy(policy, policies.join("gdpr.proviso")).unwrap();
    let commented = write(
        dir.path(),
        "other/commented.yaml",
        format!("--- # the partner\n{COMPLIANT}"),
    );
    let flow = write(
        dir.path(),
        "other/flow.yaml",
        "{schema: partnership/v1, partner: {id: x}}\n",
    );
    for target in [
        policies.join("gdpr.proviso"),
        commented.clone(),
        flow.clone(),
    ] {
        let before = std::fs::read(&target).unwrap();
        let run = check(
            dir.path(),
            &["good.yaml", "--output", target.to_str().unwrap()],
        );
        assert_eq!(run.code, 2, "{}: {run}", target.display());
        assert!(run.stderr.contains("refusing to write the report"), "{run}");
        assert_eq!(std::fs::read(&target).unwrap(), before);
    }
    // An earlier report is overwritten as usual.
    let report = write(
        dir.path(),
        "report.sarif",
        "{\"$schema\": \"x\", \"runs\": []}\n",
    );
    let run = check_as(
        "sarif",
        dir.path(),
        &["good.yaml", "--output", report.to_str().unwrap()],
    );
    assert_eq!(run.code, 1, "{run}");
}

#[test]
fn policy_text_and_flag_values_reach_no_terminal_raw() {
    let dir = with_good();
    write(
        dir.path(),
        "p.proviso",
        "policy evil for partnership/v1\n\n/// Source\u{1b}[2J\u{202e}: x\nrule evil/rule {\n  title \"all \u{1b}[32mclear\u{8}\"\n  severity error\n  require true\n  message \"m\"\n}\n",
    );
    let run = run_in(
        dir.path(),
        &["rules", "--policy", "p.proviso"],
        Duration::from_secs(60),
    );
    assert_eq!(run.code, 0, "{run}");
    let out = run_in(
        dir.path(),
        &["check", "good.yaml", "--as-of", "2019\r\u{202e}\u{1b}[31m"],
        Duration::from_secs(60),
    );
    assert_eq!(out.code, 2, "{out}");
    for text in [&run.stdout, &run.stderr, &out.stdout, &out.stderr] {
        assert!(
            !text
                .chars()
                .any(|c| (c.is_control() && c != '\n') || c == '\u{202e}'),
            "{text:?}"
        );
    }
}

#[test]
fn a_waiver_reason_of_invisible_characters_is_blank() {
    let dir = with_good();
    for (name, reason) in [
        ("zwsp.yaml", "\"\u{200b}\""),
        ("braille.yaml", "\"\u{2800}\u{3164}\""),
    ] {
        write(
            dir.path(),
            name,
            waived(reason, "privacy-legal", "2019-01-31"),
        );
    }
    let run = check(dir.path(), &[]);
    assert_eq!(run.code, 1, "{run}");
    for name in ["zwsp.yaml", "braille.yaml"] {
        run.has_one(name, "`reason` must not be blank");
    }
}

#[test]
fn a_tagged_schema_value_is_a_manifest_that_hides_its_schema() {
    let dir = with_good();
    write(
        dir.path(),
        "binary.yaml",
        failing().replace(
            "schema: partnership/v1",
            "schema: !!binary cGFydG5lcnNoaXAvdjE=",
        ),
    );
    write(
        dir.path(),
        "custom.yaml",
        failing().replace("schema: partnership/v1", "schema: !custom partnership/v1"),
    );
    write(
        dir.path(),
        "later.yaml",
        "foo: 1\n---\nschema: !!binary eA==\n",
    );
    let run = check(dir.path(), &[]);
    assert_eq!(run.code, 1, "{run}");
    run.has_good_finding();
    for (name, rule) in [
        ("binary.yaml", "manifest/schema"),
        ("custom.yaml", "manifest/schema"),
        ("later.yaml", "manifest/syntax"),
    ] {
        let lines = run.lines_of(name);
        assert_eq!(lines.len(), 1, "{name}: {run}");
        assert!(
            lines[0].contains(&format!("error[{rule}]")),
            "{name}: {run}"
        );
    }
    assert!(!run.stderr.contains("skipped"), "{run}");
}

#[test]
fn characters_outside_the_basic_plane_hide_neither_a_file_nor_a_blank_reason() {
    let dir = with_good();
    for name in ["vs.yaml\u{e0100}", "tag.yml\u{e0020}", "zw.ya\u{200b}ml"] {
        write(dir.path(), name, failing());
    }
    write(
        dir.path(),
        "reason.yaml",
        waived(
            "\"\u{e0020}\u{1d173}\u{591}\"",
            "privacy-legal",
            "2019-01-31",
        ),
    );
    let run = check(dir.path(), &[]);
    assert_eq!(run.code, 1, "{run}");
    assert!(run.stderr.starts_with("checked 5 manifests"), "{run}");
    run.has_one("reason.yaml", "`reason` must not be blank");
}

#[cfg(unix)]
#[test]
fn the_report_never_overwrites_a_policy_through_a_link() {
    let dir = with_good();
    let policy = write(
        dir.path(),
        "pol/gdpr.proviso",
        std::fs::read(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/policies/gdpr.proviso"
        ))
        .unwrap(),
    );
    std::fs::hard_link(&policy, dir.path().join("hard.txt")).unwrap();
    std::os::unix::fs::symlink(&policy, dir.path().join("soft")).unwrap();
    let before = std::fs::read(&policy).unwrap();
    for target in ["hard.txt", "soft"] {
        let run = check(dir.path(), &["good.yaml", "--output", target]);
        assert_eq!(run.code, 2, "{target}: {run}");
        assert!(run.stderr.contains("which is a policy file"), "{run}");
        assert_eq!(std::fs::read(&policy).unwrap(), before);
    }
}

#[test]
fn a_bad_flag_value_cannot_add_a_line() {
    let dir = with_good();
    for flag in [
        "--max-waiver-days",
        "--as-of",
        "--max-file-size",
        "--fail-on",
    ] {
        let run = run_in(
            dir.path(),
            &["check", "good.yaml", flag, "1\n::error::forged\r"],
            Duration::from_secs(30),
        );
        assert_eq!(run.code, 2, "{flag}: {run}");
        assert!(
            !run.stderr.lines().any(|l| l.starts_with("::error")),
            "{flag}: {run}"
        );
        assert!(!run.stderr.contains('\r'), "{flag}: {run}");
    }
}

#[test]
fn constraints_that_cannot_apply_are_policy_errors() {
    let dir = tempdir();
    write(
        dir.path(),
        "c.proviso",
        "schema own/v1 {\n  x: int? unique\n  items: [Item]\n}\n\nrecord Item {\n  n: int not blank\n  s: string >= 0\n  l: [string] unique\n  k: int >= 5 <= 1\n}\n",
    );
    let run = run_in(
        dir.path(),
        &["rules", "--policy", "c.proviso"],
        Duration::from_secs(30),
    );
    assert_eq!(run.code, 2, "{run}");
    for expected in [
        "`unique` applies to a field of a record whose items form a list",
        "`not blank` needs a `string`, but `n` is of type `int`",
        "a bound needs an `int`, but `s` is of type `string`",
        "`unique` needs a single value",
        "no int is at least 5 and at most 1",
    ] {
        assert!(run.stderr.contains(expected), "{expected}: {run}");
    }
}

#[test]
fn invisible_characters_or_look_alike_letters_in_schema_do_not_skip_a_manifest() {
    let dir = with_good();
    let cases = [
        (
            "zw-key.yaml",
            failing().replace(
                "\nschema:",
                "\ns\u{200b}c\u{200b}h\u{200b}e\u{200b}m\u{200b}a:",
            ),
        ),
        (
            "shy-key.yaml",
            failing().replace("\nschema:", "\ns\u{ad}c\u{ad}h\u{ad}e\u{ad}m\u{ad}a:"),
        ),
        (
            "cyrillic-key.yaml",
            failing().replace("\nschema:", "\n\u{455}\u{441}h\u{435}m\u{430}:"),
        ),
        (
            "zw-id.yaml",
            failing().replace(
                "partnership/v1",
                "p\u{200b}a\u{200b}r\u{200b}t\u{200b}nership/v1",
            ),
        ),
    ];
    for (name, text) in &cases {
        write(dir.path(), name, text);
    }
    let run = check(dir.path(), &[]);
    assert_eq!(run.code, 1, "{run}");
    run.has_good_finding();
    for (name, _) in &cases {
        run.has_one(name, "error[manifest/schema]");
    }
    assert!(!run.stderr.contains("skipped"), "{run}");
    // Shown, not hidden: the key does not read as `schema`.
    assert!(
        run.lines_of("zw-key.yaml")[0].contains(r"s\u{200b}c"),
        "{run}"
    );
    assert!(
        run.lines_of("shy-key.yaml")[0].contains(r"s\u{ad}c"),
        "{run}"
    );
}

#[test]
fn a_line_separator_in_a_block_scalar_or_its_header_is_refused() {
    let dir = with_good();
    let base = failing();
    let line = "    description: ";
    let at = base.find(line).unwrap();
    let end = at + base[at..].find('\n').unwrap();
    let header = format!(
        "{}{line}>- # note\u{2028}    retired: 2099-01-01\n      text{}",
        &base[..at],
        &base[end..]
    );
    let body = format!(
        "{}{line}|-\n      text\u{2028}    retired: 2099-01-01{}",
        &base[..at],
        &base[end..]
    );
    // Between quotes, the closing quote shows where the text ends.
    let quoted = format!("{}{line}\"text\u{2028}more\"{}", &base[..at], &base[end..]);
    write(dir.path(), "header.yaml", &header);
    write(dir.path(), "body.yaml", &body);
    write(dir.path(), "quoted.yaml", &quoted);
    let run = check(dir.path(), &[]);
    assert_eq!(run.code, 1, "{run}");
    for name in ["header.yaml", "body.yaml"] {
        run.has_one(name, "U+2028");
    }
    assert!(
        run.lines_of("quoted.yaml")
            .iter()
            .all(|l| !l.contains("U+2028")),
        "{run}"
    );
}

#[test]
fn many_line_separators_in_quoted_text_are_checked_in_linear_time() {
    let dir = with_good();
    let mut text = String::from("x: [");
    for _ in 0..200_000 {
        text.push_str("\"\u{2028}\", ");
    }
    text.push_str("]\n");
    write(dir.path(), "many.yaml", &text);
    let run = check(dir.path(), &[]);
    assert_eq!(run.code, 1, "{run}");
    run.has_good_finding();
}
