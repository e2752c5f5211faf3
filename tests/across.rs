//! Rules across manifests, through the binary: `repo/unique-partner-id`
//! and rules of one's own over `manifests`, in the line, JSON and SARIF
//! formats, with waivers.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use common::{edit, Run, COMPLIANT};
use serde_json::Value;
use std::path::Path;
use std::process::Command;

fn proviso(dir: &Path, args: &[&str]) -> Run {
    let out = Command::new(env!("CARGO_BIN_EXE_proviso"))
        .current_dir(dir)
        .arg("check")
        .args(args)
        .args(["--as-of", "2018-12-18"])
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    Run::of(out)
}

/// The compliant manifest, as the partner `id`.
fn partner(id: &str) -> String {
    edit(COMPLIANT, "  id: spotify\n", &format!("  id: {id}\n"))
}

fn dir_with(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for (name, text) in files {
        let path = dir.path().join(name);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }
    dir
}

#[test]
fn a_repeated_partner_id_is_found_at_the_repetition_with_the_first_beside_it() {
    let (a, b, c) = (partner("acme"), partner("acme"), partner("other"));
    let dir = dir_with(&[("a.yaml", &a), ("b.yaml", &b), ("c.yaml", &c)]);
    let run = proviso(dir.path(), &[".", "--format", "short"]);
    assert_eq!(run.code, 1, "{run}");
    let lines: Vec<&str> = run.stdout.lines().collect();
    assert_eq!(
        lines,
        ["b.yaml:4:7: error[repo/unique-partner-id]: another manifest already uses this partner id (see also a.yaml:4:7)"],
        "{run}"
    );
    assert!(
        run.stderr
            .starts_with("checked 3 manifests against 20 rules: 1 error,"),
        "{run}"
    );

    // Without the repetition, nothing.
    let dir = dir_with(&[("a.yaml", &a), ("c.yaml", &c)]);
    let run = proviso(dir.path(), &[".", "--format", "short"]);
    assert_eq!((run.code, run.stdout.as_str()), (0, ""), "{run}");
}

#[test]
fn each_repetition_is_a_finding_of_its_own_file() {
    let x = partner("acme");
    let dir = dir_with(&[("a.yaml", &x), ("b/b.yaml", &x), ("c.yaml", &x)]);
    let run = proviso(dir.path(), &[".", "--format", "short"]);
    let lines: Vec<&str> = run.stdout.lines().collect();
    assert_eq!(lines.len(), 2, "{run}");
    assert!(
        lines[0].starts_with("b/b.yaml:4:7: error[repo/unique-partner-id]"),
        "{run}"
    );
    assert!(lines[0].ends_with("(see also a.yaml:4:7)"), "{run}");
    assert!(
        lines[1].starts_with("c.yaml:4:7: error[repo/unique-partner-id]"),
        "{run}"
    );
    assert!(lines[1].ends_with("(see also a.yaml:4:7)"), "{run}");
}

#[test]
fn json_and_sarif_carry_the_other_manifest() {
    let x = partner("acme");
    let dir = dir_with(&[("a.yaml", &x), ("b.yaml", &x)]);
    let run = proviso(dir.path(), &[".", "--format", "json"]);
    let doc: Value = serde_json::from_str(&run.stdout).unwrap();
    let findings = doc["findings"].as_array().unwrap();
    assert_eq!(findings.len(), 1, "{run}");
    let f = &findings[0];
    assert_eq!(f["rule"], "repo/unique-partner-id");
    assert_eq!(f["location"]["path"], "b.yaml");
    assert_eq!(f["location"]["pointer"], "/partner/id");
    assert_eq!(f["related"][0]["location"]["path"], "a.yaml");
    assert_eq!(f["related"][0]["location"]["line"], 4);
    assert_eq!(f["related"][0]["location"]["pointer"], "/partner/id");
    assert_eq!(f["related"][0]["label"], "`acme` first appears here");

    let run = proviso(dir.path(), &[".", "--format", "sarif"]);
    let doc: Value = serde_json::from_str(&run.stdout).unwrap();
    let result = &doc["runs"][0]["results"][0];
    assert_eq!(result["ruleId"], "repo/unique-partner-id");
    let related = result["relatedLocations"].as_array().unwrap();
    assert!(
        related.iter().any(|r| {
            r["physicalLocation"]["artifactLocation"]["uri"] == "a.yaml"
                && r["physicalLocation"]["region"]["startLine"] == 4
        }),
        "{related:#?}"
    );
}

