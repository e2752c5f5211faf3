#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]
//! `proviso check` as a user runs it: the real binary, real files in a
//! temporary directory, and what comes out of it (exit code, the
//! `path:line:col: severity[rule]: message` lines, the summary).
//!
//! Every run passes `--format short --as-of 2018-12-18` so the output does
//! not depend on the terminal or the date. Expected lines and columns are
//! computed from the fixture text (columns count characters), so a finding
//! must land on the text it is about.

mod common;

use common::{edit, COMPLIANT};
use std::collections::BTreeMap;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};
use tempfile::TempDir;

const AS_OF: &str = "2018-12-18";

/// The compliant manifest with the consent the FTC order forbids: platform
/// login only, covering the user but not their friends, not recorded.
fn violating() -> String {
    let t = edit(
        COMPLIANT,
        "mechanism: per_scope_opt_in",
        "mechanism: platform_login",
    );
    let t = edit(&t, "covers: [user, friends]", "covers: [user]");
    edit(&t, "recorded: true", "recorded: false")
}

/// 1-based line and column (in bytes, as `short` counts them by default)
/// of the `nth` (0-based) occurrence of `needle` in `text`.
fn nth_at(text: &str, needle: &str, nth: usize) -> (usize, usize) {
    let (offset, _) = text
        .match_indices(needle)
        .nth(nth)
        .unwrap_or_else(|| panic!("fixture has no occurrence {nth} of `{needle}`"));
    let before = &text[..offset];
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    (line, offset - line_start + 1)
}

fn at(text: &str, needle: &str) -> (usize, usize) {
    nth_at(text, needle, 0)
}

/// What one run printed.
#[derive(Debug)]
struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

impl Run {
    fn lines(&self) -> Vec<&str> {
        self.stdout.lines().collect()
    }

    /// The finding lines of one file.
    fn lines_of(&self, path: &str) -> Vec<&str> {
        let prefix = format!("{path}:");
        self.stdout
            .lines()
            .filter(|l| l.starts_with(&prefix))
            .collect()
    }

    /// Asserts that a finding of `rule` is reported at `path:line:col` and
    /// that its message contains every word of `words`; returns its line.
    fn expect(&self, path: &str, (line, col): (usize, usize), rule: &str, words: &[&str]) -> &str {
        let prefix = format!("{path}:{line}:{col}: error[{rule}]: ");
        let found = self
            .stdout
            .lines()
            .find(|l| l.starts_with(&prefix))
            .unwrap_or_else(|| panic!("no line starts with `{prefix}`\n{self}"));
        for w in words {
            assert!(found.contains(w), "`{found}` should contain `{w}`\n{self}");
        }
        found
    }

    fn assert_no_panic(&self) {
        assert!(
            !self.stderr.contains("panicked"),
            "proviso panicked\n{self}"
        );
        assert!(
            !self.stderr.contains("RUST_BACKTRACE"),
            "proviso panicked\n{self}"
        );
    }
}

impl std::fmt::Display for Run {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "--- exit code: {}\n--- stdout:\n{}--- stderr:\n{}---",
            self.code, self.stdout, self.stderr
        )
    }
}

/// Runs `proviso check ARGS --format short --as-of 2018-12-18` in `dir`,
/// killing it and failing the test if it runs longer than `deadline`.
fn run_with_deadline(dir: &Path, args: &[&str], deadline: Duration) -> Run {
    let mut child = Command::new(env!("CARGO_BIN_EXE_proviso"))
        .arg("check")
        .args(args)
        .args(["--format", "short", "--as-of", AS_OF])
        .current_dir(dir)
        .env_remove("NO_COLOR")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("cannot start proviso");
    // Drain both pipes while waiting, so a chatty run cannot block on a full pipe.
    let mut stdout = child.stdout.take().unwrap();
    let mut stderr = child.stderr.take().unwrap();
    let out = std::thread::spawn(move || {
        let mut s = Vec::new();
        stdout.read_to_end(&mut s).unwrap();
        s
    });
    let err = std::thread::spawn(move || {
        let mut s = Vec::new();
        stderr.read_to_end(&mut s).unwrap();
        s
    });
    let start = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if start.elapsed() > deadline {
            child.kill().unwrap();
            child.wait().unwrap();
            panic!(
                "proviso check {args:?} did not finish within {}s",
                deadline.as_secs()
            );
        }
        std::thread::sleep(Duration::from_millis(10));
    };
    let run = Run {
        code: status.code().expect("proviso was killed by a signal"),
        stdout: String::from_utf8(out.join().unwrap()).expect("stdout is not UTF-8"),
        stderr: String::from_utf8(err.join().unwrap()).expect("stderr is not UTF-8"),
    };
    run.assert_no_panic();
    run
}

fn run(dir: &Path, args: &[&str]) -> Run {
    run_with_deadline(dir, args, Duration::from_secs(60))
}

/// A temporary directory, canonicalized so that it can be compared with the
/// working directory proviso sees.
fn tempdir() -> (TempDir, PathBuf) {
    let dir = common::fenced_tempdir();
    let path = dir.path().canonicalize().unwrap();
    (dir, path)
}

fn write(dir: &Path, name: &str, contents: impl AsRef<[u8]>) {
    let path = dir.join(name);
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).unwrap();
    }
    std::fs::write(path, contents).unwrap();
}

/// Checks one manifest, named `m.yaml`, in a fresh directory.
fn check_one(text: &str) -> Run {
    let (_guard, dir) = tempdir();
    write(&dir, "m.yaml", text);
    run(&dir, &["m.yaml"])
}

/// The findings of the violating manifest: the two FTC consent rules, at
/// the consent mechanism and at the friends nobody asked.
fn assert_violating_findings(run: &Run, path: &str, text: &str) {
    run.expect(
        path,
        at(text, "platform_login"),
        "ftc2012/messages-consent",
        &["Spotify AB", "platform_login", "recorded: false"],
    );
    run.expect(
        path,
        at(text, "friends]"),
        "ftc2012/subject-consent",
        &["friends"],
    );
}

// ---------------------------------------------------------------------------
// Exit codes

#[test]
fn compliant_manifest_exits_zero_without_findings() {
    let run = check_one(COMPLIANT);
    assert_eq!(run.code, 0, "{run}");
    assert_eq!(run.stdout, "", "{run}");
    assert!(run.stderr.contains("checked 1 manifest "), "{run}");
    assert!(
        run.stderr.contains(" 0 errors, 0 warnings, 0 notes"),
        "{run}"
    );
}

#[test]
fn violating_manifest_exits_one_with_findings_at_the_offending_values() {
    let text = violating();
    let run = check_one(&text);
    assert_eq!(run.code, 1, "{run}");
    assert_violating_findings(&run, "m.yaml", &text);
    for line in run.lines() {
        assert!(line.starts_with("m.yaml:"), "{run}");
    }
    // The summary goes to stderr, never among the findings.
    assert!(!run.stdout.contains("checked "), "{run}");
    assert!(run.stderr.contains("checked 1 manifest "), "{run}");
}

#[test]
fn fail_on_never_exits_zero_and_still_prints_findings() {
    let text = violating();
    let (_guard, dir) = tempdir();
    write(&dir, "m.yaml", &text);
    let run = run(&dir, &["m.yaml", "--fail-on", "never"]);
    assert_eq!(run.code, 0, "{run}");
    assert_violating_findings(&run, "m.yaml", &text);
}

/// A policy of one warning rule (with the shipped schema), so that
/// `--fail-on` is tested whatever the shipped rules' severities are.
const WARNING_POLICY: &str = "\
policy retention for partnership/v1

