#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]
//! `proviso schema --json-schema`: the JSON Schema an editor validates
//! manifests with says what the loader says. Manifests are read as an
//! editor's YAML library reads them (serde_yaml into JSON values) and
//! validated with a draft-07 validator, which checks the schema itself
//! first; the loader's verdict on the same text is the reference.
//!
//! - Every manifest the loader accepts, the bundled examples and the rule
//!   cases, validates (findings of rules are not schema errors).
//! - The manifests of `tests/manifest_errors/` are rejected, each for the
//!   error it was written for, unless YAML itself cannot be read.
//! - Edits of one manifest, accepted or rejected, get the same verdict from
//!   both.

mod common;

use common::{edit, COMPLIANT};
use proviso::check::Program;
use proviso::json_schema::json_schema;
use proviso::manifest::load::{load, Loaded};
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::Command;

fn program() -> Program {
    proviso::shipped::program().unwrap()
}

fn validator(schema: &Value) -> jsonschema::Validator {
    jsonschema::draft7::options()
        .should_validate_formats(true)
        .build(schema)
        .unwrap()
}

fn shipped() -> (Program, jsonschema::Validator) {
    let program = program();
    let schema = json_schema(&program, "partnership/v1").unwrap();
    let validator = validator(&schema);
    (program, validator)
}

/// The manifest as an editor's YAML library hands it to the validator;
/// `None` when YAML does not read it (duplicate keys, broken syntax).
fn as_json(text: &str) -> Option<Value> {
    serde_yaml::from_str(text).ok()
}

/// Whether the loader reads the text as a manifest without a schema error.
fn loader_accepts(program: &Program, text: &str) -> bool {
    matches!(load(text, &program.types), Loaded::Manifest { issues, .. } if issues.is_empty())
}

/// The JSON Schema's errors for the text, as `keyword at /pointer`.
fn errors(validator: &jsonschema::Validator, text: &str) -> Vec<String> {
    let value = as_json(text).unwrap_or_else(|| panic!("YAML does not read:\n{text}"));
    validator
        .iter_errors(&value)
        .map(|e| format!("{} at {}", e.kind().keyword(), e.instance_path()))
        .collect()
}

fn yaml_files(dir: &str) -> Vec<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join(dir);
    let mut files: Vec<PathBuf> = walkdir::WalkDir::new(root)
        .into_iter()
        .map(|e| e.unwrap().into_path())
        .filter(|p| p.extension().is_some_and(|e| e == "yaml"))
        .collect();
    files.sort();
    files
}

#[test]
fn every_example_manifest_validates() {
    let (program, validator) = shipped();
    let files = yaml_files("examples");
    assert!(files.len() >= 16, "{files:?}");
    for path in files {
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(loader_accepts(&program, &text), "{}", path.display());
        let errors = errors(&validator, &text);
        assert!(errors.is_empty(), "{}: {errors:?}", path.display());
    }
}

#[test]
fn every_rule_case_the_loader_accepts_validates() {
    let (program, validator) = shipped();
    let mut validated = 0;
    for path in yaml_files("tests/rules") {
        let text = std::fs::read_to_string(&path).unwrap();
        if !loader_accepts(&program, &text) {
            continue;
        }
        let errors = errors(&validator, &text);
        assert!(errors.is_empty(), "{}: {errors:?}", path.display());
        validated += 1;
    }
    assert!(validated >= 100, "only {validated} rule cases validated");
}