#[test]
fn the_line_formats_and_junit_name_the_other_manifest() {
    let x = partner("acme");
    let dir = dir_with(&[("a.yaml", &x), ("b.yaml", &x)]);
    for format in ["github", "junit"] {
        let run = proviso(dir.path(), &[".", "--format", format]);
        assert_eq!(run.code, 1, "{run}");
        assert!(
            run.stdout.contains("(see also a.yaml:4:7)"),
            "{format}: {run}"
        );
    }
    let run = proviso(dir.path(), &[".", "--format", "human"]);
    assert!(
        run.stdout.contains("also: `acme` first appears here"),
        "{run}"
    );
    assert!(run.stdout.contains("[a.yaml:4:7]"), "{run}");
    assert!(run.stdout.contains("[b.yaml:4:7]"), "{run}");
}

#[test]
fn a_waiver_in_the_manifest_the_finding_lands_in_covers_it() {
    let x = partner("acme");
    let waived = format!(
        "{x}waivers:\n  - rule: repo/unique-partner-id\n    reason: the two manifests are merged next quarter\n    approved_by: privacy-council\n    expires: 2019-03-01\n"
    );
    let dir = dir_with(&[("a.yaml", &x), ("b.yaml", &waived)]);
    let run = proviso(dir.path(), &[".", "--format", "short"]);
    assert_eq!(run.code, 0, "{run}");
    assert!(
        run.stdout
            .contains("b.yaml:4:7: error[repo/unique-partner-id]"),
        "{run}"
    );
    assert!(run.stdout.contains("(waived until 2019-03-01"), "{run}");
    // The waiver is not "unused" although the manifest's own rules ran
    // before the rule across manifests.
    assert!(!run.stdout.contains("waiver-unused"), "{run}");

    // In the other manifest (the first to use the id), the same waiver
    // covers nothing: it is said, and the finding fails the run.
    let dir = dir_with(&[("a.yaml", &waived), ("b.yaml", &x)]);
    let run = proviso(dir.path(), &[".", "--format", "short"]);
    assert_eq!(run.code, 1, "{run}");
    assert!(
        run.stdout
            .contains("b.yaml:4:7: error[repo/unique-partner-id]"),
        "{run}"
    );
    assert!(run.stdout.contains("a.yaml:"), "{run}");
    assert!(
        run.stdout.contains("warning[proviso/waiver-unused]"),
        "{run}"
    );
}

#[test]
fn every_repetition_is_reported_however_many() {
    let x = partner("acme");
    let names: Vec<String> = (0..40).map(|i| format!("m{i:02}.yaml")).collect();
    let files: Vec<(&str, &str)> = names.iter().map(|n| (n.as_str(), x.as_str())).collect();
    let dir = dir_with(&files);
    let run = proviso(dir.path(), &[".", "--format", "short"]);
    assert_eq!(run.stdout.lines().count(), 39, "{run}");
}

#[test]
fn a_broken_manifest_is_not_counted_and_stops_nothing() {
    let x = partner("acme");
    let broken = edit(&x, "kind: integration_partner", "kind: integration_partnr");
    let dir = dir_with(&[("a.yaml", &x), ("b.yaml", &broken)]);
    let run = proviso(dir.path(), &[".", "--format", "short"]);
    assert_eq!(run.code, 1, "{run}");
    let lines: Vec<&str> = run.stdout.lines().collect();
    assert_eq!(lines.len(), 1, "{run}");
    assert!(lines[0].contains("manifest/schema"), "{run}");
}

const OWN_RULES: &str = r#"
policy mine for partnership/v1

/// At most one partner may read private messages.
rule mine/message-partners {
  title    "at most one partner reads private messages"
  severity warning
  require  count(m in manifests: any g in m.grants: g.data has any [content.private_messages]) <= 1
  message  "more than one partner can read private messages"
}

/// Partner names differ.
rule mine/names {
  title    "partner names differ"
  severity note
  each m in manifests
  require count(o in manifests: o.partner.name == m.partner.name) == 1
  at      m.partner.name
  message "{m.partner.name} is the name of another partner too"
}
"#;

