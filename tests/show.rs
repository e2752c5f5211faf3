//! `proviso show RULE|POLICY`: the source of a shipped or loaded rule or
//! policy file, under a comment that says where it is.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use common::Run;
use std::path::{Path, PathBuf};
use std::process::Command;
use tempfile::TempDir;

/// A temporary directory fenced as a repository's root, so that no
/// `proviso.yaml` above it is read.
fn project() -> (TempDir, PathBuf) {
    let dir = common::fenced_tempdir();
    let root = dir.path().canonicalize().unwrap();
    (dir, root)
}

fn write(dir: &Path, name: &str, contents: &str) {
    let path = dir.join(name);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, contents).unwrap();
}

fn show(dir: &Path, args: &[&str]) -> Run {
    let run = Run::of(
        Command::new(env!("CARGO_BIN_EXE_proviso"))
            .arg("show")
            .args(args)
            .current_dir(dir)
            .output()
            .unwrap(),
    );
    assert!(!run.stderr.contains("panicked"), "{run}");
    run
}

fn shipped(file: &str) -> String {
    std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("policies")
            .join(file),
    )
    .unwrap()
}

#[test]
fn a_shipped_rule_is_printed_whole_under_its_name_and_line() {
    let (_guard, dir) = project();
    let run = show(&dir, &["ftc2012/messages-consent"]);
    assert_eq!(run.code, 0, "{run}");
    assert!(run.stderr.is_empty(), "{run}");
    // The rule as written: its doc comment, through its closing brace.
    let text = shipped("ftc2012.proviso");
    let lines: Vec<&str> = text.lines().collect();
    let head = lines
        .iter()
        .position(|l| l.starts_with("rule ftc2012/messages-consent "))
        .unwrap();
    let mut first = head;
    while first > 0 && lines[first - 1].starts_with("///") {
        first -= 1;
    }
    assert!(first < head, "the shipped rule has a doc comment");
    let last = head + lines[head..].iter().position(|l| *l == "}").unwrap();
    let expected = format!(
        "// builtin:ftc2012.proviso:{}\n{}\n",
        first + 1,
        lines[first..=last].join("\n")
    );
    assert_eq!(run.stdout, expected);
}

#[test]
fn a_shipped_policy_file_is_printed_whole_by_any_of_its_names() {
    let (_guard, dir) = project();
    let expected = format!("// builtin:ftc2012.proviso\n{}", shipped("ftc2012.proviso"));
    for name in ["ftc2012", "builtin:ftc2012.proviso"] {
        let run = show(&dir, &[name]);
        assert_eq!(run.code, 0, "{name}: {run}");
        assert_eq!(run.stdout, expected, "{name}");
    }
    let run = show(&dir, &["partnership/v1"]);
    assert_eq!(
        run.stdout,
        format!(
            "// builtin:partnership.proviso\n{}",
            shipped("partnership.proviso")
        )
    );
}

const OURS: &str = "\
policy ours for partnership/v1

/// Internal policy P-7.
rule ours/owner-set {
  title    \"every partnership has an owner\"
  severity warning
  require partner.owner is set
  message \"{partner.name} has no owner\"
}
";

#[test]
fn a_loaded_policy_is_shown_as_the_policies_are_resolved() {
    let (_guard, dir) = project();
    write(&dir, "rules/ours.proviso", OURS);
    // With `--policy`, by rule id, path, file name and policy name.
    let run = show(
        &dir,
        &["ours/owner-set", "--policy", "builtin", "--policy", "rules"],
    );
    assert_eq!(run.code, 0, "{run}");
    assert!(
        run.stdout.starts_with(
            "// rules/ours.proviso:3\n/// Internal policy P-7.\nrule ours/owner-set {\n"
        ),
        "{run}"
    );
    for name in ["rules/ours.proviso", "./rules/ours.proviso", "ours"] {
        let run = show(&dir, &[name, "--policy", "rules"]);
        assert_eq!(run.code, 0, "{name}: {run}");
        assert_eq!(
            run.stdout,
            format!("// rules/ours.proviso\n{OURS}"),
            "{name}"
        );
    }
    // Without `builtin`, a shipped rule is not loaded.
    let run = show(&dir, &["ftc2012/messages-consent", "--policy", "rules"]);
    assert_eq!(run.code, 2, "{run}");
    // From the configuration, in a subdirectory, paths as seen from there.
    write(&dir, "proviso.yaml", "policies: [builtin, rules/]\n");
    std::fs::create_dir(dir.join("sub")).unwrap();
    let run = show(&dir.join("sub"), &["ours/owner-set"]);
    assert_eq!(run.code, 0, "{run}");
    assert!(
        run.stdout.starts_with("// ../rules/ours.proviso:3\n"),
        "{run}"
    );
    let run = show(&dir.join("sub"), &["ftc2012/privacy-settings"]);
    assert_eq!(run.code, 0, "{run}");
}

#[test]
fn an_unknown_name_fails_with_a_suggestion() {
    let (_guard, dir) = project();
    let run = show(&dir, &["ftc2012/mesages-consent"]);
    assert_eq!(run.code, 2, "{run}");
    assert!(run.stdout.is_empty(), "{run}");
    assert_eq!(
        run.stderr,
        "error: no rule or policy file named `ftc2012/mesages-consent`\nhelp: did you mean `ftc2012/messages-consent`?\n"
    );
    let run = show(&dir, &["gpdr"]);
    assert_eq!(run.code, 2, "{run}");
    assert!(run.stderr.contains("did you mean `gdpr`?"), "{run}");
    // A check built into proviso has no source to show.
    let run = show(&dir, &["manifest/schema"]);
    assert_eq!(run.code, 2, "{run}");
    assert!(
        run.stderr
            .contains("`manifest/schema` is built into proviso"),
        "{run}"
    );
}

#[test]
fn a_name_of_several_files_fails_and_lists_them() {
    let (_guard, dir) = project();
    write(
        &dir,
        "local/ftc2012.proviso",
        &OURS.replace("ours", "local"),
    );
    let run = show(
        &dir,
        &["ftc2012", "--policy", "builtin", "--policy", "local"],
    );
    assert_eq!(run.code, 2, "{run}");
    assert!(
        run.stderr.contains(
            "`ftc2012` names 2 policy files: `builtin:ftc2012.proviso`, `local/ftc2012.proviso`"
        ),
        "{run}"
    );
    let run = show(
        &dir,
        &[
            "local/ftc2012.proviso",
            "--policy",
            "builtin",
            "--policy",
            "local",
        ],
    );
    assert_eq!(run.code, 0, "{run}");
}

#[test]
fn control_characters_in_a_policy_are_shown_not_sent() {
    let (_guard, dir) = project();
    let text = OURS.replace(
        "/// Internal policy P-7.",
        "/// Internal policy P-7.\u{1b}[2J\u{202e}\n\t// indented by a tab",
    );
    write(&dir, "ours.proviso", &text);
    let run = show(&dir, &["ours/owner-set", "--policy", "ours.proviso"]);
    assert_eq!(run.code, 0, "{run}");
    assert!(
        run.stdout
            .contains("/// Internal policy P-7.\\x1b[2J\\u{202e}\n\t// indented by a tab\n"),
        "{run}"
    );
    assert!(!run.stdout.contains('\u{1b}') && !run.stdout.contains('\u{202e}'));
}