/// Keeping data for more than a year needs a second look.
rule retention/limit {
  title    \"retention beyond a year needs a second look\"
  severity warning
  each grant in grants
    where grant.retention is set
  require grant.retention <= 365d
  message \"{partner.name} keeps the data of `{grant.id}` for {grant.retention}\"
  help    \"shorten `retention` to 365d or less\"
}
";

#[test]
fn fail_on_warning_fails_on_a_warning_that_fail_on_error_lets_pass() {
    let (_guard, dir) = tempdir();
    let shipped = Path::new(env!("CARGO_MANIFEST_DIR")).join("policies");
    let schema = std::fs::read_to_string(shipped.join("partnership.proviso")).unwrap();
    write(&dir, "pol/partnership.proviso", schema);
    write(&dir, "pol/retention.proviso", WARNING_POLICY);
    let text = edit(COMPLIANT, "retention: 30d", "retention: 400d");
    write(&dir, "m.yaml", &text);
    let (line, col) = at(&text, "400d");
    let prefix = format!("m.yaml:{line}:{col}: warning[retention/limit]: ");

    let lenient = run(&dir, &["m.yaml", "--policy", "pol"]);
    assert_eq!(lenient.code, 0, "{lenient}");
    assert_eq!(lenient.lines().len(), 1, "{lenient}");
    assert!(lenient.stdout.starts_with(&prefix), "{lenient}");
    assert!(lenient.stdout.contains("400d"), "{lenient}");
    assert!(lenient.stderr.contains("1 warning"), "{lenient}");
    for fail_on in ["warning", "note"] {
        let strict = run(&dir, &["m.yaml", "--policy", "pol", "--fail-on", fail_on]);
        assert_eq!(strict.code, 1, "--fail-on {fail_on}\n{strict}");
        assert_eq!(strict.stdout, lenient.stdout);
    }
    let never = run(&dir, &["m.yaml", "--policy", "pol", "--fail-on", "never"]);
    assert_eq!(never.code, 0, "{never}");
    assert_eq!(never.stdout, lenient.stdout);
}

#[test]
fn nonexistent_path_exits_two_and_names_the_path() {
    let (_guard, dir) = tempdir();
    write(&dir, "m.yaml", COMPLIANT);
    let run = run(&dir, &["m.yaml", "no-such-dir/nothing.yaml"]);
    assert_eq!(run.code, 2, "{run}");
    assert_eq!(run.stdout, "", "{run}");
    assert!(run.stderr.contains("no-such-dir/nothing.yaml"), "{run}");
}

