#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]
//! The report of `--format html` in a real browser: Debian's Chromium,
//! driven by `tests/browser/report.mjs` through playwright-core (pinned in
//! `tests/browser/package.json`). The report is written by the real binary;
//! what the script must find in it (one row per manifest, one column per
//! rule, each manifest's findings) is read here from `--format json` of the
//! same run and from the manifests, and handed to the script as a JSON
//! file. The script clicks, filters, sorts, uses the keyboard and prints,
//! and fails on any console error, uncaught exception, dialog or request
//! for anything but the report. Then axe-core (pinned there too) audits the
//! page against WCAG 2.1 A and AA, and any violation fails the test.
//!
//! Each test leaves the report, what it expected, screenshots, a PDF and
//! axe's results in `target/test-artifacts/html/<scenario>/` (the parent of
//! `CARGO_TARGET_TMPDIR`, which is `<target dir>/tmp`).
//!
//! `.ci/run` installs Chromium (Debian's `chromium`), playwright-core and
//! axe-core (`npm ci --prefix tests/browser`). Without them these tests
//! fail and say so.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use common::Run;
use serde_json::{json, Value};

const CHROMIUM: &str = "/usr/bin/chromium";
const AS_OF: &str = "2018-12-18";

fn repo() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// `target/test-artifacts/html/<scenario>`, emptied.
fn artifacts(scenario: &str) -> PathBuf {
    let target = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .parent()
        .expect("CARGO_TARGET_TMPDIR is <target dir>/tmp");
    let dir = target.join("test-artifacts/html").join(scenario);
    if dir.exists() {
        std::fs::remove_dir_all(&dir).unwrap();
    }
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Fails, saying how to install it, unless the browser, its driver and the
/// auditor are here: Node.js, Chromium, and the pinned playwright-core and
/// axe-core.
fn require_browser() {
    let version = Command::new("node").arg("--version").output();
    assert!(
        version.is_ok_and(|o| o.status.success()),
        "Node.js is needed for this test, as `node` on PATH: `apt-get install -y nodejs` (.ci/run installs it)"
    );
    assert!(
        Path::new(CHROMIUM).exists(),
        "Chromium is needed for this test, as {CHROMIUM}: `apt-get install -y chromium` (.ci/run installs it)"
    );
    let read = |path: &Path| -> Option<Value> {
        serde_json::from_str(&std::fs::read_to_string(path).ok()?).ok()
    };
    let browser = repo().join("tests/browser");
    let manifest = read(&browser.join("package.json")).unwrap();
    for package in ["playwright-core", "axe-core"] {
        let pinned = manifest["dependencies"][package].as_str().unwrap();
        let installed = read(&browser.join(format!("node_modules/{package}/package.json")))
            .and_then(|p| p["version"].as_str().map(str::to_string));
        assert!(
            installed.as_deref() == Some(pinned),
            "{package} {pinned} is needed for this test in tests/browser/node_modules \
             (found {installed:?}): run `npm ci --prefix tests/browser` (.ci/run does)"
        );
    }
}

/// `proviso ARGS` in `dir`.
fn proviso(dir: &Path, args: &[&str]) -> Run {
    Run::of(
        Command::new(env!("CARGO_BIN_EXE_proviso"))
            .args(args)
            .current_dir(dir)
            .output()
            .unwrap(),
    )
}

/// Writes the HTML report of `proviso check PATHS` run in `dir` to
/// `out/report.html`, and returns its findings as `--format json` gives
/// them.
fn report(dir: &Path, paths: &[&str], out: &Path) -> (PathBuf, Vec<Value>) {
    let html = out.join("report.html");
    let mut args = vec!["check"];
    args.extend(paths);
    args.extend(["--format", "html", "--as-of", AS_OF, "--output"]);
    args.push(html.to_str().unwrap());
    let run = proviso(dir, &args);
    assert_eq!(run.code, 1, "the manifests have findings: {run}");
    assert!(html.is_file(), "no report was written: {run}");

    let mut args = vec!["check"];
    args.extend(paths);
    args.extend(["--format", "json", "--as-of", AS_OF]);
    let run = proviso(dir, &args);
    assert_eq!(run.code, 1, "{run}");
    let doc: Value = serde_json::from_str(&run.stdout).unwrap();
    (html, doc["findings"].as_array().unwrap().clone())
}

/// The rule catalogue's ids, in the order of `proviso rules`: the shipped
/// policies' rules in the order the policies load, then the checks built
/// into proviso. The matrix has a column for each, in that order.
fn rules() -> Vec<String> {
    let run = proviso(repo(), &["rules"]);
    assert_eq!(run.code, 0, "{run}");
    let rules: Vec<String> = run
        .stdout
        .lines()
        .filter(|line| !line.is_empty() && !line.starts_with(char::is_whitespace))
        .map(|line| line.split_whitespace().next().unwrap().to_string())
        .collect();
    assert!(!rules.is_empty(), "{run}");
    rules
}

/// A field of a manifest's `partner` record, as the examples write it: a
/// plain scalar, or a double-quoted one.
fn partner_field(manifest: &str, field: &str) -> String {
    let mut lines = manifest.lines().skip_while(|l| *l != "partner:").skip(1);
    let prefix = format!("  {field}: ");
    let value = lines
        .by_ref()
        .take_while(|l| l.starts_with("  "))
        .find_map(|l| l.strip_prefix(&prefix))
        .unwrap_or_else(|| panic!("no `partner.{field}` in\n{manifest}"));
    let value = value.split(" #").next().unwrap().trim();
    if value.starts_with('"') {
        serde_json::from_str(value).unwrap()
    } else {
        value.to_string()
    }
}

/// Each manifest's partner and findings, for the script.
fn partners(dir: &Path, paths: &[String], findings: &[Value]) -> Vec<Value> {
    paths
        .iter()
        .map(|path| {
            let text = std::fs::read_to_string(dir.join(path)).unwrap();
            let own: Vec<Value> = findings
                .iter()
                .filter(|f| f["location"]["path"] == path.as_str())
                .map(|f| {
                    json!({
                        "rule": f["rule"],
                        "severity": f["severity"],
                        "waived": f["waived"],
                        "waiver": f["waiver"],
                    })
                })
                .collect();
            json!({
                "id": partner_field(&text, "id"),
                "name": partner_field(&text, "name"),
                "path": path,
                "findings": own,
            })
        })
        .collect()
}

/// The manifests under `examples/`, as proviso names them from the
/// repository's root.
fn example_manifests() -> Vec<String> {
    fn walk(dir: &Path, found: &mut Vec<String>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                walk(&path, found);
            } else if path.extension().is_some_and(|e| e == "yaml") {
                let relative = path.strip_prefix(repo()).unwrap();
                found.push(relative.to_str().unwrap().replace('\\', "/"));
            }
        }
    }
    let mut found = Vec::new();
    walk(&repo().join("examples"), &mut found);
    found.sort();
    assert!(!found.is_empty());
    found
}