#[test]
fn the_manifest_error_cases_are_rejected_for_their_error() {
    let (program, validator) = shipped();
    // The errors of each case, one where the loader reports one (and
    // `required` beside an unknown key the loader takes for a misspelling
    // of the missing field); `None` where JSON Schema cannot tell: YAML
    // does not read the file, or, for a duplicate key, reads it by keeping
    // one of the values.
    let expected: &[(&str, Option<&[&str]>)] = &[
        (
            "bad-date-and-duration",
            Some(&[
                "pattern at /agreements/0/signed",
                "anyOf at /grants/0/retention",
            ]),
        ),
        ("duplicate-key", None),
        ("invalid-yaml", None),
        ("list-of-wrong-shape", Some(&["type at /grants/0/subjects"])),
        (
            "map-key-not-an-operation",
            Some(&["propertyNames at /grants/0/necessity"]),
        ),
        ("missing-field", Some(&["required at /grants/0"])),
        ("missing-top-level-field", Some(&["required at "])),
        (
            "misspelled-schema-key",
            Some(&["required at ", "additionalProperties at "]),
        ),
        (
            "non-ascii-before-error",
            Some(&[
                "additionalProperties at /features/0",
                "propertyNames at /grants/0/necessity",
            ]),
        ),
        (
            "unknown-enum-value",
            Some(&[
                "enum at /grants/0/data/0",
                "enum at /grants/0/consent/mechanism",
            ]),
        ),
        (
            "unknown-key",
            Some(&["required at /grants/0", "additionalProperties at /grants/0"]),
        ),
        ("unknown-schema", Some(&["enum at /schema"])),
        (
            "wrong-type",
            Some(&[
                "type at /grants/0/consent/recorded",
                "type at /grants/0/monthly_users",
            ]),
        ),
    ];
    let files = yaml_files("tests/manifest_errors");
    assert_eq!(files.len(), expected.len(), "{files:?}");
    for (path, (name, expected)) in files.iter().zip(expected) {
        assert_eq!(path.file_stem().unwrap(), *name);
        let text = std::fs::read_to_string(path).unwrap();
        assert!(!loader_accepts(&program, &text), "{name}");
        match expected {
            Some(expected) => assert_eq!(errors(&validator, &text), *expected, "{name}"),
            None => {
                if as_json(&text).is_some() {
                    assert_eq!(errors(&validator, &text), Vec::<String>::new(), "{name}");
                }
            }
        }
    }
}

#[test]
fn an_unknown_key_a_wrong_value_a_missing_field_and_a_wrong_type_are_rejected() {
    let (_, validator) = shipped();
    assert_eq!(errors(&validator, COMPLIANT), Vec::<String>::new());
    let cases = [
        (
            edit(COMPLIANT, "    storage:", "    storgae:"),
            vec!["required at /grants/0", "additionalProperties at /grants/0"],
        ),
        (
            edit(
                COMPLIANT,
                "mechanism: per_scope_opt_in",
                "mechanism: opt_in",
            ),
            vec!["enum at /grants/0/consent/mechanism"],
        ),
        (
            edit(COMPLIANT, "  access_logs: true\n", ""),
            vec!["required at /governance"],
        ),
        (
            edit(COMPLIANT, "own_purpose_use: false", "own_purpose_use: no"),
            vec!["type at /own_purpose_use"],
        ),
    ];
    for (text, expected) in cases {
        assert_eq!(errors(&validator, &text), expected, "{text}");
    }
}