#[test]
fn rules_of_ones_own_range_over_every_manifest() {
    let dir = dir_with(&[
        ("a.yaml", &partner("a")),
        ("b.yaml", &partner("b")),
        (
            "c.yaml",
            &edit(&partner("c"), "name: Spotify AB", "name: Other"),
        ),
        ("own.proviso", OWN_RULES),
    ]);
    let run = proviso(
        dir.path(),
        &[".", "--policy", "own.proviso", "--format", "short"],
    );
    let lines: Vec<&str> = run.stdout.lines().collect();
    // The second and third message readers are past the limit: each gets a
    // finding of its own (at the value that made it count, the others
    // beside it), and the two partners named alike are each told of the
    // other.
    assert_eq!(
        lines,
        [
            "a.yaml:5:9: note[mine/names]: Spotify AB is the name of another partner too (see also b.yaml:5:9)",
            "b.yaml:5:9: note[mine/names]: Spotify AB is the name of another partner too (see also a.yaml:5:9)",
            "b.yaml:28:11: warning[mine/message-partners]: more than one partner can read private messages (see also c.yaml:28:11, a.yaml:28:11)",
            "c.yaml:28:11: warning[mine/message-partners]: more than one partner can read private messages (see also b.yaml:28:11, a.yaml:28:11)",
        ],
        "{run}"
    );
    assert!(run.stderr.contains("against 2 rules"), "{run}");
}

#[test]
fn a_rule_across_manifests_names_fields_through_a_variable() {
    let bad = r#"
policy mine for partnership/v1
rule mine/x {
  title    "x"
  severity error
  require  count(m in manifests: m.partner.kind == partner.kind) <= 1
  message  "m"
}
"#;
    let dir = dir_with(&[("a.yaml", &partner("a")), ("own.proviso", bad)]);
    let run = proviso(
        dir.path(),
        &[".", "--policy", "own.proviso", "--format", "short"],
    );
    assert_eq!(run.code, 2, "{run}");
    assert!(
        run.stderr
            .contains("`partner` is a field of each manifest, and this rule reads all of them"),
        "{run}"
    );
    assert!(
        run.stderr
            .contains("`each m in manifests`, then `m.partner.kind`"),
        "{run}"
    );
}

/// A waiver in one manifest never covers a finding about another.
#[test]
fn a_waiver_covers_only_its_own_manifest() {
    let waiver = |rule: &str| {
        format!("waivers:\n  - rule: {rule}\n    reason: testing\n    approved_by: me\n    expires: 2019-06-01\n")
    };
    // Bound to each manifest: the finding about `c` is in c.yaml, which
    // waives nothing.
    let names = r#"
policy t for partnership/v1
rule t/n {
  title    "partner names differ"
  severity error
  each m in manifests
  require  no o in manifests: o.partner.name == m.partner.name and o.partner.id != m.partner.id
  message  "{m.partner.id} has the name of another partner"
}
"#;
    let a = format!("{}{}", partner("a"), waiver("t/n"));
    let b = format!("{}{}", partner("b"), waiver("t/n"));
    let dir = dir_with(&[
        ("a.yaml", &a),
        ("b.yaml", &b),
        ("c.yaml", &partner("c")),
        ("p.proviso", names),
    ]);
    let run = proviso(
        dir.path(),
        &[".", "--policy", "p.proviso", "--format", "short"],
    );
    assert_eq!(run.code, 1, "{run}");
    let c: Vec<&str> = run
        .stdout
        .lines()
        .filter(|l| l.starts_with("c.yaml:"))
        .collect();
    assert_eq!(c.len(), 1, "{run}");
    assert!(
        c[0].contains("c has the name of another partner") && !c[0].contains("waived"),
        "{run}"
    );
    assert!(
        run.stdout.lines().any(|l| l.starts_with("a.yaml:")
            && l.contains("a has the name")
            && l.contains("waived")),
        "{run}"
    );

    // Not bound: each manifest past the limit is a finding of its own, and
    // the waiver of the first silences only that one.
    let kinds = r#"
policy t for partnership/v1
rule t/k {
  title    "at most one integration partner"
  severity error
  require  count(m in manifests: m.partner.kind == integration_partner) <= 1
  message  "more than one integration partner"
}
"#;
    let b = format!("{}{}", partner("b"), waiver("t/k"));
    let dir = dir_with(&[
        ("a.yaml", &partner("a")),
        ("b.yaml", &b),
        ("c.yaml", &partner("c")),
        ("p.proviso", kinds),
    ]);
    let run = proviso(
        dir.path(),
        &[".", "--policy", "p.proviso", "--format", "short"],
    );
    assert_eq!(run.code, 1, "{run}");
    let lines: Vec<&str> = run.stdout.lines().collect();
    assert_eq!(lines.len(), 2, "{run}");
    assert!(
        lines[0].starts_with("b.yaml:") && lines[0].contains("waived"),
        "{run}"
    );
    assert!(
        lines[1].starts_with("c.yaml:") && !lines[1].contains("waived"),
        "{run}"
    );
}