/// What a cell's details must show of each of these findings: the message,
/// the rule's title and help, the manifest's line up to the offending value
/// with the value marked, and the line's number.
fn probe(partner: &str, rule: &str, path: &str, findings: &[Value]) -> Value {
    let manifest = std::fs::read_to_string(repo().join(path)).unwrap();
    let shown: Vec<Value> = findings
        .iter()
        .filter(|f| f["location"]["path"] == path && f["rule"] == rule)
        .map(|f| {
            let at = &f["location"];
            let number = at["line"].as_u64().unwrap();
            assert_eq!(at["end_line"], at["line"], "{f}");
            let line: Vec<char> = manifest
                .lines()
                .nth(usize::try_from(number).unwrap() - 1)
                .unwrap()
                .chars()
                .collect();
            // Columns count characters from 1; the end is exclusive.
            let column = |key: &str| usize::try_from(at[key].as_u64().unwrap()).unwrap() - 1;
            let (start, end) = (column("column"), column("end_column"));
            let text: String = line[..end].iter().collect();
            json!({
                "line": number,
                "text": text.trim_start(),
                "marked": line[start..end].iter().collect::<String>(),
                "message": f["message"],
                "title": f["title"],
                "help": f["help"],
            })
        })
        .collect();
    assert!(!shown.is_empty(), "no finding of {rule} in {path}");
    json!({"partner": partner, "rule": rule, "findings": shown})
}

