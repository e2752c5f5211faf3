#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]
//! The policy author's loop, run as they run it: `proviso test` on test
//! files in a temporary directory (passing, failing, broken), `proviso
//! explain`, `proviso check --explain`, and the summary's note of rules
//! that applied to nothing.

mod common;

use common::{Run, COMPLIANT};
use std::path::Path;
use tempfile::TempDir;

fn proviso(dir: &Path, args: &[&str]) -> Run {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_proviso"))
        .current_dir(dir)
        .args(args)
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    Run::of(out)
}

/// A directory with the compliant manifest as `base.yaml`, and `files`.
fn project(files: &[(&str, &str)]) -> TempDir {
    let dir = common::fenced_tempdir();
    std::fs::write(dir.path().join("base.yaml"), COMPLIANT).unwrap();
    for (name, text) in files {
        let path = dir.path().join(name);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }
    dir
}

/// The line (1-based) of the first line of `text` containing `needle`.
fn line_of(text: &str, needle: &str) -> usize {
    text.lines().position(|l| l.contains(needle)).unwrap() + 1
}

const PLATFORM_LOGIN: &str = "\
base: base.yaml
as_of: 2018-12-18
cases:
  - name: a platform login is not consent to read messages
    patch:
      /grants/0/consent/mechanism: platform_login
    expect:
      ftc2012/messages-consent: fail /grants/0/consent/mechanism
  - name: the base passes everything
    expect: {}
";

#[test]
fn cases_that_hold_exit_0() {
    let dir = project(&[("consent.test.yaml", PLATFORM_LOGIN)]);
    let run = proviso(dir.path(), &["test", "--format", "short"]);
    assert_eq!(run.code, 0, "{run}");
    assert!(
        run.stderr.contains("2 cases ran: 2 held, 0 failed"),
        "{run}"
    );
    assert_eq!(run.stdout, "", "{run}");
}

#[test]
fn a_case_that_does_not_hold_shows_expected_against_actual_with_the_values() {
    let wrong = PLATFORM_LOGIN.replace(
        "fail /grants/0/consent/mechanism",
        "fail /grants/0/consent/recorded",
    );
    let dir = project(&[("consent.test.yaml", &wrong)]);
    let run = proviso(dir.path(), &["test", "--format", "human"]);
    assert_eq!(run.code, 1, "{run}");
    assert!(
        run.stdout
            .contains("FAIL  a platform login is not consent to read messages"),
        "{run}"
    );
    assert!(
        run.stdout.contains("ok    the base passes everything"),
        "{run}"
    );
    assert!(
        run.stdout.contains("expected findings at /grants/0/consent/recorded, found them at /grants/0/consent/mechanism"),
        "{run}"
    );
    // The value a patch gave is placed in the test file, at the patch.
    let patch_line = line_of(&wrong, "/grants/0/consent/mechanism: platform_login");
    assert!(
        run.stdout.contains(&format!(
            "/grants/0/consent/mechanism (consent.test.yaml:{patch_line})"
        )),
        "{run}"
    );
    // Why: the condition, its value, and the value it read, placed.
    assert!(
        run.stdout
            .contains("grant.consent.mechanism in [per_scope_opt_in, per_feature_opt_in]  → false"),
        "{run}"
    );
    assert!(
        run.stdout
            .contains("grant.consent.mechanism = platform_login"),
        "{run}"
    );
    // A value the base holds is placed in the base manifest.
    let grant_line = line_of(COMPLIANT, "- id: inbox");
    assert!(
        run.stdout
            .contains(&format!("grant = /grants/0, base.yaml:{grant_line}")),
        "{run}"
    );
    assert!(
        run.stderr.contains("2 cases ran: 1 held, 1 failed"),
        "{run}"
    );

    let short = proviso(dir.path(), &["test", "--format", "short"]);
    assert_eq!(short.code, 1);
    let at = line_of(&wrong, "ftc2012/messages-consent: fail");
    assert!(
        short.stdout.starts_with(&format!(
            "consent.test.yaml:{at}:7: error[test]: case `a platform login is not consent to read messages`: ftc2012/messages-consent: expected fail /grants/0/consent/recorded, got fail at /grants/0/consent/mechanism"
        )),
        "{short}"
    );
}