#[test]
fn invalid_as_of_date_exits_two() {
    let (_guard, dir) = tempdir();
    write(&dir, "m.yaml", COMPLIANT);
    // A later `--as-of` overrides the fixed one `run` appends: pass it last
    // by calling the binary directly.
    let out = Command::new(env!("CARGO_BIN_EXE_proviso"))
        .args([
            "check",
            "m.yaml",
            "--format",
            "short",
            "--as-of",
            "2018-13-01",
        ])
        .current_dir(&dir)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(out.stdout.is_empty());
    assert!(stderr.contains("2018-13-01"), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
}

#[test]
fn misspelled_field_in_a_policy_exits_two_with_its_location_and_a_suggestion() {
    let (_guard, dir) = tempdir();
    let shipped = Path::new(env!("CARGO_MANIFEST_DIR")).join("policies");
    let schema = std::fs::read_to_string(shipped.join("partnership.proviso")).unwrap();
    let rules = std::fs::read_to_string(shipped.join("ftc2012.proviso")).unwrap();
    let rules = edit(
        &rules,
        "require grant.consent.mechanism",
        "require grant.consnet.mechanism",
    );
    write(&dir, "pol/partnership.proviso", schema);
    write(&dir, "pol/ftc2012.proviso", &rules);
    write(&dir, "m.yaml", COMPLIANT);
    let (line, col) = at(&rules, "consnet");

    for policy_args in [
        vec!["--policy", "pol"],
        vec![
            "--policy",
            "pol/partnership.proviso",
            "--policy",
            "pol/ftc2012.proviso",
        ],
    ] {
        let mut args = vec!["m.yaml"];
        args.extend(policy_args);
        let run = run(&dir, &args);
        assert_eq!(run.code, 2, "{run}");
        assert_eq!(run.stdout, "", "no manifest is checked\n{run}");
        let prefix = format!("pol/ftc2012.proviso:{line}:{col}: error: ");
        let diag = run
            .stderr
            .lines()
            .find(|l| l.starts_with(&prefix))
            .unwrap_or_else(|| panic!("no `{prefix}` line\n{run}"));
        assert!(diag.contains("consnet"), "{run}");
        assert!(diag.contains("did you mean `consent`"), "{run}");
    }
}

// ---------------------------------------------------------------------------
// Misspellings in manifests

#[test]
fn misspelled_manifest_key_is_reported_on_its_line_with_a_suggestion() {
    let text = edit(COMPLIANT, "    consent:\n", "    consnet:\n");
    let run = check_one(&text);
    assert_eq!(run.code, 1, "{run}");
    run.expect(
        "m.yaml",
        at(&text, "consnet"),
        "manifest/schema",
        &["consnet", "did you mean `consent`"],
    );
    // An invalid manifest is not evaluated: no rule findings.
    for line in run.lines() {
        assert!(line.contains("[manifest/schema]"), "{run}");
    }
}

#[test]
fn misspelled_schema_id_is_reported_with_a_suggestion() {
    let text = edit(
        COMPLIANT,
        "schema: partnership/v1",
        "schema: partnersihp/v1",
    );
    let run = check_one(&text);
    assert_eq!(run.code, 1, "{run}");
    run.expect(
        "m.yaml",
        at(&text, "partnersihp/v1"),
        "manifest/schema",
        &["partnersihp/v1", "did you mean `partnership/v1`"],
    );
    assert_eq!(run.lines().len(), 1, "{run}");
    assert!(!run.stderr.contains("skipped"), "{run}");
}

#[test]
fn misspelled_first_key_schema_is_reported_not_skipped() {
    let text = edit(COMPLIANT, "schema: partnership/v1", "shema: partnership/v1");
    let run = check_one(&text);
    assert_eq!(run.code, 1, "{run}");
    run.expect(
        "m.yaml",
        at(&text, "shema"),
        "manifest/schema",
        &["shema", "did you mean `schema`"],
    );
    assert!(!run.stderr.contains("skipped"), "{run}");
    assert!(run.stderr.contains("checked 1 manifest "), "{run}");
}

// ---------------------------------------------------------------------------
// Validation errors, each at its own line and column

#[test]
fn unknown_key_is_reported_at_the_key() {
    let text = edit(
        COMPLIANT,
        "  country: SE\n",
        "  country: SE\n  colour: blue\n",
    );
    let run = check_one(&text);
    assert_eq!(run.code, 1, "{run}");
    run.expect(
        "m.yaml",
        at(&text, "colour"),
        "manifest/schema",
        &["unknown key `colour`", "Partner"],
    );
    assert_eq!(run.lines().len(), 1, "{run}");
}

#[test]
fn duplicate_key_is_reported_at_its_second_occurrence() {
    let text = edit(
        COMPLIANT,
        "role: service_provider\n",
        "role: service_provider\nrole: controller\n",
    );
    let run = check_one(&text);
    assert_eq!(run.code, 1, "{run}");
    run.expect(
        "m.yaml",
        nth_at(&text, "role:", 1),
        "manifest/schema",
        &["duplicate key `role`"],
    );
    assert_eq!(run.lines().len(), 1, "{run}");
}

#[test]
fn duplicate_nested_key_is_reported_at_its_second_occurrence() {
    // In a record (a grant's second `consent`) and in a map (`necessity`).
    let text = edit(
        COMPLIANT,
        "      withdrawable: true\n",
        "      withdrawable: true\n    consent: {mechanism: none}\n",
    );
    let text = edit(
        &text,
        "      write: send a recommendation as a message\n",
        "      write: send a recommendation as a message\n      read: again\n",
    );
    let run = check_one(&text);
    assert_eq!(run.code, 1, "{run}");
    let (line, col) = nth_at(&text, "    consent:", 1);
    run.expect(
        "m.yaml",
        (line, col + 4),
        "manifest/schema",
        &["duplicate key `consent`"],
    );
    let (line, col) = nth_at(&text, "      read:", 1);
    run.expect(
        "m.yaml",
        (line, col + 6),
        "manifest/schema",
        &["duplicate key `read`"],
    );
    assert_eq!(run.lines().len(), 2, "{run}");
}

#[test]
fn missing_required_field_is_reported_at_the_record_that_lacks_it() {
    let text = edit(COMPLIANT, "      recorded: true\n", "");
    let run = check_one(&text);
    assert_eq!(run.code, 1, "{run}");
    run.expect(
        "m.yaml",
        at(&text, "consent:"),
        "manifest/schema",
        &["missing required field `recorded`", "Consent"],
    );
    assert_eq!(run.lines().len(), 1, "{run}");
}

#[test]
fn missing_top_level_field_is_reported_at_the_start_of_the_manifest() {
    let text = edit(COMPLIANT, "own_purpose_use: false\n", "");
    let run = check_one(&text);
    assert_eq!(run.code, 1, "{run}");
    run.expect(
        "m.yaml",
        at(&text, "schema:"),
        "manifest/schema",
        &["missing required field `own_purpose_use`"],
    );
    assert_eq!(run.lines().len(), 1, "{run}");
}

#[test]
fn string_where_a_bool_is_expected_is_reported_at_the_value() {
    let text = edit(COMPLIANT, "recorded: true", "recorded: \"yes\"");
    let run = check_one(&text);
    assert_eq!(run.code, 1, "{run}");
    run.expect(
        "m.yaml",
        at(&text, "\"yes\""),
        "manifest/schema",
        &["bool", "yes"],
    );
    assert_eq!(run.lines().len(), 1, "{run}");
}

#[test]
fn word_where_an_int_is_expected_is_reported_at_the_value() {
    let text = edit(COMPLIANT, "monthly_users: 70000000", "monthly_users: lots");
    let run = check_one(&text);
    assert_eq!(run.code, 1, "{run}");
    run.expect(
        "m.yaml",
        at(&text, "lots"),
        "manifest/schema",
        &["int", "lots"],
    );
    assert_eq!(run.lines().len(), 1, "{run}");
}

#[test]
fn unknown_enum_value_is_reported_at_the_value_with_a_suggestion() {
    let text = edit(
        COMPLIANT,
        "mechanism: per_scope_opt_in",
        "mechanism: platfrom_login",
    );
    let run = check_one(&text);
    assert_eq!(run.code, 1, "{run}");
    run.expect(
        "m.yaml",
        at(&text, "platfrom_login"),
        "manifest/schema",
        &[
            "platfrom_login",
            "ConsentMechanism",
            "did you mean `platform_login`",
        ],
    );
    assert_eq!(run.lines().len(), 1, "{run}");
}

#[test]
fn impossible_date_is_reported_at_the_value() {
    let text = edit(COMPLIANT, "granted: 2013-11-01", "granted: 2019-02-30");
    let run = check_one(&text);
    assert_eq!(run.code, 1, "{run}");
    run.expect(
        "m.yaml",
        at(&text, "2019-02-30"),
        "manifest/schema",
        &["2019-02-30", "not a valid date"],
    );
    assert_eq!(run.lines().len(), 1, "{run}");
}

#[test]
fn malformed_duration_is_reported_at_the_value() {
    let text = edit(COMPLIANT, "retention: 30d", "retention: 30days");
    let run = check_one(&text);
    assert_eq!(run.code, 1, "{run}");
    run.expect(
        "m.yaml",
        at(&text, "30days"),
        "manifest/schema",
        &["30days", "not a valid duration"],
    );
    assert_eq!(run.lines().len(), 1, "{run}");
}

#[test]
fn every_validation_error_of_a_file_is_reported_in_one_run() {
    let text = edit(
        COMPLIANT,
        "  country: SE\n",
        "  country: SE\n  colour: blue\n",
    );
    let text = edit(&text, "recorded: true", "recorded: \"yes\"");
    let text = edit(&text, "retention: 30d", "retention: 30days");
    let text = edit(&text, "granted: 2013-11-01", "granted: 2019-02-30");
    let run = check_one(&text);
    assert_eq!(run.code, 1, "{run}");
    let mut expected: Vec<(usize, usize)> = ["colour", "\"yes\"", "30days", "2019-02-30"]
        .iter()
        .map(|n| at(&text, n))
        .collect();
    expected.sort();
    let found: Vec<(usize, usize)> = run
        .lines()
        .iter()
        .map(|l| {
            let parts: Vec<&str> = l.splitn(4, ':').collect();
            (parts[1].parse().unwrap(), parts[2].parse().unwrap())
        })
        .collect();
    assert_eq!(found, expected, "{run}");
}

#[test]
fn columns_count_in_the_unit_asked_for_after_non_ascii_text_on_the_same_line() {
    // A flow mapping puts the errors after `Zoë ✓ 漢 😀` on the same line.
    let text = edit(
        COMPLIANT,
        "partner:\n  id: spotify\n  name: Spotify AB\n  kind: integration_partner\n  \
         country: SE\n  owner: partnerships@platform.example\n",
        "partner: {id: spotify, name: \"Zoë ✓ 漢 😀\", kind: integration_partnr, country: SE, \
         colour: blue}\n",
    );
    let (line, _) = at(&text, "integration_partnr");
    // `Zoë ✓ 漢 😀` is 17 bytes, 9 characters, 10 UTF-16 code units and
    // 11 terminal columns (漢 and 😀 are wide).
    for (unit, col) in [
        (None, 57),
        (Some("bytes"), 57),
        (Some("chars"), 49),
        (Some("utf16"), 50),
        (Some("display"), 51),
    ] {
        let (_guard, dir) = tempdir();
        write(&dir, "m.yaml", &text);
        let mut args = vec!["m.yaml"];
        if let Some(unit) = unit {
            args.extend(["--column-unit", unit]);
        }
        let run = run(&dir, &args);
        assert_eq!(run.code, 1, "{run}");
        run.expect(
            "m.yaml",
            (line, col),
            "manifest/schema",
            &["integration_partnr", "did you mean `integration_partner`"],
        );
        assert_eq!(run.lines().len(), 2, "{run}");
        // github counts the same way; so does the human header.
        let other = |format: &str| {
            let out = std::process::Command::new(env!("CARGO_BIN_EXE_proviso"))
                .arg("check")
                .args(&args)
                .args(["--format", format, "--as-of", AS_OF])
                .current_dir(&dir)
                .env_remove("NO_COLOR")
                .env_remove("FORCE_COLOR")
                .env_remove("CLICOLOR_FORCE")
                .output()
                .unwrap();
            String::from_utf8(out.stdout).unwrap()
        };
        let gh = other("github");
        assert!(
            gh.contains(&format!("line={line},col={col},")),
            "{unit:?}: {gh}"
        );
        let human = other("human");
        assert!(
            human.contains(&format!("[m.yaml:{line}:{col}]")),
            "{unit:?}: {human}"
        );
    }
    let (_guard, dir) = tempdir();
    write(&dir, "m.yaml", &text);
    let json = std::process::Command::new(env!("CARGO_BIN_EXE_proviso"))
        .args([
            "check",
            "m.yaml",
            "--format",
            "json",
            "--column-unit",
            "bytes",
        ])
        .current_dir(&dir)
        .output()
        .unwrap();
    let json = String::from_utf8(json.stdout).unwrap();
    assert!(
        json.contains("\"column\": 49"),
        "json counts characters: {json}"
    );
}

#[test]
fn errors_after_lines_with_non_ascii_text_keep_their_columns() {
    let text = edit(COMPLIANT, "  name: Spotify AB\n", "  name: Zoë ✓ AB\n");
    let text = edit(
        &text,
        "    description: Send and read Facebook messages inside Spotify desktop\n",
        "    description: Zoë's ✓ thing\n    descripton: Zoë's ✓ thing\n",
    );
    let text = edit(
        &text,
        "    lawful_basis: consent\n",
        "    lawful_basis: cönsent ✓\n",
    );
    let run = check_one(&text);
    assert_eq!(run.code, 1, "{run}");
    run.expect(
        "m.yaml",
        at(&text, "descripton"),
        "manifest/schema",
        &["descripton", "in `Feature`"],
    );
    let (line, col) = at(&text, "cönsent");
    assert_eq!(col, 19, "the fixture itself");
    run.expect(
        "m.yaml",
        (line, col),
        "manifest/schema",
        &["cönsent ✓", "LawfulBasis"],
    );
    assert_eq!(run.lines().len(), 2, "{run}");
}

#[test]
fn yaml_syntax_error_column_counts_bytes_by_default() {
    let text = edit(COMPLIANT, "  name: Spotify AB\n", "  name: 'Zoë ✓ AB' x\n");
    let run = check_one(&text);
    assert_eq!(run.code, 1, "{run}");
    // The parser stops at the stray ` x` after the closing quote.
    let (line, col) = at(&text, "' x");
    run.expect(
        "m.yaml",
        (line, col + 2),
        "manifest/syntax",
        &["invalid YAML"],
    );
    assert_eq!(run.lines().len(), 1, "{run}");
}

#[test]
fn error_in_a_flow_list_points_at_the_item() {
    let text = edit(
        COMPLIANT,
        "subjects: [user, friends]",
        "subjects: [user, freinds]",
    );
    let run = check_one(&text);
    assert_eq!(run.code, 1, "{run}");
    run.expect(
        "m.yaml",
        at(&text, "freinds"),
        "manifest/schema",
        &["freinds", "Subject", "did you mean `friends`"],
    );
    assert_eq!(run.lines().len(), 1, "{run}");
}

#[test]
fn error_in_an_anchored_value_points_past_the_anchor_and_at_each_alias() {
    let text = edit(COMPLIANT, "retention: 30d", "retention: &r 30days");
    let text = edit(
        &text,
        "deletion_propagation: 30d",
        "deletion_propagation: *r",
    );
    let run = check_one(&text);
    assert_eq!(run.code, 1, "{run}");
    run.expect(
        "m.yaml",
        at(&text, "30days"),
        "manifest/schema",
        &["30days", "not a valid duration"],
    );
    run.expect(
        "m.yaml",
        at(&text, "*r"),
        "manifest/schema",
        &["30days", "not a valid duration"],
    );
    assert_eq!(run.lines().len(), 2, "{run}");
}

#[test]
fn crlf_line_breaks_keep_lines_and_columns() {
    let text = edit(
        COMPLIANT,
        "  country: SE\n",
        "  country: SE\n  colour: blue\n",
    );
    let text = edit(&text, "retention: 30d", "retention: 30days");
    let crlf = text.replace('\n', "\r\n");
    let run = check_one(&crlf);
    assert_eq!(run.code, 1, "{run}");
    run.expect(
        "m.yaml",
        at(&text, "colour"),
        "manifest/schema",
        &["colour"],
    );
    run.expect(
        "m.yaml",
        at(&text, "30days"),
        "manifest/schema",
        &["30days"],
    );
    assert_eq!(run.lines().len(), 2, "{run}");
}

#[test]
fn tab_after_a_colon_does_not_move_later_findings() {
    let text = edit(
        COMPLIANT,
        "  owner: partnerships@platform.example",
        "  owner:\tpartnerships@platform.example",
    );
    let text = edit(&text, "  country: SE\n", "  country: SE\n  colour: blue\n");
    let text = edit(&text, "retention: 30d", "retention: 30days");
    let run = check_one(&text);
    assert_eq!(run.code, 1, "{run}");
    run.expect(
        "m.yaml",
        at(&text, "colour"),
        "manifest/schema",
        &["colour"],
    );
    run.expect(
        "m.yaml",
        at(&text, "30days"),
        "manifest/schema",
        &["30days"],
    );
    assert_eq!(run.lines().len(), 2, "{run}");
}

#[test]
fn cr_line_breaks_are_line_breaks() {
    // YAML treats a lone CR as a line break, and so do editors.
    let text = edit(
        COMPLIANT,
        "  country: SE\n",
        "  country: SE\n  colour: blue\n",
    );
    let text = edit(&text, "retention: 30d", "retention: 30days");
    let cr = text.replace('\n', "\r");
    let run = check_one(&cr);
    assert_eq!(run.code, 1, "the manifest is checked, not skipped\n{run}");
    run.expect(
        "m.yaml",
        at(&text, "colour"),
        "manifest/schema",
        &["colour"],
    );
    run.expect(
        "m.yaml",
        at(&text, "30days"),
        "manifest/schema",
        &["30days"],
    );
    assert_eq!(run.lines().len(), 2, "{run}");
}

#[test]
fn byte_order_mark_is_not_a_column() {
    let text = "schema: partnersihp/v1\n";
    let run = check_one(&format!("\u{feff}{text}"));
    assert_eq!(run.code, 1, "{run}");
    run.expect(
        "m.yaml",
        at(text, "partnersihp"),
        "manifest/schema",
        &["did you mean `partnership/v1`"],
    );
}

#[test]
fn integer_beyond_64_bits_is_a_schema_error_at_the_value() {
    let text = edit(
        COMPLIANT,
        "monthly_users: 70000000",
        "monthly_users: 99999999999999999999",
    );
    let text = edit(&text, "  id: spotify", "  id: 12345678901234567890123");
    let text = edit(&text, "retention: 30d", "retention: 30days");
    let run = check_one(&text);
    assert_eq!(run.code, 1, "{run}");
    run.expect(
        "m.yaml",
        at(&text, "99999999999999999999"),
        "manifest/schema",
        &["int", "99999999999999999999"],
    );
    run.expect(
        "m.yaml",
        at(&text, "12345678901234567890123"),
        "manifest/schema",
        &["string", "12345678901234567890123"],
    );
    run.expect(
        "m.yaml",
        at(&text, "30days"),
        "manifest/schema",
        &["30days"],
    );
    assert!(!run.stdout.contains("u128"), "{run}");
    assert_eq!(run.lines().len(), 3, "{run}");
}

#[test]
fn unknown_yaml_tag_is_a_schema_error_not_invalid_yaml() {
    let text = edit(
        COMPLIANT,
        "monthly_users: 70000000",
        "monthly_users: !custom 5",
    );
    let run = check_one(&text);
    assert_eq!(run.code, 1, "{run}");
    assert_eq!(run.lines().len(), 1, "{run}");
    let (line, _) = at(&text, "!custom");
    assert!(run.stdout.starts_with(&format!("m.yaml:{line}:")), "{run}");
    assert!(run.stdout.contains("error[manifest/schema]"), "{run}");
}

// ---------------------------------------------------------------------------
// Hostile input

/// `depth` nested flow sequences.
fn nested(depth: usize) -> String {
    format!("{}{}", "[".repeat(depth), "]".repeat(depth))
}

/// The "billion laughs": nine levels of nine aliases each, as a flow list.
fn billion_laughs() -> String {
    let names = ["a", "b", "c", "d", "e", "f", "g", "h", "i"];
    let mut levels = vec![format!("&a [{}]", ["lol"; 9].join(", "))];
    for pair in names.windows(2) {
        let refs = vec![format!("*{}", pair[0]); 9].join(", ");
        levels.push(format!("&{} [{refs}]", pair[1]));
    }
    format!("[{}]", levels.join(", "))
}

/// A manifest whose typed fields make the YAML parser expand aliases
/// `n * n` times: `n` grants that are aliases of one grant whose `data`
/// holds `n` aliases.
fn alias_expansion(n: usize) -> String {
    let data = format!(
        "    data: [&d content.posts{}]\n",
        ", *d".repeat(n.saturating_sub(1))
    );
    let text = edit(
        COMPLIANT,
        "    data: [content.private_messages, content.message_participants]\n",
        &data,
    );
    let text = edit(&text, "  - id: inbox\n", "  - &grant\n    id: inbox\n");
    edit(
        &text,
        "transfers:\n",
        &format!("{}transfers:\n", "  - *grant\n".repeat(n)),
    )
}

/// The compliant manifest padded with comments to at least `size` bytes.
fn padded(size: usize) -> String {
    let mut text = COMPLIANT.to_string();
    let mut i = 0;
    while text.len() < size {
        text.push_str(&format!(
            "# padding line {i:06} ..................................\n"
        ));
        i += 1;
    }
    text
}

#[test]
fn hostile_files_each_get_one_finding_and_do_not_stop_the_run() {
    let (_guard, dir) = tempdir();
    let bad = violating();
    write(&dir, "violating.yaml", &bad);
    write(
        &dir,
        "not-utf8.yaml",
        b"schema: partnership/v1\npartner:\n  name: \xff\xfe\n",
    );
    write(
        &dir,
        "binary.yaml",
        b"schema: partnership/v1\n\x00\x00\x00\x01\x02\x03\x00",
    );
    write(&dir, "too-big.yaml", padded(40 * 1024));
    // The bomb sits under an unknown key: even unread, its expansion is
    // counted, and the file refused at the alias that passes the budget.
    let bomb = format!("{COMPLIANT}lol: {}\n", billion_laughs());
    write(&dir, "billion-laughs.yaml", &bomb);
    write(&dir, "alias-expansion.yaml", alias_expansion(400));
    // 10,000 open brackets: the text ends inside them.
    write(
        &dir,
        "deep-unclosed.yaml",
        format!("schema: partnership/v1\npartner: {}\n", "[".repeat(10_000)),
    );
    // 10,000 levels in a typed field of an otherwise valid manifest.
    write(
        &dir,
        "deep-nesting.yaml",
        edit(
            COMPLIANT,
            "purposes: [messaging]",
            &format!("purposes: {}", nested(10_000)),
        ),
    );
    write(
        &dir,
        "multi-document.yaml",
        format!("{COMPLIANT}---\nschema: partnership/v1\n"),
    );
    write(&dir, "empty.yaml", "");
    write(&dir, "not-a-manifest.yaml", "name: build\nsteps: [a, b]\n");
    std::fs::create_dir(dir.join("loop")).unwrap();
    std::os::unix::fs::symlink("..", dir.join("loop/up")).unwrap();
    // A partner of its own: two manifests of one partner are a finding.
    write(
        &dir,
        "unreadable.yaml",
        edit(COMPLIANT, "id: spotify", "id: spotify-unreadable"),
    );
    let unreadable = dir.join("unreadable.yaml");
    std::fs::set_permissions(
        &unreadable,
        std::os::unix::fs::PermissionsExt::from_mode(0o000),
    )
    .unwrap();
    // Root reads any file whatever its mode: then the file is a plain,
    // compliant manifest.
    let can_read = std::fs::File::open(&unreadable).is_ok();
    // A named pipe must not be opened: nothing would ever be written to it.
    let fifo = Command::new("mkfifo")
        .arg(dir.join("pipe.yaml"))
        .status()
        .is_ok_and(|s| s.success());

    let alone = run(&dir, &["violating.yaml"]);
    let run = run(&dir, &[".", "--max-file-size", "32KiB"]);
    std::fs::set_permissions(
        &unreadable,
        std::os::unix::fs::PermissionsExt::from_mode(0o644),
    )
    .unwrap();

    assert_eq!(run.code, 1, "{run}");
    // The good manifest's findings are all there, as when it is alone.
    assert!(!alone.lines().is_empty(), "{alone}");
    assert_eq!(run.lines_of("violating.yaml"), alone.lines(), "{run}");

    let mut expected: BTreeMap<&str, &str> = BTreeMap::from([
        ("not-utf8.yaml", "manifest/unreadable"),
        ("binary.yaml", "manifest/unreadable"),
        ("too-big.yaml", "manifest/unreadable"),
        ("billion-laughs.yaml", "manifest/syntax"),
        ("alias-expansion.yaml", "manifest/syntax"),
        ("deep-unclosed.yaml", "manifest/syntax"),
        ("deep-nesting.yaml", "manifest/syntax"),
        ("multi-document.yaml", "manifest/syntax"),
        ("loop/up", "manifest/unreadable"),
    ]);
    if !can_read {
        expected.insert("unreadable.yaml", "manifest/unreadable");
    }
    for (file, rule) in &expected {
        let lines = run.lines_of(file);
        assert_eq!(lines.len(), 1, "{file}: one finding\n{run}");
        assert!(
            lines[0].contains(&format!(": error[{rule}]: ")),
            "{file}: {rule}\n{run}"
        );
    }
    let line_of = |file: &str| run.lines_of(file)[0].to_string();
    assert!(line_of("not-utf8.yaml").contains("not UTF-8"), "{run}");
    assert!(line_of("binary.yaml").contains("binary"), "{run}");
    assert!(line_of("too-big.yaml").contains("32.0 KiB"), "{run}");
    let (line, _) = at(&bomb, "lol:");
    assert!(
        line_of("billion-laughs.yaml").starts_with(&format!("billion-laughs.yaml:{line}:")),
        "{run}"
    );
    assert!(
        line_of("billion-laughs.yaml").contains("aliases expand this file past"),
        "{run}"
    );
    let (line, col) = at(&format!("{COMPLIANT}---\n"), "---\n");
    assert!(
        line_of("multi-document.yaml").starts_with(&format!("multi-document.yaml:{line}:{col}: ")),
        "{run}"
    );
    assert!(line_of("loop/up").contains("symbolic link loop"), "{run}");
    if can_read {
        assert!(run.lines_of("unreadable.yaml").is_empty(), "{run}");
    }
    if fifo {
        let lines = run.lines_of("pipe.yaml");
        assert!(
            lines.is_empty()
                || lines.len() == 1 && lines[0].contains(": error[manifest/unreadable]: "),
            "{run}"
        );
    }
    for file in ["empty.yaml", "not-a-manifest.yaml"] {
        assert!(run.lines_of(file).is_empty(), "{file} is skipped\n{run}");
    }
    // Nothing else was reported.
    let known = run
        .lines()
        .iter()
        .filter(|l| {
            l.starts_with("violating.yaml:")
                || l.starts_with("pipe.yaml:")
                || expected.keys().any(|f| l.starts_with(&format!("{f}:")))
        })
        .count();
    assert_eq!(known, run.lines().len(), "{run}");
    assert!(
        run.stderr
            .contains("2 YAML files skipped (not manifests: no `schema:` naming a schema)"),
        "{run}"
    );
}

#[test]
fn alias_bomb_under_a_typed_field_is_refused_at_the_alias_without_expanding_it() {
    let (_guard, dir) = tempdir();
    let text = edit(
        COMPLIANT,
        "purposes: [messaging]",
        &format!("purposes: {}", billion_laughs()),
    );
    write(&dir, "m.yaml", &text);
    let run = run_with_deadline(&dir, &["m.yaml"], Duration::from_secs(20));
    assert_eq!(run.code, 1, "{run}");
    assert_eq!(run.lines().len(), 1, "{run}");
    let (line, _) = at(&text, "purposes:");
    let l = run.lines()[0].to_string();
    assert!(l.starts_with(&format!("m.yaml:{line}:")), "{run}");
    assert!(l.contains(": error[manifest/syntax]: "), "{run}");
    // The finding points at an alias.
    let col: usize = l.split(':').nth(2).unwrap().parse().unwrap();
    let line_text = text.lines().nth(line - 1).unwrap();
    assert_eq!(line_text.chars().nth(col - 1), Some('*'), "{run}");
}

#[test]
fn file_over_the_size_cap_is_reported_not_read() {
    let (_guard, dir) = tempdir();
    write(&dir, "big.yaml", padded(2 * 1024));
    write(&dir, "small.yaml", violating());
    let run = run(&dir, &[".", "--max-file-size", "1KiB"]);
    assert_eq!(run.code, 1, "{run}");
    let lines = run.lines_of("big.yaml");
    assert_eq!(lines.len(), 1, "{run}");
    assert!(
        lines[0].starts_with("big.yaml:1:1: error[manifest/unreadable]: "),
        "{run}"
    );
    assert!(lines[0].contains("limit is 1.0 KiB"), "{run}");
    // The small manifest is over 1 KiB too: the cap applies to every file.
    assert_eq!(run.lines_of("small.yaml").len(), 1, "{run}");
    let raised = run_with_deadline(
        &dir,
        &["big.yaml", "--max-file-size", "4KiB"],
        Duration::from_secs(60),
    );
    assert_eq!(raised.code, 0, "{raised}");
}

#[test]
fn default_size_cap_is_eight_mebibytes() {
    let (_guard, dir) = tempdir();
    let mut big = COMPLIANT.as_bytes().to_vec();
    big.resize(8 * 1024 * 1024 + 1, b'\n');
    write(&dir, "big.yaml", &big);
    let run = run(&dir, &["big.yaml"]);
    assert_eq!(run.code, 1, "{run}");
    assert_eq!(run.lines().len(), 1, "{run}");
    assert!(
        run.stdout
            .starts_with("big.yaml:1:1: error[manifest/unreadable]: "),
        "{run}"
    );
    assert!(run.stdout.contains("limit is 8.0 MiB"), "{run}");
}

#[test]
fn deeply_nested_value_is_reported_on_its_own_line() {
    let text = edit(
        COMPLIANT,
        "purposes: [messaging]",
        &format!("purposes: {}", nested(100)),
    );
    let run = check_one(&text);
    assert_eq!(run.code, 1, "{run}");
    // `purposes[0]` is the list where a string should be.
    let (line, col) = at(&text, "[[");
    run.expect(
        "m.yaml",
        (line, col + 1),
        "manifest/schema",
        &["expected a `string`, found a list"],
    );
}

#[test]
fn nesting_past_the_limit_is_refused_at_the_first_bracket_too_deep() {
    // Levels count from the document: the manifest (1), `features` (2),
    // the feature (3), then `purposes` opens the first bracket (4), so the
    // 126th bracket is level 129. Past 255 brackets on one line the parser
    // stops on its own, while it looks ahead over them, at the 256th.
    for (brackets, reported) in [(200, 125), (300, 255)] {
        let text = edit(
            COMPLIANT,
            "purposes: [messaging]",
            &format!("purposes: {}", nested(brackets)),
        );
        let run = check_one(&text);
        assert_eq!(run.code, 1, "{run}");
        let (line, col) = at(&text, "[[");
        run.expect(
            "m.yaml",
            (line, col + reported),
            "manifest/syntax",
            &["nesting deeper than 128 levels"],
        );
    }
}

#[test]
fn deep_nesting_within_the_size_cap_is_rejected_promptly() {
    // 200,000 brackets is 200 KB, far under the default 8 MiB cap; a file at
    // the cap would nest 40 times deeper.
    let (_guard, dir) = tempdir();
    write(
        &dir,
        "m.yaml",
        format!("schema: partnership/v1\npartner: {}\n", "[".repeat(200_000)),
    );
    let run = run_with_deadline(&dir, &["m.yaml"], Duration::from_secs(10));
    assert_eq!(run.code, 1, "{run}");
    assert_eq!(run.lines().len(), 1, "{run}");
    assert!(run.stdout.contains("error[manifest/syntax]"), "{run}");
}

#[test]
fn symlink_loop_names_the_directory_it_leads_back_to() {
    let (_guard, dir) = tempdir();
    write(&dir, "m.yaml", COMPLIANT);
    std::fs::create_dir(dir.join("loop")).unwrap();
    std::os::unix::fs::symlink("..", dir.join("loop/up")).unwrap();
    let run = run(&dir, &[]);
    assert_eq!(run.code, 1, "{run}");
    let lines = run.lines_of("loop/up");
    assert_eq!(lines.len(), 1, "{run}");
    assert!(
        lines[0].starts_with("loop/up:1:1: error[manifest/unreadable]: symbolic link loop"),
        "{run}"
    );
    assert!(!lines[0].contains("``"), "an empty path is shown\n{run}");
}

// ---------------------------------------------------------------------------
// Output order, paths, discovery

/// `(path, line, col)` of a short line.
fn location(line: &str) -> (String, usize, usize) {
    let mut parts = line.splitn(4, ':');
    let path = parts.next().unwrap().to_string();
    let l = parts.next().unwrap().parse().unwrap();
    let c = parts.next().unwrap().parse().unwrap();
    (path, l, c)
}

#[test]
fn short_output_is_sorted_by_path_then_line_and_stable_across_runs() {
    let (_guard, dir) = tempdir();
    // Errors on lines below and above 10, to catch a textual sort of lines.
    let many = edit(
        COMPLIANT,
        "  country: SE\n",
        "  country: SE\n  colour: blue\n",
    );
    let many = edit(&many, "recorded: true", "recorded: \"yes\"");
    let many = edit(&many, "role: service_provider", "role: servant");
    let many = edit(&many, "  id: spotify\n", "  id: spotify\n  idd: x\n");
    for name in [
        "b.yaml", "a/z.yaml", "a.yaml", "a-b.yaml", "c/b.yaml", "c/a.yaml", "B.yaml",
    ] {
        write(&dir, name, &many);
    }
    write(&dir, "v.yaml", violating());
    let args = ["c", "b.yaml", "a", "v.yaml", "a.yaml", "B.yaml", "a-b.yaml"];
    let first = run(&dir, &args);
    assert_eq!(first.code, 1, "{first}");
    let locations: Vec<(String, usize, usize)> =
        first.lines().iter().map(|l| location(l)).collect();
    // Sorted by path components (`a/z.yaml` before `a-b.yaml`), then line
    // and column.
    let mut sorted = locations.clone();
    sorted.sort_by(|a, b| (Path::new(&a.0), a.1, a.2).cmp(&(Path::new(&b.0), b.1, b.2)));
    assert_eq!(locations, sorted, "{first}");
    assert!(
        locations.iter().any(|(_, l, _)| *l < 10) && locations.iter().any(|(_, l, _)| *l >= 10),
        "{first}"
    );
    for _ in 0..2 {
        let again = run(&dir, &args);
        assert_eq!(again.stdout, first.stdout);
        assert_eq!(again.code, first.code);
    }
}

#[test]
fn absolute_path_under_the_working_directory_is_shown_relative() {
    let (_guard, dir) = tempdir();
    let text = violating();
    write(&dir, "sub/violating.yaml", &text);
    let absolute = dir.join("sub/violating.yaml");
    let out = run(&dir, &[absolute.to_str().unwrap()]);
    assert_eq!(out.code, 1, "{out}");
    assert_violating_findings(&out, "sub/violating.yaml", &text);
    // An absolute directory argument too.
    let out = run(&dir, &[dir.join("sub").to_str().unwrap()]);
    assert_violating_findings(&out, "sub/violating.yaml", &text);
}

#[test]
fn path_outside_the_working_directory_is_shown_as_given() {
    let (_guard, dir) = tempdir();
    let text = violating();
    write(&dir, "elsewhere/violating.yaml", &text);
    std::fs::create_dir(dir.join("cwd")).unwrap();
    let absolute = dir.join("elsewhere/violating.yaml");
    let out = run(&dir.join("cwd"), &[absolute.to_str().unwrap()]);
    assert_eq!(out.code, 1, "{out}");
    assert_violating_findings(&out, absolute.to_str().unwrap(), &text);
    let out = run(&dir.join("cwd"), &["../elsewhere/violating.yaml"]);
    assert_violating_findings(&out, "../elsewhere/violating.yaml", &text);
}

#[test]
fn no_path_argument_checks_the_current_directory() {
    let (_guard, dir) = tempdir();
    let text = violating();
    write(&dir, "partners/spotify.yaml", &text);
    write(&dir, "top.yml", &text);
    // Hidden directories are not walked; other extensions are not read.
    write(&dir, ".github/workflow.yaml", &text);
    write(&dir, "notes.txt", &text);
    let run = run(&dir, &[]);
    assert_eq!(run.code, 1, "{run}");
    assert_violating_findings(&run, "partners/spotify.yaml", &text);
    assert_violating_findings(&run, "top.yml", &text);
    for line in run.lines() {
        assert!(
            line.starts_with("partners/spotify.yaml:") || line.starts_with("top.yml:"),
            "{run}"
        );
    }
    assert!(run.stderr.contains("checked 2 manifests "), "{run}");
    // Same as naming `.` explicitly.
    let explicit = run_with_deadline(&dir, &["."], Duration::from_secs(60));
    assert_eq!(explicit.stdout, run.stdout);
}

#[test]
fn explicitly_named_file_is_checked_whatever_its_extension() {
    let (_guard, dir) = tempdir();
    let text = violating();
    write(&dir, "manifest.txt", &text);
    let run = run(&dir, &["manifest.txt"]);
    assert_eq!(run.code, 1, "{run}");
    assert_violating_findings(&run, "manifest.txt", &text);
}

// ---------------------------------------------------------------------------
// Read-only

#[test]
fn checking_never_modifies_manifests() {
    let (_guard, dir) = tempdir();
    write(&dir, "good.yaml", COMPLIANT);
    write(&dir, "violating.yaml", violating());
    write(
        &dir,
        "invalid.yaml",
        edit(COMPLIANT, "    consent:\n", "    consnet:\n"),
    );
    write(&dir, "broken.yaml", "schema: partnership/v1\npartner: [\n");
    write(&dir, "not-utf8.yaml", b"schema: partnership/v1\n\xff\n");
    write(&dir, "other.yaml", "a: 1\n");
    let snapshot = || -> BTreeMap<String, (Vec<u8>, std::time::SystemTime, u32)> {
        std::fs::read_dir(&dir)
            .unwrap()
            .map(|e| {
                let e = e.unwrap();
                let meta = e.metadata().unwrap();
                (
                    e.file_name().to_string_lossy().into_owned(),
                    (
                        std::fs::read(e.path()).unwrap(),
                        meta.modified().unwrap(),
                        std::os::unix::fs::PermissionsExt::mode(&meta.permissions()),
                    ),
                )
            })
            .collect()
    };
    let before = snapshot();
    let run = run(&dir, &[]);
    assert_eq!(run.code, 1, "{run}");
    let human = Command::new(env!("CARGO_BIN_EXE_proviso"))
        .args(["check", "--format", "human", "--as-of", AS_OF])
        .current_dir(&dir)
        .output()
        .unwrap();
    assert_eq!(human.status.code(), Some(1));
    assert_eq!(snapshot(), before, "a file was created, changed or removed");
}

#[test]
fn a_file_given_twice_is_checked_once() {
    let (_guard, dir) = tempdir();
    write(&dir, "d/m.yaml", violating());
    let run = run(&dir, &["d", "d/m.yaml", "d/m.yaml"]);
    assert_eq!(run.code, 1, "{run}");
    let lines = run.lines_of("d/m.yaml");
    let unique: std::collections::HashSet<_> = lines.iter().collect();
    assert_eq!(lines.len(), unique.len(), "{run}");
    assert!(run.stderr.contains("checked 1 manifest "), "{run}");
}

#[test]
fn the_report_is_never_written_over_a_checked_manifest() {
    let (_guard, dir) = tempdir();
    write(&dir, "m.yaml", violating());
    let run = run(&dir, &["m.yaml", "--output", "m.yaml"]);
    assert_eq!(run.code, 2, "{run}");
    assert!(
        run.stderr
            .contains("refusing to write the report over `m.yaml`"),
        "{run}"
    );
    assert_eq!(
        std::fs::read_to_string(dir.join("m.yaml")).unwrap(),
        violating()
    );
}

#[test]
fn other_tools_schema_keys_do_not_make_a_manifest() {
    let (_guard, dir) = tempdir();
    write(
        &dir,
        "codegen.yml",
        "schema: ./schema.graphql\ngenerates:\n  out.ts: {}\n",
    );
    let run = run(&dir, &["--allow-empty"]);
    assert_eq!(run.code, 0, "{run}");
    assert!(run.stdout.is_empty(), "{run}");
    assert!(run.stderr.contains("1 YAML file skipped"), "{run}");
}

#[test]
fn a_schema_key_that_is_not_first_is_reported() {
    let text = format!(
        "{}schema: partnership/v1\n",
        COMPLIANT.replacen("schema: partnership/v1\n", "", 1)
    );
    let run = check_one(&text);
    assert_eq!(run.code, 1, "{run}");
    let (line, col) = at(&text, "schema:");
    run.expect(
        "m.yaml",
        (line, col),
        "manifest/schema",
        &["must be the first key"],
    );
}

#[test]
fn merge_keys_are_one_finding_not_a_cascade() {
    let text = COMPLIANT.replacen("  - id: AGR-", "  - <<: {}\n    id: AGR-", 1);
    let run = check_one(&text);
    assert_eq!(run.code, 1, "{run}");
    assert_eq!(run.lines().len(), 1, "{run}");
    let (line, col) = at(&text, "<<");
    run.expect("m.yaml", (line, col), "manifest/schema", &["merge keys"]);
}

#[test]
fn a_trailing_document_marker_is_not_a_second_document() {
    let run = check_one(&format!("{COMPLIANT}---\n"));
    assert_eq!(run.code, 0, "{run}");
}

#[test]
fn country_suggestions_know_common_mistakes() {
    let text = COMPLIANT.replacen("  country: ", "  country: UK # ", 1);
    let run = check_one(&text);
    assert!(run.stdout.contains("did you mean `GB`?"), "{run}");
    let text = COMPLIANT.replacen("  country: ", "  country: se # ", 1);
    let run = check_one(&text);
    assert!(run.stdout.contains("did you mean `SE`?"), "{run}");
}

#[test]
fn own_rules_run_beside_the_shipped_schema() {
    let (_guard, dir) = tempdir();
    write(&dir, "m.yaml", COMPLIANT);
    write(
        &dir,
        "ours.proviso",
        "policy ours for partnership/v1\n\
         rule ours/owner {\n  title \"every partner has an owner\"\n  severity warning\n  require partner.owner is not set\n  message \"{partner.name} has an owner\"\n}\n",
    );
    let run = run(
        &dir,
        &["m.yaml", "--policy", "ours.proviso", "--fail-on", "warning"],
    );
    assert_eq!(run.code, 1, "{run}");
    assert!(run.stdout.contains("warning[ours/owner]"), "{run}");
    assert!(run.stderr.contains("against 1 rule"), "{run}");
}

#[test]
fn a_grant_waiver_covers_findings_about_that_grant_wherever_they_point() {
    let (_guard, dir) = tempdir();
    let text = format!(
        "{}waivers:\n  - rule: ours/logs\n    grant: {}\n    reason: logging lands next quarter\n    approved_by: privacy-legal\n    expires: 2019-01-01\n",
        COMPLIANT.replace("access_logs: true", "access_logs: false"),
        grant_id(COMPLIANT),
    );
    write(&dir, "m.yaml", &text);
    write(
        &dir,
        "ours.proviso",
        "policy ours for partnership/v1\n\
         rule ours/logs {\n  title \"access is logged\"\n  severity error\n  each grant in grants\n  require governance.access_logs\n  message \"{grant.id} is not logged\"\n}\n",
    );
    let run = run(&dir, &["m.yaml", "--policy", "ours.proviso"]);
    assert_eq!(run.code, 0, "{run}");
    assert!(run.stdout.contains("(waived until 2019-01-01"), "{run}");
    assert!(!run.stdout.contains("waiver-unused"), "{run}");
}

/// The id of the first grant of a manifest.
fn grant_id(text: &str) -> String {
    let grants = text.find("grants:").unwrap();
    let id = text[grants..].find("- id: ").unwrap() + grants + "- id: ".len();
    text[id..].lines().next().unwrap().trim().to_string()
}

#[test]
fn rules_lists_the_catalogue_with_sources_and_built_ins() {
    let (_guard, dir) = tempdir();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_proviso"))
        .arg("rules")
        .current_dir(&dir)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let text = String::from_utf8(out.stdout).unwrap();
    for id in [
        "ftc2012/messages-consent",
        "gdpr/retention-limit",
        "lifecycle/agreement-current",
        "ftc2019/justified-need",
        "manifest/schema",
        "proviso/waiver-unused",
    ] {
        assert!(text.contains(id), "{id} missing from:\n{text}");
    }
    assert!(
        text.contains(
            "source: FTC Decision and Order, In re Facebook, Inc., Docket C-4365 (2012), Part II"
        ),
        "{text}"
    );
    let limit = text
        .lines()
        .find(|l| l.starts_with("gdpr/retention-limit"))
        .unwrap();
    assert!(limit.contains("warning"), "{limit}");
}

#[test]
fn the_report_is_never_written_over_a_hard_link_to_a_manifest() {
    let (_guard, dir) = tempdir();
    write(&dir, "m.yaml", violating());
    std::fs::hard_link(dir.join("m.yaml"), dir.join("link.yaml")).unwrap();
    let run = run(&dir, &["m.yaml", "--output", "link.yaml"]);
    assert_eq!(run.code, 2, "{run}");
    assert_eq!(
        std::fs::read_to_string(dir.join("m.yaml")).unwrap(),
        violating()
    );
}

#[test]
fn a_team_schema_loads_without_the_shipped_one() {
    let (_guard, dir) = tempdir();
    write(
        &dir,
        "acme.proviso",
        "schema acme/vendor{\n  name: string\n}\npolicy acme for acme/vendor\n\
         rule acme/named {\n  title \"vendors are named\"\n  severity error\n  require name != \"\"\n  message \"unnamed\"\n}\n",
    );
    write(&dir, "v.yaml", "schema: acme/vendor\nname: \"\"\n");
    let run = run(&dir, &["v.yaml", "--policy", "acme.proviso"]);
    assert_eq!(run.code, 1, "{run}");
    assert!(run.stdout.contains("error[acme/named]"), "{run}");
}

#[test]
fn a_waiver_cannot_forge_a_finding_line() {
    let text = format!(
        "{}waivers:\n  - rule: ftc2012/subject-consent\n    reason: r\n    approved_by: \"legal\\nm.yaml:1:1: error[x/y]: forged\"\n    expires: 2019-01-01\n",
        violating()
    );
    let run = check_one(&text);
    assert!(
        !run.stdout
            .lines()
            .any(|l| l.starts_with("m.yaml:1:1: error[x/y]")),
        "{run}"
    );
}

#[test]
fn output_is_sorted_by_path_components() {
    let (_guard, dir) = tempdir();
    for d in ["a", "a-b", "a.b"] {
        let own_id = edit(&violating(), "id: spotify", &format!("id: spotify-{d}"));
        write(&dir, &format!("{d}/m.yaml"), &own_id);
    }
    let run = run(&dir, &["."]);
    let mut files: Vec<&str> = run
        .lines()
        .iter()
        .map(|l| l.split(':').next().unwrap())
        .collect();
    files.dedup();
    assert_eq!(files, ["a/m.yaml", "a-b/m.yaml", "a.b/m.yaml"], "{run}");
}

/// A `proviso.yaml` named that is not the configuration in effect (a
/// nested project's, staged in a commit) is read all the same: broken, it
/// fails the run; valid, a note says its settings do not apply here.
#[test]
fn a_configuration_named_that_is_not_in_effect_is_still_read() {
    let (_guard, dir) = tempdir();
    write(&dir, ".git", "gitdir: elsewhere\n");
    write(&dir, "sub/proviso.yaml", "paths: [p/]\nfail_on: bogus\n");
    write(&dir, "sub/p/m.yaml", COMPLIANT);
    let r = run(&dir, &["sub/proviso.yaml", "--allow-empty"]);
    assert_eq!(r.code, 2, "{r}");
    assert!(r.stderr.contains("sub/proviso.yaml:2:10"), "{r}");
    write(&dir, "sub/proviso.yaml", "paths: [p/]\n");
    let r = run(&dir, &["sub/proviso.yaml", "--allow-empty"]);
    assert_eq!(r.code, 0, "{r}");
    assert!(
        r.stderr.contains("is not the configuration in effect here"),
        "{r}"
    );
}