/// Edits of the compliant manifest and whether the loader accepts them,
/// which the JSON Schema must agree with.
#[test]
fn the_schema_agrees_with_the_loader_on_edge_cases() {
    let (program, validator) = shipped();
    let cases: &[(&str, &str, bool)] = &[
        // Optional values may be left empty or `null`.
        ("    expires: 2019-06-01", "    expires: ~", true),
        ("    expires: 2019-06-01", "    expires:", true),
        ("    revoked: 2018-12-01", "    revoked: null", true),
        ("transfers:\n  - country: US\n    mechanism: sccs\n", "transfers:\n", true),
        ("transfers:\n  - country: US\n    mechanism: sccs\n", "transfers: []\n", true),
        // Required ones may not.
        ("    signed: 2010-06-01", "    signed: ~", false),
        ("access_logs: true", "access_logs: ~", false),
        // Dates are days of the calendar.
        ("    signed: 2010-06-01", "    signed: 2000-02-29", true),
        ("    signed: 2010-06-01", "    signed: 1900-02-29", false),
        ("    signed: 2010-06-01", "    signed: 2010-6-01", false),
        ("    signed: 2010-06-01", "    signed: \"2010-06-01\"", true),
        // Durations are days or weeks.
        ("    retention: 30d", "    retention: 2w", true),
        ("    retention: 30d", "    retention: 30", false),
        ("    retention: 30d", "    retention: 1m", false),
        // Ints: YAML's forms, bounds.
        ("monthly_users: 70000000", "monthly_users: 0x10", true),
        ("monthly_users: 70000000", "monthly_users: 0", true),
        ("monthly_users: 70000000", "monthly_users: -1", false),
        ("monthly_users: 70000000", "monthly_users: 7.5", false),
        ("monthly_users: 70000000", "monthly_users: \"7\"", false),
        (
            "monthly_users: 70000000",
            "monthly_users: 9223372036854775807",
            true,
        ),
        (
            "monthly_users: 70000000",
            "monthly_users: 9223372036854775808",
            false,
        ),
        // Booleans are YAML 1.2's.
        ("recorded: true", "recorded: True", true),
        ("recorded: true", "recorded: yes", false),
        ("recorded: true", "recorded: \"true\"", false),
        // Strings are whatever YAML reads as one.
        ("  name: Spotify AB", "  name: \"123\"", true),
        ("  name: Spotify AB", "  name: 007", true),
        ("  name: Spotify AB", "  name: 123", false),
        ("  name: Spotify AB", "  name: no", true),
        ("  name: Spotify AB", "  name: ~", false),
        // Enum values: `NO` is Norway in YAML 1.2; a branch is not a value.
        ("  country: SE", "  country: NO", true),
        ("  country: SE", "  country: se", false),
        (
            "data: [content.private_messages, content.message_participants]",
            "data: [content]",
            false,
        ),
        (
            "data: [content.private_messages, content.message_participants]",
            "data: [special.health]",
            true,
        ),
        (
            "data: [content.private_messages, content.message_participants]",
            "data: [content.private_messages, ~]",
            false,
        ),
        // A map's keys are enum values; it may be empty.
        (
            "      delete: remove a message the user deleted in Spotify\n",
            "      export: a copy\n",
            true,
        ),
        (
            "      delete: remove a message the user deleted in Spotify\n",
            "      erase: a copy\n",
            false,
        ),
        (
            "      delete: remove a message the user deleted in Spotify\n",
            "      delete: 3\n",
            false,
        ),
        // Records are closed.
        ("  country: SE", "  country: SE\n  city: Stockholm", false),
        ("schema: partnership/v1", "schema: partnership/v2", false),
        // Waivers: a rule that is not loaded is a finding, not a schema
        // error; a blank reason is a schema error.
        (
            "governance:",
            "waivers:\n  - rule: nobody/knows\n    reason: r\n    approved_by: a\n    expires: 2019-01-01\ngovernance:",
            true,
        ),
        (
            "governance:",
            "waivers:\n  - rule: gdpr/retention\n    grant: ~\n    reason: \"  ün  \"\n    approved_by: \"7\"\n    expires: 2019-01-01\ngovernance:",
            true,
        ),
        (
            "governance:",
            "waivers:\n  - rule: gdpr/retention\n    reason: \" - \"\n    approved_by: a\n    expires: 2019-01-01\ngovernance:",
            false,
        ),
        (
            "governance:",
            "waivers:\n  - rule: gdpr/retention\n    reason: \"\u{3164}\"\n    approved_by: a\n    expires: 2019-01-01\ngovernance:",
            false,
        ),
        (
            "governance:",
            "waivers:\n  - rule: gdpr/retention\n    reason: ok\n    approved_by: a\ngovernance:",
            false,
        ),
    ];
    for (from, to, accepted) in cases {
        let text = edit(COMPLIANT, from, to);
        assert_eq!(
            loader_accepts(&program, &text),
            *accepted,
            "the loader on `{to}`"
        );
        let errors = errors(&validator, &text);
        assert_eq!(
            errors.is_empty(),
            *accepted,
            "the JSON Schema on `{to}`: {errors:?}"
        );
    }
}