/// Runs `tests/browser/report.mjs` on the report, and fails with its
/// output unless every check passed.
fn browse(report: &Path, artifacts: &Path, scenario: &str, expected: &Value) {
    let expected_path = artifacts.join("expected.json");
    std::fs::write(
        &expected_path,
        serde_json::to_string_pretty(expected).unwrap(),
    )
    .unwrap();
    let out = Command::new("timeout")
        .arg("120")
        .arg("node")
        .arg(repo().join("tests/browser/report.mjs"))
        .arg(report)
        .arg(artifacts)
        .arg(scenario)
        .arg(&expected_path)
        .current_dir(repo())
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    println!("{stdout}{stderr}");
    assert!(
        out.status.success(),
        "tests/browser/report.mjs {scenario} failed ({}); artifacts in {}:\n{stdout}{stderr}",
        out.status,
        artifacts.display()
    );
}

#[test]
fn the_examples_report_works_in_chromium() {
    require_browser();
    let out = artifacts("examples");
    let (html, findings) = report(repo(), &["examples"], &out);
    let manifests = example_manifests();
    let partners = partners(repo(), &manifests, &findings);
    let netflix = "examples/facebook-2018/netflix.yaml";
    let id = partner_field(
        &std::fs::read_to_string(repo().join(netflix)).unwrap(),
        "id",
    );
    let expected = json!({
        "rules": rules(),
        "partners": partners,
        "probe": probe(&id, "ftc2012/messages-consent", netflix, &findings),
    });
    browse(&html, &out, "examples", &expected);
}

/// A partner name, a partner id, a file name and a waiver that are markup,
/// quotes and ampersands: the page must show them as text and run nothing
/// of them.
#[test]
fn hostile_names_stay_text_in_chromium() {
    require_browser();
    let out = artifacts("hostile");
    let dir = tempfile::tempdir().unwrap();
    let name = r#"<script>alert(1)</script> "Q" & 'A' <img src=x onerror=alert(2)>"#;
    let id = r#""'<b>netflix</b>&amp;"#;
    let file = r#"x<img src=x onerror=alert(3)>'".yaml"#;
    let netflix =
        std::fs::read_to_string(repo().join("examples/facebook-2018/netflix.yaml")).unwrap();
    let quoted = |s: &str| serde_json::to_string(s).unwrap();
    let manifest = common::edit(
        &netflix,
        "  name: Netflix\n",
        &format!("  name: {}\n", quoted(name)),
    );
    let manifest = common::edit(
        &manifest,
        "  id: netflix\n",
        &format!("  id: {}\n", quoted(id)),
    );
    // Waives the finding of `ftc2019/certification`; it expires within 30
    // days, so the header lists it too.
    let reason = r#"<script>alert(4)</script> "waived" & 'kept' <img src=x onerror=alert(5)>"#;
    let approver = r#"<b onmouseover=alert(6)>council</b>"#;
    let manifest = format!(
        "{manifest}waivers:\n  - rule: ftc2019/certification\n    reason: {}\n    approved_by: {}\n    expires: 2019-01-10\n",
        quoted(reason),
        quoted(approver)
    );
    std::fs::write(dir.path().join(file), &manifest).unwrap();

    let (html, findings) = report(dir.path(), &[file], &out);
    let partners = partners(dir.path(), &[file.to_string()], &findings);
    assert_eq!(partners[0]["name"], name);
    assert_eq!(partners[0]["id"], id);
    let waived = partners[0]["findings"].as_array().unwrap();
    assert!(
        waived.iter().any(|f| f["waiver"]["reason"] == reason),
        "the waiver waives nothing: {waived:?}"
    );
    let expected = json!({
        "rules": rules(),
        "partners": partners,
        "file": file,
    });
    browse(&html, &out, "hostile", &expected);
}
