#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]
//! The VS Code extension of `editors/vscode/`, read by Node.js as VS Code
//! reads it. `tests/vscode/problem-matcher.js` takes the problem matcher
//! `$proviso` from the extension's package.json and applies it, as VS
//! Code's task system does, to the real output of `proviso check --format
//! short --column-unit utf16`: every line must become a problem with the
//! file, line, column, severity, code and message of its finding, which
//! `--format json` of the same run gives. `tests/vscode/extension-host.js`
//! activates the extension with stand-ins for VS Code and its language
//! client, and reports how it starts the language server. `.ci/run`
//! installs Node.js (Debian's `nodejs`) and packages the extension.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use common::Run;
use serde_json::Value;

fn repo() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// Runs a script of `tests/vscode/` with Node.js and returns its stdout.
fn node(script: &str, args: &[&Path]) -> String {
    let version = Command::new("node").arg("--version").output();
    assert!(
        version.is_ok_and(|o| o.status.success()),
        "Node.js is needed for this test, as `node` on PATH: `apt-get install -y nodejs` (.ci/run installs it)"
    );
    let out = Command::new("node")
        .arg(repo().join("tests/vscode").join(script))
        .args(args)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "node {script} failed:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

fn proviso(dir: &Path, args: &[&str]) -> Run {
    Run::of(
        Command::new(env!("CARGO_BIN_EXE_proviso"))
            .args(args)
            .current_dir(dir)
            .output()
            .unwrap(),
    )
}

/// What VS Code makes of each line of `output` with the problem matcher
/// `proviso`, the task having run in `workspace`: `None` for a line that is
/// no problem.
fn problems(workspace: &Path, output: &str) -> Vec<Option<Value>> {
    let lines = tempfile::NamedTempFile::new().unwrap();
    std::fs::write(lines.path(), output).unwrap();
    let package = repo().join("editors/vscode/package.json");
    let json = node("problem-matcher.js", &[&package, workspace, lines.path()]);
    let parsed: Vec<Value> = serde_json::from_str(&json).unwrap();
    assert_eq!(parsed.len(), output.lines().count(), "{json}");
    parsed
        .into_iter()
        .map(|p| if p.is_null() { None } else { Some(p) })
        .collect()
}

/// The 1-based column, in UTF-16 code units, of the character at the
/// 1-based `column` (in characters) of `line` in `file`.
fn utf16_column(file: &Path, line: u64, column: u64) -> u64 {
    let text = std::fs::read_to_string(file).unwrap();
    let line = text.lines().nth(line as usize - 1).unwrap();
    let before: usize = line
        .chars()
        .take(column as usize - 1)
        .map(char::len_utf16)
        .sum();
    before as u64 + 1
}

/// Runs `proviso check ARGS` in `dir` with `--format short --column-unit
/// utf16` and with `--format json`, and checks that the problem matcher
/// turns every short line into the problem of the same JSON finding, and
/// the summary line on stderr into none. Returns the problems.
fn matched_as_json_says(dir: &Path, args: &[&str]) -> Vec<Value> {
    let short = proviso(
        dir,
        &[
            &["check", "--format", "short", "--column-unit", "utf16"],
            args,
        ]
        .concat(),
    );
    assert_eq!(short.code, 1, "{short}");
    let json = proviso(dir, &[&["check", "--format", "json"], args].concat());
    assert_eq!(json.code, 1, "{json}");
    let findings: Value = serde_json::from_str(&json.stdout).unwrap();
    let findings = findings["findings"].as_array().unwrap();

    let matched = problems(dir, &short.stdout);
    assert_eq!(matched.len(), findings.len(), "{short}");
    let mut out = Vec::new();
    for ((line, problem), finding) in short.stdout.lines().zip(matched).zip(findings) {
        let problem = problem.unwrap_or_else(|| panic!("the problem matcher skips\n{line}"));
        let location = &finding["location"];
        let path = location["path"].as_str().unwrap();
        let file = dir.join(path);
        assert_eq!(problem["file"], path, "{line}");
        assert_eq!(
            PathBuf::from(problem["resource"].as_str().unwrap()),
            file,
            "{line}"
        );
        assert!(file.is_file(), "{line}: no file at {}", file.display());
        assert_eq!(problem["line"], location["line"], "{line}");
        let column = utf16_column(
            &file,
            location["line"].as_u64().unwrap(),
            location["column"].as_u64().unwrap(),
        );
        assert_eq!(problem["column"], column, "{line}");
        let severity = match finding["severity"].as_str().unwrap() {
            "note" => "info",
            other => other,
        };
        assert_eq!(problem["severity"], severity, "{line}");
        assert_eq!(problem["code"], finding["rule"], "{line}");
        let message = problem["message"].as_str().unwrap();
        assert!(
            message.starts_with(finding["message"].as_str().unwrap()),
            "{line}: the message is `{message}`"
        );
        assert_eq!(problem["owner"], "proviso");
        out.push(problem);
    }
    let summary = problems(dir, &short.stderr);
    assert!(
        summary.iter().all(Option::is_none),
        "a problem made of the summary: {}",
        short.stderr
    );
    out
}

#[test]
fn problem_matcher_reads_every_finding_of_the_examples() {
    let problems = matched_as_json_says(repo(), &["examples/", "--as-of", "2018-12-18"]);
    assert!(problems.len() > 40, "{problems:?}");
    for severity in ["error", "warning"] {
        assert!(
            problems.iter().any(|p| p["severity"] == severity),
            "no {severity} among the examples' findings"
        );
    }
}

const LINE: &str = "partner: {name: \"Zoë 漢 😀\", kind: integraton_partner}";

/// Two rules of a team's own: a warning and a note, both blaming values
/// after accents, CJK and an emoji on their line.
const LOCAL: &str = "\
policy local for partnership/v1

/// The partner's country is reviewed by hand.
rule local/country-review {
  title    \"the partner's country is reviewed by hand\"
  severity warning
  require  partner.country != NO
  message  \"{partner.name} is based in {partner.country}: review by hand\"
}

/// Integration partners are listed for the yearly review.
rule local/integration-listed {
  title    \"integration partners are listed for the yearly review\"
  severity note
  require  partner.kind != integration_partner
  message  \"{partner.name} is an integration partner\"
}
";

/// The compliant Nordlys example with its partner on one line, after a
/// name in several scripts.
fn nordlys() -> String {
    let text =
        std::fs::read_to_string(repo().join("examples/compliant/nordlys-music.yaml")).unwrap();
    common::edit(
        &text,
        "partner:
  id: nordlys-music
  name: Nordlys Musikk AS
  kind: integration_partner
  country: \"NO\"
  owner: partnerships@platform.example
",
        "partner: {id: nordlys-music, name: \"Nordlys Musikk — Zoë 漢 😀\", kind: integration_partner, country: \"NO\", owner: partnerships@platform.example}\n",
    )
}

/// VS Code counts columns in UTF-16 code units: with `--column-unit
/// utf16`, a problem starts on its value whatever precedes it on the line.
#[test]
fn problem_matcher_places_values_after_non_ascii_text() {
    let dir = common::fenced_tempdir();
    std::fs::write(
        dir.path().join("m1.yaml"),
        format!("schema: partnership/v1\n{LINE}\n"),
    )
    .unwrap();
    std::fs::write(dir.path().join("m2.yaml"), nordlys()).unwrap();
    std::fs::write(dir.path().join("local.proviso"), LOCAL).unwrap();
    let problems = matched_as_json_says(
        dir.path(),
        &[
            ".",
            "--policy",
            "builtin",
            "--policy",
            "local.proviso",
            "--as-of",
            "2018-12-18",
        ],
    );

    let value = LINE.find("integraton_partner").unwrap();
    let kind = problems
        .iter()
        .find(|p| {
            p["message"]
                .as_str()
                .unwrap()
                .contains("integraton_partner")
        })
        .unwrap();
    assert_eq!(kind["file"], "m1.yaml");
    assert_eq!(kind["line"], 2);
    assert_eq!(kind["column"], LINE[..value].encode_utf16().count() + 1);
    assert_eq!(kind["severity"], "error");
    assert_eq!(kind["code"], "manifest/schema");
    assert_eq!(
        kind["message"],
        "`integraton_partner` is not a value of `PartnerKind`; did you mean `integration_partner`?"
    );

    let line = nordlys()
        .lines()
        .find(|l| l.contains("Zoë"))
        .unwrap()
        .to_owned();
    let utf16 = |text: &str| line[..line.find(text).unwrap()].encode_utf16().count() + 1;
    let warning = problems
        .iter()
        .find(|p| p["code"] == "local/country-review")
        .unwrap();
    assert_eq!(warning["severity"], "warning");
    assert_eq!(warning["column"], utf16("\"NO\""));
    assert_eq!(
        warning["message"],
        "Nordlys Musikk — Zoë 漢 😀 is based in NO: review by hand"
    );
    let note = problems
        .iter()
        .find(|p| p["code"] == "local/integration-listed")
        .unwrap();
    assert_eq!(note["severity"], "info");
    assert_eq!(note["column"], utf16("integration_partner"));
    assert_eq!(
        note["message"],
        "Nordlys Musikk — Zoë 漢 😀 is an integration partner"
    );
}

/// A policy with errors: each error line on stderr is a problem without a
/// code, placed in UTF-16 code units too; the line that counts them is not.
#[test]
fn problem_matcher_reads_policy_errors() {
    let policy = "\
policy broken for partnership/v1

/// A rule whose title is followed, on its line, by a misspelt field.
rule broken/country {
  title \"Zoë 漢 😀\" severity error require partner.contry == SE
  message \"{partner.name}\"
}

/// A rule with a value no enum has.
rule broken/kind {
  title    \"the kind of partner\"
  severity error
  require  partner.kind == integraton_partner
  message  \"{partner.name}\"
}
";
    let dir = common::fenced_tempdir();
    std::fs::write(dir.path().join("m2.yaml"), nordlys()).unwrap();
    std::fs::write(dir.path().join("bad.proviso"), policy).unwrap();
    let run = proviso(
        dir.path(),
        &[
            "check",
            "--format",
            "short",
            "--column-unit",
            "utf16",
            "--policy",
            "builtin",
            "--policy",
            "bad.proviso",
            ".",
        ],
    );
    assert_eq!(run.code, 2, "{run}");
    assert_eq!(run.stdout, "", "{run}");
    let lines: Vec<&str> = run.stderr.lines().collect();
    assert_eq!(lines.len(), 3, "{run}");
    let matched = problems(dir.path(), &run.stderr);

    let column = |line: usize, text: &str| {
        let line = policy.lines().nth(line - 1).unwrap();
        line[..line.find(text).unwrap()].encode_utf16().count() + 1
    };
    let expected = [
        (
            5,
            column(5, "contry"),
            "no field `contry` in `Partner` (did you mean `country`?)",
        ),
        (
            13,
            column(13, "integraton_partner"),
            "`integraton_partner` is not a value of `PartnerKind` (did you mean `integration_partner`?)",
        ),
    ];
    for ((problem, line), (number, col, message)) in matched.iter().zip(&lines).zip(expected) {
        let problem = problem
            .as_ref()
            .unwrap_or_else(|| panic!("the problem matcher skips\n{line}"));
        assert_eq!(problem["file"], "bad.proviso", "{line}");
        assert_eq!(problem["line"], number, "{line}");
        assert_eq!(problem["column"], col, "{line}");
        assert_eq!(problem["severity"], "error", "{line}");
        assert_eq!(problem["code"], Value::Null, "{line}");
        assert_eq!(problem["message"], message, "{line}");
    }
    assert_eq!(matched[2], None, "{}", lines[2]);
}

/// The extension starts `proviso lsp` over stdio for YAML and proviso files,
/// from the executable `proviso.path` names, starts it again when the
/// setting changes, says what to do when it cannot start, and stops it on
/// deactivation.
#[test]
fn extension_starts_the_language_server_from_its_setting() {
    let events = node("extension-host.js", &[&repo().join("editors/vscode")]);
    let client = |command: &str| {
        format!(
            "client proviso (proviso): {command} [\"lsp\"] over stdio for file:yaml file:proviso"
        )
    };
    let expected = [
        client("proviso"),
        "start proviso".into(),
        "set editor.tabSize = 2".into(),
        "set proviso.path = /opt/proviso/bin/proviso".into(),
        "stop proviso".into(),
        client("/opt/proviso/bin/proviso"),
        "start /opt/proviso/bin/proviso".into(),
        "set proviso.path = provisoo".into(),
        "stop /opt/proviso/bin/proviso".into(),
        client("provisoo"),
        "start provisoo: fails".into(),
        "error message: proviso: could not start `provisoo lsp` (spawn provisoo ENOENT). \
         Put proviso on PATH, or set `proviso.path` to the executable."
            .into(),
        "deactivated".into(),
        "set proviso.path = proviso".into(),
        client("proviso"),
        "start proviso".into(),
        "stop proviso".into(),
        "deactivated".into(),
    ];
    assert_eq!(events.lines().collect::<Vec<_>>(), expected, "{events}");
}

/// What VS Code reads from package.json: activation, the `proviso`
/// language and its files, the setting, and the problem matcher's name and
/// file location.
#[test]
fn package_json_declares_what_the_extension_offers() {
    let dir = repo().join("editors/vscode");
    let read = |path: &Path| -> Value {
        serde_json::from_str(&std::fs::read_to_string(path).unwrap())
            .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
    };
    let package = read(&dir.join("package.json"));
    assert_eq!(package["name"], "proviso");
    assert!(dir.join(package["main"].as_str().unwrap()).is_file());
    assert_eq!(
        package["activationEvents"],
        serde_json::json!(["onLanguage:yaml", "onLanguage:proviso"])
    );
    let contributes = &package["contributes"];
    let language = &contributes["languages"][0];
    assert_eq!(language["id"], "proviso");
    assert_eq!(language["extensions"], serde_json::json!([".proviso"]));
    let configuration = read(&dir.join(language["configuration"].as_str().unwrap()));
    assert_eq!(configuration["comments"]["lineComment"], "//");
    let grammar = &contributes["grammars"][0];
    assert_eq!(grammar["language"], "proviso");
    let syntax = read(&dir.join(grammar["path"].as_str().unwrap()));
    assert_eq!(syntax["scopeName"], grammar["scopeName"]);
    let setting = &contributes["configuration"]["properties"]["proviso.path"];
    assert_eq!(setting["default"], "proviso");
    assert_eq!(setting["type"], "string");
    let matcher = &contributes["problemMatchers"][0];
    assert_eq!(matcher["name"], "proviso");
    assert_eq!(
        matcher["fileLocation"],
        serde_json::json!(["relative", "${workspaceFolder}"])
    );
    for dependency in package["dependencies"]
        .as_object()
        .unwrap()
        .values()
        .chain(package["devDependencies"].as_object().unwrap().values())
    {
        let version = dependency.as_str().unwrap();
        assert!(
            version.chars().all(|c| c.is_ascii_digit() || c == '.'),
            "dependencies are pinned to one version, not `{version}`"
        );
    }
}