#[test]
fn the_shipped_schema_as_json_schema() {
    let schema = json_schema(&program(), "partnership/v1").unwrap();
    insta::assert_snapshot!(serde_json::to_string_pretty(&schema).unwrap());
}

/// A schema of one's own, with what the shipped one does not use: a
/// nested taxonomy with doc comments on its values, a map keyed by dates,
/// an optional record, and bounds on both sides.
const VENDOR: &str = "\
/// A vendor, version 1.
schema vendor/v1 {
  /// Who.
  vendor: Vendor
  contact: Vendor?
  fees: map<date, int>
  data: [Data]
}

record Vendor {
  name: string not blank
  staff: int >= 1 <= 500
}

/// Kinds of data.
enum Data {
  usage {
    /// Pages seen.
    clicks
    sessions
    deep { trace }
  }
  /// Not a branch.
  other
}
";

fn vendor() -> Program {
    proviso::check::compile(&[proviso::source::Source::new("vendor.proviso", VENDOR)]).unwrap()
}

#[test]
fn a_schema_of_ones_own() {
    let program = vendor();
    let schema = json_schema(&program, "vendor/v1").unwrap();
    let defs = &schema["definitions"];
    assert_eq!(schema["title"], "vendor/v1");
    assert_eq!(schema["description"], "A vendor, version 1.");
    assert_eq!(schema["properties"]["vendor"]["description"], "Who.");
    assert_eq!(
        defs["Data"]["enum"],
        serde_json::json!([
            "usage.clicks",
            "usage.sessions",
            "usage.deep.trace",
            "other"
        ])
    );
    assert_eq!(
        defs["Data"]["enumDescriptions"],
        serde_json::json!([
            "Pages seen.",
            "Kinds of data.",
            "Kinds of data.",
            "Not a branch."
        ])
    );
    let validator = validator(&schema);
    let manifest = "\
schema: vendor/v1
vendor: {name: Acme, staff: 3}
contact: ~
fees: {2019-01-01: 3}
data: [usage.deep.trace, other]
";
    let cases = [
        (manifest.to_string(), true),
        (manifest.replace("staff: 3", "staff: 0"), false),
        (manifest.replace("staff: 3", "staff: 500"), true),
        (manifest.replace("staff: 3", "staff: 501"), false),
        (
            manifest.replace("contact: ~", "contact: {name: B, staff: 1}"),
            true,
        ),
        (manifest.replace("contact: ~", "contact: {name: B}"), false),
        (manifest.replace("2019-01-01: 3", "2019-02-30: 3"), false),
        (manifest.replace("2019-01-01: 3", "2019-01-01: x"), false),
        (manifest.replace("usage.deep.trace", "usage.deep"), false),
        (manifest.replace("name: Acme", "name: \"\""), false),
    ];
    for (text, accepted) in cases {
        assert_eq!(
            loader_accepts(&program, &text),
            accepted,
            "the loader on:\n{text}"
        );
        let errors = errors(&validator, &text);
        assert_eq!(errors.is_empty(), accepted, "{text}: {errors:?}");
    }
}

/// `proviso ARGS` in the repository, with its exit code, stdout, stderr.
fn proviso(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_proviso"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .unwrap();
    (
        out.status.code().unwrap(),
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    )
}

#[test]
fn the_command_writes_the_shipped_schema() {
    let expected = json_schema(&program(), "partnership/v1").unwrap();
    for args in [
        &["schema", "--json-schema"][..],
        &["schema", "partnership/v1", "--json-schema"],
    ] {
        let (code, stdout, stderr) = proviso(args);
        assert_eq!(code, 0, "{args:?}: {stderr}");
        let written: Value = serde_json::from_str(&stdout).unwrap();
        assert_eq!(written, expected, "{args:?}");
        assert_eq!(
            stdout,
            format!("{}\n", serde_json::to_string_pretty(&expected).unwrap())
        );
    }
}