#[test]
fn a_finding_of_a_rule_not_expected_fails_the_case_unless_others_is_any() {
    let text = "\
base: base.yaml
as_of: 2018-12-18
cases:
  - name: platform login
    patch:
      /grants/0/consent/mechanism: platform_login
    expect:
      ftc2012/subject-consent: pass
";
    let dir = project(&[("a.test.yaml", text)]);
    let run = proviso(dir.path(), &["test", "--format", "short"]);
    assert_eq!(run.code, 1, "{run}");
    assert!(
        run.stdout.contains(
            "ftc2012/messages-consent: expected no finding (the rule is not in `expect`), got fail"
        ),
        "{run}"
    );
    let relaxed = text.replace("    expect:", "    others: any\n    expect:");
    std::fs::write(dir.path().join("a.test.yaml"), relaxed).unwrap();
    assert_eq!(proviso(dir.path(), &["test"]).code, 0);
}

#[test]
fn outcomes_messages_counts_and_not_applicable() {
    let text = "\
base: base.yaml
as_of: 2018-12-18
cases:
  - name: two subjects without consent
    patch:
      /grants/0/subjects: [user, friends, friends_of_friends]
      /grants/0/consent/covers: [user]
    expect:
      ftc2012/subject-consent: {outcome: fail, count: 2, message: \"but consent was obtained from\"}
  - name: no messages data, so the messages rule does not apply
    patch:
      /grants/0/data: [profile.name]
    expect:
      ftc2012/messages-consent: n/a
  - name: a count that is wrong
    patch:
      /grants/0/consent/covers: [user]
    expect:
      ftc2012/subject-consent: {outcome: fail, count: 2}
  - name: a message that is wrong
    patch:
      /grants/0/consent/covers: [user]
    expect:
      ftc2012/subject-consent: {outcome: fail, message: \"no such words\"}
";
    let dir = project(&[("a.test.yaml", text)]);
    let run = proviso(dir.path(), &["test", "--format", "json"]);
    assert_eq!(run.code, 1, "{run}");
    let doc: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    let cases = doc["files"][0]["cases"].as_array().unwrap();
    let passed: Vec<bool> = cases
        .iter()
        .map(|c| c["passed"].as_bool().unwrap())
        .collect();
    assert_eq!(passed, [true, true, false, false], "{}", run.stdout);
    assert_eq!(
        cases[2]["mismatches"][0]["why"],
        "expected 2 findings, found 1"
    );
    assert!(cases[3]["mismatches"][0]["why"]
        .as_str()
        .unwrap()
        .contains("expected every message to contain \"no such words\""));
    assert_eq!(doc["summary"]["failed"], 2);
    // The values that decided a mismatch come with it.
    let explanation = &cases[2]["mismatches"][0]["explanation"];
    assert_eq!(explanation["rule"], "ftc2012/subject-consent");
    assert_eq!(explanation["outcome"], "fail");
}

#[test]
fn a_broken_test_file_exits_2_with_its_location_and_a_fix() {
    let cases = [
        (
            "unknown key",
            PLATFORM_LOGIN.replace("    expect:\n      ftc2012", "    expct:\n      ftc2012"),
            "expct",
            "did you mean `expect`?",
        ),
        (
            "unknown rule",
            PLATFORM_LOGIN.replace(
                "ftc2012/messages-consent: fail",
                "ftc2012/message-consent: fail",
            ),
            "ftc2012/message-consent",
            "did you mean `ftc2012/messages-consent`?",
        ),
        (
            "bad outcome",
            PLATFORM_LOGIN.replace(": fail /grants", ": fial /grants"),
            "fial",
            "did you mean `fail`?",
        ),
        (
            "missing path",
            PLATFORM_LOGIN.replace(
                "/grants/0/consent/mechanism: platform_login",
                "/grants/0/consnet/mechanism: platform_login",
            ),
            "/grants/0/consnet/mechanism: platform_login",
            "did you mean `consent`?",
        ),
        (
            "index out of range",
            PLATFORM_LOGIN.replace(
                "/grants/0/consent/mechanism: platform_login",
                "/grants/3/consent/mechanism: platform_login",
            ),
            "/grants/3/consent",
            "append with `-`",
        ),
        (
            "bad pointer",
            PLATFORM_LOGIN.replace("fail /grants/0/consent/mechanism", "fail grants.0"),
            "fail grants.0",
            "not a JSON pointer",
        ),
    ];
    for (what, text, needle, fix) in cases {
        let dir = project(&[("a.test.yaml", &text), ("good.test.yaml", PLATFORM_LOGIN)]);
        let run = proviso(dir.path(), &["test", "--format", "short"]);
        assert_eq!(run.code, 2, "{what}: {run}");
        let line = line_of(&text, needle);
        assert!(
            run.stderr.contains(&format!("a.test.yaml:{line}:")),
            "{what}: {run}"
        );
        assert!(run.stderr.contains(fix), "{what}: {run}");
        // The other file still ran.
        assert!(
            run.stderr
                .contains("2 cases ran: 2 held, 0 failed; 1 test file is broken"),
            "{what}: {run}"
        );
    }
}

#[test]
fn no_test_files_or_no_selected_case_is_an_error() {
    let dir = project(&[]);
    let run = proviso(dir.path(), &["test"]);
    assert_eq!(run.code, 2, "{run}");
    assert!(run.stderr.contains("no test files"), "{run}");
    let dir = project(&[("a.test.yaml", PLATFORM_LOGIN)]);
    let run = proviso(dir.path(), &["test", "--run", "no such case"]);
    assert_eq!(run.code, 2, "{run}");
    let run = proviso(
        dir.path(),
        &["test", "--run", "platform login", "--format", "json"],
    );
    assert_eq!(run.code, 0, "{run}");
    let doc: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(doc["summary"]["cases"], 1);
    // By rule id too.
    let run = proviso(
        dir.path(),
        &["test", "--run", "messages-consent", "--format", "json"],
    );
    let doc: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(doc["summary"]["cases"], 1);
}

#[test]
fn junit_output_parses_and_counts_failures() {
    let wrong = PLATFORM_LOGIN.replace("expect: {}", "expect:\n      gdpr/dpia: fail");
    let dir = project(&[("a.test.yaml", &wrong)]);
    let run = proviso(dir.path(), &["test", "--format", "junit"]);
    assert_eq!(run.code, 1, "{run}");
    let mut reader = quick_xml::Reader::from_str(&run.stdout);
    let (mut cases, mut failures) = (0, 0);
    loop {
        match reader.read_event().unwrap() {
            quick_xml::events::Event::Eof => break,
            quick_xml::events::Event::Start(e) | quick_xml::events::Event::Empty(e) => {
                match e.name().as_ref() {
                    b"testcase" => cases += 1,
                    b"failure" => failures += 1,
                    _ => {}
                }
            }
            _ => {}
        }
    }
    assert_eq!((cases, failures), (2, 1), "{}", run.stdout);
}

const OWN_POLICY: &str = "\
policy acme for partnership/v1

/// Partners outside the EEA need a recorded approval.
rule acme/no-telemetry {
  title    \"no telemetry partners\"
  severity error
  each grant in grants
    where grant.api starts with \"telemetry/\"
  require own_purpose_use == false and grant.storage != partner_servers
  message \"{partner.name} takes telemetry\"
}
";

#[test]
fn coverage_counts_outcomes_and_conditions_and_require_coverage_fails_a_rule_never_failing() {
    let text = "\
base: ../base.yaml
as_of: 2018-12-18
cases:
  - name: not telemetry
    expect:
      acme/no-telemetry: n/a
  - name: telemetry kept on our servers
    patch:
      /grants/0/api: telemetry/events
      /grants/0/storage: platform_only
    expect:
      acme/no-telemetry: pass
";
    let dir = project(&[
        ("policy/acme.proviso", OWN_POLICY),
        ("tests/acme.test.yaml", text),
    ]);
    let run = proviso(
        dir.path(),
        &[
            "test",
            "tests",
            "--policy",
            "policy",
            "--coverage",
            "--format",
            "json",
        ],
    );
    assert_eq!(run.code, 0, "{run}");
    let doc: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    let cov = doc["coverage"].as_array().unwrap();
    assert_eq!(cov.len(), 1, "only the rules under test: {}", run.stdout);
    assert_eq!(cov[0]["rule"], "acme/no-telemetry");
    assert_eq!(
        (
            cov[0]["pass"].as_u64(),
            cov[0]["fail"].as_u64(),
            cov[0]["not_applicable"].as_u64()
        ),
        (Some(1), Some(0), Some(1))
    );
    let never_false: Vec<&str> = cov[0]["never_false"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["text"].as_str().unwrap())
        .collect();
    assert!(
        never_false.contains(&"grant.storage != partner_servers"),
        "{never_false:?}"
    );
    let run = proviso(
        dir.path(),
        &["test", "tests", "--policy", "policy", "--require-coverage"],
    );
    assert_eq!(run.code, 1, "{run}");
    assert!(
        run.stderr
            .contains("`acme/no-telemetry` has no failing case"),
        "{run}"
    );
    let short = proviso(
        dir.path(),
        &[
            "test",
            "tests",
            "--policy",
            "policy",
            "--coverage",
            "--format",
            "short",
        ],
    );
    let at = line_of(OWN_POLICY, "require own_purpose_use");
    assert!(
        short.stdout.contains(&format!("policy/acme.proviso:{at}:")) && short.stdout.contains("note[coverage]: acme/no-telemetry: never false in any case: grant.storage != partner_servers"),
        "{short}"
    );
}

#[test]
fn explain_shows_each_binding_condition_and_value_with_its_line() {
    let dir = project(&[(
        "bad.yaml",
        &COMPLIANT.replace("mechanism: per_scope_opt_in", "mechanism: platform_login"),
    )]);
    let run = proviso(
        dir.path(),
        &[
            "explain",
            "ftc2012/messages-consent",
            "bad.yaml",
            "--as-of",
            "2018-12-18",
        ],
    );
    assert_eq!(run.code, 0, "{run}");
    let line = line_of(COMPLIANT, "mechanism: per_scope_opt_in");
    assert!(
        run.stdout.starts_with("ftc2012/messages-consent: fail"),
        "{run}"
    );
    assert!(
        run.stdout.contains(&format!(
            "grant.consent.mechanism = platform_login  (/grants/0/consent/mechanism, line {line})"
        )),
        "{run}"
    );
    let json = proviso(
        dir.path(),
        &[
            "explain",
            "ftc2012/messages-consent",
            "bad.yaml",
            "--as-of",
            "2018-12-18",
            "--format",
            "json",
        ],
    );
    let doc: serde_json::Value = serde_json::from_str(&json.stdout).unwrap();
    assert_eq!(doc["outcome"], "fail");
    let binding = &doc["requirements"][0]["bindings"][0];
    assert_eq!(binding["vars"][0]["pointer"], "/grants/0");
    assert_eq!(binding["outcome"], "fail");
    assert_eq!(binding["require"]["value"], false);

    let typo = proviso(
        dir.path(),
        &["explain", "ftc2012/message-consent", "bad.yaml"],
    );
    assert_eq!(typo.code, 2);
    assert!(
        typo.stderr
            .contains("did you mean `ftc2012/messages-consent`?"),
        "{typo}"
    );
    std::fs::write(
        dir.path().join("broken.yaml"),
        COMPLIANT.replace("kind: integration_partner", "kind: integraton_partner"),
    )
    .unwrap();
    let broken = proviso(
        dir.path(),
        &["explain", "ftc2012/messages-consent", "broken.yaml"],
    );
    assert_eq!(broken.code, 2, "{broken}");
    assert!(broken.stderr.contains("not a valid manifest"), "{broken}");
}

#[test]
fn check_explain_prints_the_failing_binding_under_each_finding() {
    let dir = project(&[(
        "bad.yaml",
        &COMPLIANT.replace("mechanism: per_scope_opt_in", "mechanism: platform_login"),
    )]);
    let run = proviso(
        dir.path(),
        &[
            "check",
            "bad.yaml",
            "--explain",
            "--format",
            "short",
            "--as-of",
            "2018-12-18",
        ],
    );
    assert_eq!(run.code, 1, "{run}");
    let lines: Vec<&str> = run.stdout.lines().collect();
    let at = lines
        .iter()
        .position(|l| l.contains("error[ftc2012/messages-consent]"))
        .unwrap();
    assert!(lines[at + 1].starts_with("    grant = /grants/0"), "{run}");
    assert!(
        run.stdout
            .contains("grant.consent.mechanism = platform_login"),
        "{run}"
    );
    let json = proviso(
        dir.path(),
        &["check", "bad.yaml", "--explain", "--format", "json"],
    );
    assert_eq!(json.code, 2, "{json}");
}

#[test]
fn the_summary_names_rules_that_applied_to_no_manifest() {
    let dir = project(&[
        ("policy/acme.proviso", OWN_POLICY),
        ("m/base.yaml", COMPLIANT),
    ]);
    let run = proviso(
        dir.path(),
        &[
            "check",
            "m",
            "--policy",
            "policy",
            "--format",
            "short",
            "--as-of",
            "2018-12-18",
        ],
    );
    assert_eq!(run.code, 0, "{run}");
    assert!(
        run.stderr.contains("note: 1 rule applied to no manifest"),
        "{run}"
    );
    assert!(run.stderr.contains("`acme/no-telemetry`"), "{run}");
}

#[test]
fn the_documented_test_file_runs_as_documented() {
    let doc = include_str!("../docs/testing.md");
    let start = doc.find("```yaml\n").unwrap() + "```yaml\n".len();
    let block = &doc[start..start + doc[start..].find("```").unwrap()];
    let example =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/compliant/nordlys-music.yaml");
    let block = block.replace(
        "../examples/compliant/nordlys-music.yaml",
        &example.to_string_lossy(),
    );
    let dir = project(&[("doc.test.yaml", &block)]);
    let run = proviso(dir.path(), &["test", "--format", "short"]);
    assert_eq!(run.code, 0, "{run}");
    assert!(run.stderr.contains("2 cases ran: 2 held"), "{run}");
}

#[test]
fn an_invalid_manifest_says_why_no_rule_ran_and_waived_findings_are_waived() {
    let text = "\
base: base.yaml
as_of: 2018-12-18
cases:
  - name: a misspelt kind
    patch:
      /partner/kind: integraton_partner
    expect:
      ftc2012/messages-consent: pass
  - name: a waived finding
    patch:
      /grants/0/consent/covers: [user]
      /waivers:
        - rule: ftc2012/subject-consent
          grant: inbox
          reason: friends are asked again in the app
          approved_by: dpo@platform.example
          expires: 2019-03-01
    expect:
      ftc2012/subject-consent: waived
";
    let dir = project(&[("a.test.yaml", text)]);
    let run = proviso(dir.path(), &["test", "--format", "short"]);
    assert_eq!(run.code, 1, "{run}");
    let line = line_of(text, "/partner/kind: integraton_partner");
    assert!(
        run.stdout.contains(&format!(
            "the manifest is not valid, so no rule ran: `integraton_partner` is not a value of `PartnerKind` (a.test.yaml:{line})"
        )),
        "{run}"
    );
    assert!(!run.stdout.contains("a waived finding"), "{run}");
}

#[test]
fn a_manifest_that_is_not_one_or_a_case_that_asserts_nothing_is_a_broken_file() {
    let cases = [
        (
            "schema removed",
            "    patch:\n      /schema: null\n    expect:\n      ftc2012/messages-consent: pass\n",
            "schema removed",
            "has no `schema:` key",
        ),
        (
            "inline empty",
            "    manifest: {}\n    expect:\n      ftc2012/messages-consent: pass\n",
            "inline empty",
            "has no `schema:` key",
        ),
        (
            "nothing asserted",
            "    expect: {}\n    others: any\n",
            "expect: {}",
            "asserts nothing",
        ),
        (
            "bad escape",
            "    patch:\n      /grants/0/necessity/re~2ad: x\n    expect: {}\n",
            "re~2ad",
            "`~` is written `~0`",
        ),
        (
            "leading zero",
            "    expect:\n      ftc2012/messages-consent: fail /grants/00/consent\n",
            "/grants/00",
            "not a JSON pointer",
        ),
    ];
    for (what, body, needle, message) in cases {
        let text = format!("base: base.yaml\nas_of: 2018-12-18\ncases:\n  - name: {what}\n{body}");
        let dir = project(&[("a.test.yaml", &text)]);
        let run = proviso(dir.path(), &["test", "--format", "short"]);
        assert_eq!(run.code, 2, "{what}: {run}");
        let line = line_of(&text, needle);
        assert!(
            run.stderr.contains(&format!("a.test.yaml:{line}:")),
            "{what}: {run}"
        );
        assert!(run.stderr.contains(message), "{what}: {run}");
    }
}

#[test]
fn coverage_counts_only_the_rules_a_case_asserts() {
    let text = "\
base: ../base.yaml
as_of: 2018-12-18
cases:
  - name: telemetry on partner servers, asserted of another rule only
    patch:
      /grants/0/api: telemetry/events
    expect:
      ftc2012/messages-consent: pass
    others: any
  - name: telemetry kept on our servers
    patch:
      /grants/0/api: telemetry/events
      /grants/0/storage: platform_only
    expect:
      acme/no-telemetry: pass
";
    let dir = project(&[
        ("policy/acme.proviso", OWN_POLICY),
        ("tests/acme.test.yaml", text),
    ]);
    let run = proviso(
        dir.path(),
        &[
            "test",
            "tests",
            "--policy",
            "builtin",
            "--policy",
            "policy",
            "--require-coverage",
        ],
    );
    assert_eq!(run.code, 1, "{run}");
    assert!(
        run.stderr
            .contains("`acme/no-telemetry` has no failing case"),
        "{run}"
    );
}

#[test]
fn junit_names_broken_files_and_keeps_line_breaks() {
    let wrong = PLATFORM_LOGIN.replace("expect: {}", "expect:\n      gdpr/dpia: fail");
    let broken = PLATFORM_LOGIN.replace("    expect:\n      ftc2012", "    expct:\n      ftc2012");
    let dir = project(&[("a.test.yaml", &wrong), ("b.test.yaml", &broken)]);
    let run = proviso(dir.path(), &["test", "--format", "junit"]);
    assert_eq!(run.code, 2, "{run}");
    assert!(run.stdout.contains("errors=\"1\""), "{run}");
    assert!(
        run.stdout.contains("<error message=\"b.test.yaml:"),
        "{run}"
    );
    let failure = run.stdout.split("<failure").nth(1).unwrap();
    let body = &failure[failure.find('>').unwrap()..failure.find("</failure>").unwrap()];
    assert!(body.contains('\n') && !body.contains("\\n"), "{body}");
}

/// The files of the README's walkthrough: each block after a
/// `<!-- file: PATH -->` line.
fn readme_files() -> Vec<(String, String)> {
    let readme = include_str!("../README.md");
    let mut out = Vec::new();
    for part in readme.split("<!-- file: ").skip(1) {
        let (name, rest) = part.split_once(" -->\n").unwrap();
        let rest = rest.split_once("\n").unwrap().1;
        let body = &rest[..rest.find("```").unwrap()];
        out.push((name.to_string(), body.to_string()));
    }
    out
}

#[test]
fn the_readme_walkthrough_fails_then_holds_once_fixed() {
    let files = readme_files();
    assert_eq!(files.len(), 3);
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let nordlys =
        std::fs::read_to_string(root.join("examples/compliant/nordlys-music.yaml")).unwrap();
    let mut all: Vec<(&str, &str)> = files
        .iter()
        .map(|(n, b)| (n.as_str(), b.as_str()))
        .collect();
    all.push(("partners/nordlys.yaml", &nordlys));
    let dir = project(&all);

    let run = proviso(dir.path(), &["test", "--format", "human"]);
    assert_eq!(run.code, 1, "{run}");
    let readme = include_str!("../README.md");
    let shown = readme.split("$ proviso test\n").nth(1).unwrap();
    let shown = &shown[..shown.find("```").unwrap()];
    assert_eq!(
        format!("{}{}", run.stdout, run.stderr),
        shown,
        "the README shows what a run prints"
    );

    let policy = dir.path().join("policies/acme.proviso");
    let fixed = std::fs::read_to_string(&policy)
        .unwrap()
        .replace("grant.retention < 90d", "grant.retention <= 90d");
    std::fs::write(&policy, fixed).unwrap();
    let run = proviso(
        dir.path(),
        &[
            "test",
            "--coverage",
            "--require-coverage",
            "--format",
            "short",
        ],
    );
    assert_eq!(run.code, 0, "{run}");
    assert!(
        !run.stdout.contains("note[coverage]"),
        "coverage is complete: {run}"
    );
    let run = proviso(
        dir.path(),
        &["check", "--format", "short", "--as-of", "2019-06-01"],
    );
    assert_eq!(run.code, 0, "{run}");
    assert!(
        run.stderr.contains("checked 1 manifest against 21 rules"),
        "{run}"
    );
}

#[test]
fn fmt_formats_files_that_do_not_check_and_stays_inside_the_given_paths() {
    let unguarded = "policy keep for partnership/v1\n\nrule keep/unguarded {\n  title    \"t\"\n  severity warning\n  each grant in grants\n  require grant.retention <=  365d\n  message \"m\"\n}\n";
    let outside = "policy   o for partnership/v1\n";
    let dir = project(&[
        ("proj/keep.proviso", unguarded),
        ("proj/other.proviso", "policy  other for partnership/v1\n"),
        ("outside/o.proviso", outside),
    ]);
    std::os::unix::fs::symlink("../outside", dir.path().join("proj/shared")).unwrap();
    let run = proviso(&dir.path().join("proj"), &["fmt"]);
    assert_eq!(run.code, 0, "{run}");
    let kept = std::fs::read_to_string(dir.path().join("proj/keep.proviso")).unwrap();
    assert!(kept.contains("require grant.retention <= 365d\n"), "{kept}");
    let other = std::fs::read_to_string(dir.path().join("proj/other.proviso")).unwrap();
    assert_eq!(other, "policy other for partnership/v1\n");
    assert_eq!(
        std::fs::read_to_string(dir.path().join("outside/o.proviso")).unwrap(),
        outside
    );
    assert!(
        run.stderr.contains("not formatted: `shared/o.proviso`")
            || run.stderr.contains("not formatted: `./shared/o.proviso`"),
        "{run}"
    );
}

#[test]
fn a_manifest_with_an_odd_schema_is_checked_and_another_tools_file_is_skipped() {
    let odd = COMPLIANT.replacen("schema: partnership/v1", "schema: user", 1);
    let dir = project(&[
        ("m/odd.yaml", &odd),
        (
            "m/codegen.yml",
            "schema: ./schema.graphql\ngenerates:\n  out.ts: {}\n",
        ),
    ]);
    let run = proviso(
        dir.path(),
        &["check", "m", "--format", "short", "--as-of", "2018-12-18"],
    );
    assert_eq!(run.code, 1, "{run}");
    assert!(
        run.stdout.contains("odd.yaml:") && run.stdout.contains("unknown schema `user`"),
        "{run}"
    );
    assert!(
        run.stderr
            .contains("1 YAML file skipped (not manifests: no `schema:` naming a schema)"),
        "{run}"
    );
}

#[test]
fn configuration_errors_are_placed_and_said_in_the_files_terms() {
    let cases = [
        (
            "policies: [builtin]\n\n\nfo\u{1b}[31mrmat: x\n",
            "proviso.yaml:4:3:",
            "the control character U+001B",
        ),
        (
            "max_waiver_days: 99999999999999999999\n",
            "proviso.yaml:1:",
            "the number is too large",
        ),
        (
            "fail_on: error\n---\n",
            "proviso.yaml:",
            "more than one YAML document",
        ),
    ];
    for (text, at, message) in cases {
        let dir = project(&[("proviso.yaml", text)]);
        let run = proviso(dir.path(), &["check", "--format", "short"]);
        assert_eq!(run.code, 2, "{run}");
        assert!(
            run.stderr.contains(at) && run.stderr.contains(message),
            "{run}"
        );
        assert!(!run.stderr.contains('\u{1b}'), "{run}");
    }
    let dir = project(&[("proviso.yaml", "policies: [polices/]\n")]);
    for command in ["check", "rules", "test"] {
        let run = proviso(dir.path(), &[command]);
        assert_eq!(run.code, 2, "{command}: {run}");
        assert!(
            run.stderr
                .contains("it is listed under `policies:` in `proviso.yaml`"),
            "{command}: {run}"
        );
    }
}

#[test]
fn pointers_may_be_listed_with_spaces_commas_or_brackets() {
    let text = "\
base: base.yaml
as_of: 2018-12-18
cases:
  - name: spaces
    patch:
      /grants/0/consent/covers: []
    expect:
      ftc2012/subject-consent: fail /grants/0/subjects/0 /grants/0/subjects/1
    others: any
  - name: commas
    patch:
      /grants/0/consent/covers: []
    expect:
      ftc2012/subject-consent: fail /grants/0/subjects/0, /grants/0/subjects/1
    others: any
  - name: brackets
    patch:
      /grants/0/consent/covers: []
    expect:
      ftc2012/subject-consent: fail [/grants/0/subjects/1, /grants/0/subjects/0]
    others: any
  - name: one missing
    patch:
      /grants/0/consent/covers: []
    expect:
      ftc2012/subject-consent: fail [/grants/0/subjects/0]
    others: any
";
    let dir = project(&[("a.test.yaml", text)]);
    let run = proviso(dir.path(), &["test", "--format", "json"]);
    assert_eq!(run.code, 1, "{run}");
    let doc: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    let passed: Vec<bool> = doc["files"][0]["cases"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["passed"].as_bool().unwrap())
        .collect();
    assert_eq!(passed, [true, true, true, false], "{}", run.stdout);
    let unclosed = text.replace("fail [/grants/0/subjects/0]", "fail [/grants/0/subjects/0");
    std::fs::write(dir.path().join("a.test.yaml"), &unclosed).unwrap();
    let run = proviso(dir.path(), &["test"]);
    assert_eq!(run.code, 2, "{run}");
    assert!(run.stderr.contains("not closed with `]`"), "{run}");
}