#[test]
fn an_unknown_schema_name_fails_with_a_suggestion() {
    let (code, stdout, stderr) = proviso(&["schema", "partnersihp/v1", "--json-schema"]);
    assert_eq!(code, 2);
    assert_eq!(stdout, "");
    assert_eq!(
        stderr,
        "error: unknown schema `partnersihp/v1`\nhelp: did you mean `partnership/v1`?\n"
    );
    let (code, _, stderr) = proviso(&["schema", "vendor/v1\u{1b}[2K", "--json-schema"]);
    assert_eq!(code, 2);
    assert_eq!(
        stderr,
        "error: unknown schema `vendor/v1\\x1b[2K`\nhelp: the loaded schemas are: partnership/v1\n"
    );
}

#[test]
fn without_a_name_the_only_schema_is_written_or_the_names_are_listed() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("vendor.proviso");
    std::fs::write(&file, VENDOR).unwrap();
    let file = file.to_str().unwrap();
    let (code, stdout, _) = proviso(&["schema", "--json-schema", "--policy", file]);
    assert_eq!(code, 0);
    let written: Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(written, json_schema(&vendor(), "vendor/v1").unwrap());

    let (code, stdout, stderr) = proviso(&[
        "schema",
        "--json-schema",
        "--policy",
        file,
        "--policy",
        "policies",
    ]);
    assert_eq!(code, 2);
    assert_eq!(stdout, "");
    assert!(
        stderr.ends_with(
            "error: the policies declare 2 schemas; name the one to write\nhelp: the loaded schemas are: vendor/v1, partnership/v1\n"
        ),
        "{stderr}"
    );
}

#[test]
fn json_schema_is_the_format_and_must_be_asked_for() {
    let (code, stdout, stderr) = proviso(&["schema", "partnership/v1"]);
    assert_eq!(code, 2);
    assert_eq!(stdout, "");
    assert!(stderr.contains("--json-schema"), "{stderr}");
}

#[test]
fn a_policy_that_does_not_check_fails_the_command() {
    let dir = tempfile::tempdir().unwrap();
    let broken = dir.path().join("broken.proviso");
    std::fs::write(&broken, "schema broken/v1 {\n  a: Nothing\n}\n").unwrap();
    let (code, stdout, stderr) = proviso(&[
        "schema",
        "--json-schema",
        "--policy",
        broken.to_str().unwrap(),
    ]);
    assert_eq!(code, 2);
    assert_eq!(stdout, "");
    assert!(stderr.contains("unknown type `Nothing`"), "{stderr}");
}

#[test]
fn a_recursive_record_and_a_root_field_named_schema() {
    let policy = "\
schema tree/v1 {
  schema: string?
  root: Node
}

record Node {
  name: string
  children: [Node]?
}
";
    let program =
        proviso::check::compile(&[proviso::source::Source::new("tree.proviso", policy)]).unwrap();
    let schema = json_schema(&program, "tree/v1").unwrap();
    assert_eq!(
        schema["properties"]["schema"]["enum"],
        serde_json::json!(["tree/v1"])
    );
    assert_eq!(
        schema["definitions"]["Node"]["properties"]["children"]["items"]["$ref"],
        "#/definitions/Node"
    );
    let validator = validator(&schema);
    let manifest = "\
schema: tree/v1
root:
  name: a
  children:
    - name: b
      children: [{name: c}]
";
    for (text, accepted) in [
        (manifest.to_string(), true),
        (manifest.replace("{name: c}", "{name: c, x: 1}"), false),
        (manifest.replace("{name: c}", "{}"), false),
    ] {
        assert_eq!(loader_accepts(&program, &text), accepted, "{text}");
        assert_eq!(errors(&validator, &text).is_empty(), accepted, "{text}");
    }
}
