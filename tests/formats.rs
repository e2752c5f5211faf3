//! The machine-readable formats as tools read them: `json`, `sarif`,
//! `junit` and `github`, run through the binary.
//!
//! The snapshots beside this file hold each format run on `examples/`, so a
//! reviewer sees exactly what a CI service or a script gets; the elapsed
//! time is the one varying field and is redacted. The other tests read the
//! output back as a tool would: SARIF against the official schema, JUnit
//! through an XML parser, workflow commands by their escaping.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use proviso::check::{compile, Program};
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const AS_OF: &str = "2018-12-18";
const FORMATS: [&str; 6] = ["human", "short", "json", "sarif", "junit", "github"];

fn repo() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn proviso(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_proviso"))
        .current_dir(dir)
        .args(args)
        .env("NO_COLOR", "1")
        // Reports wrap at 100 columns, whatever the test run's terminal.
        .env_remove("COLUMNS")
        .output()
        .unwrap()
}

/// `proviso check PATH --as-of 2018-12-18 --format FORMAT`, from the
/// crate's root, with the shipped policies.
fn check(path: &str, format: &str) -> Output {
    proviso(
        repo(),
        &["check", path, "--as-of", AS_OF, "--format", format],
    )
}

fn stdout(out: &Output) -> String {
    String::from_utf8(out.stdout.clone()).unwrap()
}

fn stderr(out: &Output) -> String {
    String::from_utf8(out.stderr.clone()).unwrap()
}

fn shipped() -> Program {
    let sources: Vec<_> = proviso::shipped::sources();
    compile(&sources).unwrap()
}

/// Replaces the number after `key` with `[elapsed]`.
fn redact_number_after(text: &str, key: &str) -> String {
    let Some(at) = text.find(key) else {
        return text.to_string();
    };
    let start = at + key.len();
    let len = text[start..]
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(text.len() - start);
    format!("{}[elapsed]{}", &text[..start], &text[start + len..])
}

fn redact_json(text: &str) -> String {
    redact_number_after(text, "\"elapsed_seconds\": ")
}

fn redact_summary(text: &str) -> String {
    let redacted = redact_number_after(text, " in ");
    redacted.replace("[elapsed]s", "[elapsed]")
}

// ---- snapshots ------------------------------------------------------------

fn snapshot_examples(format: &str) -> (String, String) {
    let out = check("examples", format);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let text = if format == "json" {
        redact_json(&stdout(&out))
    } else {
        stdout(&out)
    };
    (text, redact_summary(&stderr(&out)))
}

#[test]
fn json_on_the_examples() {
    let (out, summary) = snapshot_examples("json");
    assert!(summary.starts_with("checked "), "{summary}");
    insta::assert_snapshot!(out);
}

#[test]
fn sarif_on_the_examples() {
    let (out, summary) = snapshot_examples("sarif");
    assert!(summary.starts_with("checked "), "{summary}");
    insta::assert_snapshot!(out);
}

#[test]
fn junit_on_the_examples() {
    let (out, summary) = snapshot_examples("junit");
    assert!(summary.starts_with("checked "), "{summary}");
    insta::assert_snapshot!(out);
}

#[test]
fn github_on_the_examples() {
    let (out, summary) = snapshot_examples("github");
    assert!(summary.starts_with("checked "), "{summary}");
    insta::assert_snapshot!(out);
}

/// One waived and one live finding, in a partner name with `%` and
/// non-ASCII text and a waiver reason with `:`, `,` and a line break. For
/// SARIF only the results: the rule catalogue is in the examples' snapshot.
#[test]
fn every_format_on_a_waived_finding() {
    let path = "tests/data/formats/waived.yaml";
    let mut all = String::new();
    for format in ["json", "sarif", "junit", "github"] {
        let out = check(path, format);
        assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
        let text = match format {
            "json" => redact_json(&stdout(&out)),
            "sarif" => {
                let log: Value = serde_json::from_str(&stdout(&out)).unwrap();
                serde_json::to_string_pretty(&log["runs"][0]["results"]).unwrap() + "\n"
            }
            _ => stdout(&out),
        };
        all.push_str(&format!("==== --format {format}\n{text}"));
    }
    insta::assert_snapshot!(all);
}

// ---- json -----------------------------------------------------------------

#[test]
fn json_is_stable_across_runs_and_has_no_absolute_paths() {
    let first = redact_json(&stdout(&check("examples", "json")));
    let second = redact_json(&stdout(&check("examples", "json")));
    assert_eq!(first, second);
    let root = repo().to_string_lossy().into_owned();
    assert!(!first.contains(&root), "an absolute path leaked: {root}");
}

#[test]
fn json_carries_the_waiver_and_a_summary() {
    let out = check("tests/data/formats/waived.yaml", "json");
    let doc: Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(doc["version"], 1);
    let findings = doc["findings"].as_array().unwrap();
    let waived: Vec<&Value> = findings.iter().filter(|f| f["waived"] == true).collect();
    assert_eq!(waived.len(), 1);
    let w = waived[0];
    assert_eq!(w["rule"], "ftc2012/subject-consent");
    assert_eq!(w["location"]["path"], "tests/data/formats/waived.yaml");
    assert_eq!(w["location"]["pointer"], "/grants/0/subjects/1");
    assert_eq!(w["waiver"]["pointer"], "/waivers/0");
    assert_eq!(w["waiver"]["approved_by"], "privacy-council");
    assert_eq!(w["waiver"]["expires"], "2019-06-01");
    assert_eq!(
        w["waiver"]["reason"],
        "friends' messages: kept until the 2019 migration,\nthen dropped"
    );
    assert_eq!(w["rule_source"]["path"], "builtin:ftc2012.proviso");
    assert!(findings
        .iter()
        .filter(|f| f["waived"] == false)
        .all(|f| f["waiver"].is_null()));
    let summary = &doc["summary"];
    assert_eq!(summary["manifests"], 1);
    assert_eq!(summary["rules"], shipped().rules.len());
    assert_eq!(summary["findings"]["error"], 1);
    assert_eq!(summary["waived"], 1);
    assert_eq!(summary["skipped"], 0);
    assert!(summary["elapsed_seconds"].is_f64());
}

/// Every key the document uses is described in docs/json-output.md.
#[test]
fn json_fields_are_documented() {
    fn keys(v: &Value, out: &mut Vec<String>) {
        match v {
            Value::Object(map) => {
                for (k, v) in map {
                    out.push(k.clone());
                    keys(v, out);
                }
            }
            Value::Array(items) => items.iter().for_each(|v| keys(v, out)),
            _ => {}
        }
    }
    let docs = std::fs::read_to_string(repo().join("docs/json-output.md")).unwrap();
    let mut found = Vec::new();
    for path in [
        "examples",
        "tests/data/formats/waived.yaml",
        "tests/data/formats/non-ascii.yaml",
    ] {
        let doc: Value = serde_json::from_str(&stdout(&check(path, "json"))).unwrap();
        keys(&doc, &mut found);
    }
    for key in found {
        assert!(
            docs.contains(&format!("`{key}`")),
            "`{key}` is not described in docs/json-output.md"
        );
    }
}

// ---- many files -----------------------------------------------------------

/// `n` manifests copied from the examples, each with its own partner id,
/// in directories whose names sort differently as text and as paths, plus
/// a YAML file that is not a manifest and one that does not parse.
fn many_manifests(n: usize) -> tempfile::TempDir {
    let mut seeds: Vec<PathBuf> = ["examples/facebook-2018", "examples/compliant"]
        .iter()
        .flat_map(|d| std::fs::read_dir(repo().join(d)).unwrap())
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "yaml"))
        .collect();
    seeds.sort();
    let tmp = tempfile::tempdir().unwrap();
    for i in 0..n {
        let seed = std::fs::read_to_string(&seeds[i % seeds.len()]).unwrap();
        let text = seed.replacen("  id: ", &format!("  id: p{i}-"), 1);
        let dir = tmp.path().join(["a", "a-b", "a.b"][i % 3]);
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join(format!("m{i}.yaml")), text).unwrap();
    }
    std::fs::write(tmp.path().join("a/notes.yaml"), "title: not a manifest\n").unwrap();
    std::fs::write(tmp.path().join("a-b/broken.yaml"), "schema: [\n").unwrap();
    tmp
}

fn check_dir(dir: &Path, format: &str) -> String {
    let out = proviso(dir, &["check", ".", "--as-of", AS_OF, "--format", format]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    stdout(&out)
}

/// The documents are written file by file, over several batches of the
/// check: each must still be one document, laid out as if printed whole,
/// with the files in path order and totals that agree with the records.
#[test]
fn documents_written_file_by_file_are_whole_and_agree() {
    let tmp = many_manifests(600);

    let text = check_dir(tmp.path(), "json");
    let json: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(
        text,
        format!("{}\n", serde_json::to_string_pretty(&json).unwrap())
    );
    let findings = json["findings"].as_array().unwrap();
    let summary = &json["summary"];
    assert_eq!(summary["manifests"], 601);
    assert_eq!(summary["skipped"], 1);
    let counted: u64 = ["error", "warning", "note"]
        .iter()
        .map(|s| summary["findings"][s].as_u64().unwrap())
        .sum::<u64>()
        + summary["waived"].as_u64().unwrap();
    assert_eq!(counted as usize, findings.len());
    let paths: Vec<&str> = findings
        .iter()
        .map(|f| f["location"]["path"].as_str().unwrap())
        .collect();
    let mut sorted = paths.clone();
    sorted.sort_by(|a, b| Path::new(a).cmp(Path::new(b)));
    assert_eq!(paths, sorted);
    assert!(paths.first().unwrap().starts_with("a/"));
    assert!(paths.last().unwrap().starts_with("a.b/"));
    assert!(paths.contains(&"a-b/broken.yaml"));

    let text = check_dir(tmp.path(), "sarif");
    let log = assert_valid_sarif(&sarif_validator(), &text, "600 manifests");
    assert_eq!(
        text,
        format!("{}\n", serde_json::to_string_pretty(&log).unwrap())
    );
    let results = log["runs"][0]["results"].as_array().unwrap();
    assert_eq!(results.len(), findings.len());
    for (result, finding) in results.iter().zip(findings) {
        assert_eq!(result["ruleId"], finding["rule"]);
        assert_eq!(result["message"]["text"], finding["message"]);
    }

    let root = parse_xml(&check_dir(tmp.path(), "junit"));
    let program = shipped();
    let suites = root.all("testsuite");
    let mut cases = 0;
    for attr in ["tests", "failures", "errors", "skipped"] {
        let child = match attr {
            "tests" => "",
            "failures" => "failure",
            "errors" => "error",
            _ => "skipped",
        };
        let mut sum = 0;
        for suite in &suites {
            let listed: usize = suite.attr(attr).unwrap().parse().unwrap();
            let found = suite
                .all("testcase")
                .iter()
                .filter(|c| child.is_empty() || c.child(child).is_some())
                .count();
            assert_eq!(listed, found, "{attr} of {:?}", suite.attr("name"));
            sum += listed;
        }
        assert_eq!(
            root.attr(attr).unwrap().parse::<usize>().unwrap(),
            sum,
            "{attr}"
        );
        if attr == "tests" {
            cases = sum;
        }
    }
    // A case per rule and valid manifest; the broken file has only its
    // syntax error, in the suite of the built-in checks.
    let rule_cases = suites
        .iter()
        .flat_map(|s| s.all("testcase"))
        .filter(|c| program.rule(c.attr("name").unwrap()).is_some())
        .count();
    assert_eq!(rule_cases, 600 * program.rules.len());
    assert!(cases > rule_cases);
    let broken: Vec<&str> = suites
        .iter()
        .flat_map(|s| s.all("testcase"))
        .filter(|c| c.attr("classname") == Some("a-b/broken.yaml"))
        .map(|c| c.attr("name").unwrap())
        .collect();
    assert_eq!(broken, ["manifest/syntax"]);
}

// ---- sarif ----------------------------------------------------------------

fn sarif_validator() -> jsonschema::Validator {
    let text = std::fs::read_to_string(repo().join("tests/data/sarif-schema-2.1.0.json")).unwrap();
    // The official schema's `run.language` pattern has a stray `]`, which
    // browsers' regex engines read as a literal and strict ones (this
    // validator checks the schema itself first) reject. Escaping it keeps
    // the pattern's meaning; the vendored file stays as published. No
    // proviso document has a `language`.
    let bad = r#""^[a-zA-Z]{2}|^[a-zA-Z]{2}-[a-zA-Z]{2}]?$""#;
    assert!(text.contains(bad), "the schema changed: revisit this fix");
    let text = text.replace(bad, r#""^[a-zA-Z]{2}|^[a-zA-Z]{2}-[a-zA-Z]{2}\\]?$""#);
    let schema: Value = serde_json::from_str(&text).unwrap();
    // Formats are checked too: `uri-reference` catches a path that is not
    // a valid URI.
    jsonschema::draft7::options()
        .should_validate_formats(true)
        .build(&schema)
        .unwrap()
}

fn assert_valid_sarif(validator: &jsonschema::Validator, text: &str, what: &str) -> Value {
    let log: Value = serde_json::from_str(text).unwrap();
    let errors: Vec<String> = validator
        .iter_errors(&log)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect();
    assert!(
        errors.is_empty(),
        "{what}: not valid SARIF 2.1.0:\n{}",
        errors.join("\n")
    );
    log
}

#[test]
fn sarif_is_valid_against_the_official_schema() {
    let validator = sarif_validator();
    for path in [
        "examples",
        "tests/data/formats/waived.yaml",
        "tests/data/formats/non-ascii.yaml",
        "tests/data/formats/broken.yaml",
        "tests/manifest_errors",
    ] {
        let out = check(path, "sarif");
        assert_valid_sarif(&validator, &stdout(&out), path);
    }
}

#[test]
fn sarif_describes_every_rule_and_points_at_its_source() {
    let program = shipped();
    let log: Value = serde_json::from_str(&stdout(&check("examples", "sarif"))).unwrap();
    let run = &log["runs"][0];
    let driver = &run["tool"]["driver"];
    assert_eq!(driver["name"], "proviso");
    assert_eq!(driver["version"], env!("CARGO_PKG_VERSION"));
    let rules = driver["rules"].as_array().unwrap();
    let ids: Vec<&str> = rules.iter().map(|r| r["id"].as_str().unwrap()).collect();
    for rule in &program.rules {
        assert!(ids.contains(&rule.id.as_str()), "{} is missing", rule.id);
    }
    for builtin in proviso::builtin::Builtin::ALL {
        assert!(ids.contains(&builtin.id()), "{} is missing", builtin.id());
    }
    for r in rules {
        for key in ["name", "shortDescription", "fullDescription", "help"] {
            assert!(!r[key].is_null(), "{}: no {key}", r["id"]);
        }
        assert!(!r["defaultConfiguration"]["level"].is_null());
    }
    assert_eq!(run["columnKind"], "unicodeCodePoints");
    let results = run["results"].as_array().unwrap();
    assert!(!results.is_empty());
    for result in results {
        let index = result["ruleIndex"].as_u64().unwrap() as usize;
        assert_eq!(rules[index]["id"], result["ruleId"]);
        // Built-in checks have no policy source to point at.
        let id = result["ruleId"].as_str().unwrap();
        if proviso::builtin::Builtin::from_id(id).is_some() {
            assert!(result["relatedLocations"].is_null(), "{id}");
            continue;
        }
        let related = &result["relatedLocations"][0]["physicalLocation"];
        let uri = related["artifactLocation"]["uri"].as_str().unwrap();
        // A shipped policy is not a file of the repository: its URI is
        // its `builtin:` name, which holds no relative path.
        let file = uri
            .strip_prefix("builtin:")
            .unwrap_or_else(|| panic!("{uri}"));
        // The related region is the rule's id in its policy file.
        let line = related["region"]["startLine"].as_u64().unwrap() as usize;
        let col = related["region"]["startColumn"].as_u64().unwrap() as usize;
        let text = std::fs::read_to_string(repo().join("policies").join(file)).unwrap();
        let line_text = text.lines().nth(line - 1).unwrap();
        let id = result["ruleId"].as_str().unwrap();
        assert_eq!(
            line_text
                .chars()
                .skip(col - 1)
                .take(id.chars().count())
                .collect::<String>(),
            id
        );
    }
}

#[test]
fn sarif_waived_findings_carry_an_external_suppression() {
    let log: Value =
        serde_json::from_str(&stdout(&check("tests/data/formats/waived.yaml", "sarif"))).unwrap();
    let results = log["runs"][0]["results"].as_array().unwrap();
    let suppressed: Vec<&Value> = results
        .iter()
        .filter(|r| r.get("suppressions").is_some())
        .collect();
    assert_eq!(suppressed.len(), 1);
    let s = &suppressed[0]["suppressions"][0];
    assert_eq!(s["kind"], "inSource");
    assert_eq!(
        s["justification"],
        "friends' messages: kept until the 2019 migration,\nthen dropped"
    );
    assert_eq!(suppressed[0]["ruleId"], "ftc2012/subject-consent");
}

/// SARIF says columns count code points; they must, also after
/// multi-byte characters on the same line.
#[test]
fn sarif_columns_count_characters() {
    let path = "tests/data/formats/non-ascii.yaml";
    let text = std::fs::read_to_string(repo().join(path)).unwrap();
    let log: Value = serde_json::from_str(&stdout(&check(path, "sarif"))).unwrap();
    let result = &log["runs"][0]["results"][0];
    let region = &result["locations"][0]["physicalLocation"]["region"];
    let n = |k: &str| region[k].as_u64().unwrap() as usize;
    assert_eq!((n("startLine"), n("startColumn")), (29, 40));
    assert_eq!(n("endLine"), 29);
    let line: Vec<char> = text.lines().nth(28).unwrap().chars().collect();
    let underlined: String = line[n("startColumn") - 1..n("endColumn") - 1]
        .iter()
        .collect();
    assert_eq!(underlined, "wirte");
    // The column in bytes would differ: the test means something.
    let bytes = text.lines().nth(28).unwrap().find("wirte").unwrap() + 1;
    assert_ne!(bytes, 40);
}

/// A "did you mean" is data: the replacement and the range it replaces,
/// in JSON and as a SARIF fix, and said in the `short` line; each format
/// counts the range as it counts its location.
#[test]
fn suggestions_are_data_in_every_format() {
    let path = "tests/data/formats/non-ascii.yaml";
    let text = std::fs::read_to_string(repo().join(path)).unwrap();
    let line = text.lines().nth(28).unwrap();
    let chars = line[..line.find("wirte").unwrap()].chars().count() + 1;
    let short = stdout(&check(path, "short"));
    assert!(
        short.contains(&format!(
            "{path}:29:{}: error[manifest/schema]: `wirte` is not a value of `Operation`; did you mean `write`?",
            line.find("wirte").unwrap() + 1
        )),
        "{short}"
    );
    let doc: Value = serde_json::from_str(&stdout(&check(path, "json"))).unwrap();
    let fix = &doc["findings"][0]["fix"];
    assert_eq!(
        fix,
        &serde_json::json!({"replacement": "write", "line": 29, "column": chars, "end_line": 29, "end_column": chars + 5})
    );
    let sarif = stdout(&check(path, "sarif"));
    let log = assert_valid_sarif(&sarif_validator(), &sarif, path);
    let fixes = &log["runs"][0]["results"][0]["fixes"];
    assert_eq!(fixes.as_array().unwrap().len(), 1, "{fixes}");
    let change = &fixes[0]["artifactChanges"][0];
    assert_eq!(change["artifactLocation"]["uri"], path);
    assert_eq!(
        change["replacements"][0],
        serde_json::json!({
            "deletedRegion": {"startLine": 29, "startColumn": chars, "endLine": 29, "endColumn": chars + 5},
            "insertedContent": {"text": "write"},
        })
    );
    // A finding with nothing to suggest has no fix.
    let doc: Value = serde_json::from_str(&stdout(&check("examples", "json"))).unwrap();
    assert!(doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .all(|f| f["fix"].is_null()));
}

#[test]
fn sarif_uris_are_percent_encoded() {
    use proviso::report::sarif::uri;
    assert_eq!(uri("examples/spotify.yaml"), "examples/spotify.yaml");
    assert_eq!(uri("my dir/a#1.yaml"), "my%20dir/a%231.yaml");
    assert_eq!(uri("p/Spötify.yaml"), "p/Sp%C3%B6tify.yaml");
    assert_eq!(uri("/srv/repo/a.yaml"), "file:///srv/repo/a.yaml");
    assert_eq!(uri("C:\\repo\\a.yaml"), "file:///C:/repo/a.yaml");
}

// ---- junit ----------------------------------------------------------------

/// An XML element, read back with a parser independent of the writer.
#[derive(Debug, Default)]
struct Element {
    name: String,
    attrs: Vec<(String, String)>,
    children: Vec<Element>,
    text: String,
}

impl Element {
    fn attr(&self, name: &str) -> Option<&str> {
        self.attrs
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    fn all(&self, name: &str) -> Vec<&Element> {
        self.children.iter().filter(|c| c.name == name).collect()
    }

    fn child(&self, name: &str) -> Option<&Element> {
        self.children.iter().find(|c| c.name == name)
    }
}

fn parse_xml(xml: &str) -> Element {
    use quick_xml::events::{BytesStart, Event};
    use quick_xml::reader::Reader;
    fn open(e: &BytesStart<'_>) -> Element {
        Element {
            name: String::from_utf8(e.name().as_ref().to_vec()).unwrap(),
            attrs: e
                .attributes()
                .map(|a| {
                    let a = a.unwrap();
                    (
                        String::from_utf8(a.key.as_ref().to_vec()).unwrap(),
                        a.normalized_value(quick_xml::XmlVersion::Implicit1_0)
                            .unwrap()
                            .into_owned(),
                    )
                })
                .collect(),
            ..Element::default()
        }
    }
    let mut reader = Reader::from_str(xml);
    let mut stack = vec![Element::default()];
    loop {
        match reader.read_event().unwrap() {
            Event::Start(e) => stack.push(open(&e)),
            Event::Empty(e) => stack.last_mut().unwrap().children.push(open(&e)),
            Event::End(_) => {
                let done = stack.pop().unwrap();
                stack.last_mut().unwrap().children.push(done);
            }
            Event::Text(t) => stack
                .last_mut()
                .unwrap()
                .text
                .push_str(&t.decode().unwrap()),
            Event::CData(t) => stack
                .last_mut()
                .unwrap()
                .text
                .push_str(std::str::from_utf8(&t).unwrap()),
            Event::GeneralRef(r) => {
                let c = match r.resolve_char_ref().unwrap() {
                    Some(c) => c.to_string(),
                    None => {
                        let name = r.decode().unwrap();
                        quick_xml::escape::resolve_predefined_entity(&name)
                            .unwrap()
                            .to_string()
                    }
                };
                stack.last_mut().unwrap().text.push_str(&c);
            }
            Event::Eof => break,
            _ => {}
        }
    }
    assert_eq!(stack.len(), 1, "unclosed elements");
    let mut root = stack.pop().unwrap();
    assert_eq!(root.children.len(), 1, "one root element");
    root.children.pop().unwrap()
}

#[test]
fn junit_has_a_suite_per_policy_and_a_case_per_rule_and_manifest() {
    let program = shipped();
    let out = check("examples", "junit");
    let root = parse_xml(&stdout(&out));
    assert_eq!(root.name, "testsuites");
    let suites = root.all("testsuite");
    let mut policies: Vec<&str> = Vec::new();
    for r in &program.rules {
        if !policies.contains(&r.policy.as_str()) {
            policies.push(&r.policy);
        }
    }
    let names: Vec<&str> = suites.iter().map(|s| s.attr("name").unwrap()).collect();
    assert_eq!(
        names.iter().filter(|n| policies.contains(n)).count(),
        policies.len(),
        "{names:?}"
    );

    // Each rule × manifest once, in the suite of the rule's policy.
    let json: Value = serde_json::from_str(&stdout(&check("examples", "json"))).unwrap();
    let manifests = json["summary"]["manifests"].as_u64().unwrap() as usize;
    let mut cases = 0;
    let mut failures = 0;
    for suite in &suites {
        let policy = suite.attr("name").unwrap();
        let listed: usize = suite.attr("tests").unwrap().parse().unwrap();
        assert_eq!(listed, suite.all("testcase").len());
        for case in suite.all("testcase") {
            let id = case.attr("name").unwrap();
            if let Some(rule) = program.rule(id) {
                assert_eq!(rule.policy, policy);
                cases += 1;
            }
            let path = case.attr("classname").unwrap();
            assert_eq!(case.attr("file"), Some(path));
            if let Some(failure) = case.child("failure") {
                failures += 1;
                assert!(!failure.attr("message").unwrap().is_empty());
                // The text points at the manifest: `path:line:col: `.
                let first = failure.text.lines().next().unwrap();
                let rest = first.strip_prefix(&format!("{path}:")).unwrap();
                let mut parts = rest.splitn(3, ':');
                let line: usize = parts.next().unwrap().parse().unwrap();
                let col: usize = parts.next().unwrap().parse().unwrap();
                assert!(line >= 1 && col >= 1);
            }
        }
    }
    assert_eq!(cases, manifests * program.rules.len());
    let listed: usize = root.attr("failures").unwrap().parse().unwrap();
    assert_eq!(listed, failures);
    assert!(failures > 0);
}

#[test]
fn junit_skips_rules_that_do_not_apply_and_waived_findings() {
    let root = parse_xml(&stdout(&check("tests/data/formats/waived.yaml", "junit")));
    let cases: Vec<&Element> = root
        .all("testsuite")
        .into_iter()
        .flat_map(|s| s.all("testcase"))
        .collect();
    let case = |id: &str| *cases.iter().find(|c| c.attr("name") == Some(id)).unwrap();
    let waived = case("ftc2012/subject-consent").child("skipped").unwrap();
    assert_eq!(waived.attr("type"), Some("waived"));
    // Attribute values are one line: XML readers turn line breaks in them
    // into spaces anyway.
    assert_eq!(
        waived.attr("message"),
        Some("waived until 2019-06-01 by privacy-council: friends' messages: kept until the 2019 migration, then dropped")
    );
    assert!(waived.text.contains("then dropped"));
    let failed = case("ftc2012/messages-consent").child("failure").unwrap();
    assert!(failed.text.starts_with(
        "tests/data/formats/waived.yaml:36:18: error[ftc2012/messages-consent]: Spötify 100% AB"
    ));
    // The manifest has no special-category data.
    let not_applicable = case("gdpr/special-category").child("skipped").unwrap();
    assert!(not_applicable
        .attr("message")
        .unwrap()
        .starts_with("not applicable"));
    assert!(case("gdpr/retention").children.is_empty(), "a pass");
}

#[test]
fn junit_reports_a_broken_manifest_by_its_manifest_failures() {
    let root = parse_xml(&stdout(&check("tests/data/formats", "junit")));
    let broken = "tests/data/formats/broken.yaml";
    let non_ascii = "tests/data/formats/non-ascii.yaml";
    for suite in root.all("testsuite") {
        for case in suite.all("testcase") {
            let path = case.attr("classname").unwrap();
            if path == broken || path == non_ascii {
                assert_eq!(suite.attr("name"), Some("manifest"));
            }
        }
    }
    let manifest = root
        .all("testsuite")
        .into_iter()
        .find(|s| s.attr("name") == Some("manifest"))
        .unwrap();
    let by_path = |path: &str| {
        manifest
            .all("testcase")
            .into_iter()
            .find(|c| c.attr("classname") == Some(path))
            .unwrap()
    };
    let syntax = by_path(broken);
    assert_eq!(syntax.attr("name"), Some("manifest/syntax"));
    assert!(syntax
        .child("failure")
        .unwrap()
        .text
        .starts_with("tests/data/formats/broken.yaml:3:1: error[manifest/syntax]"));
    let schema = by_path(non_ascii);
    assert_eq!(schema.attr("name"), Some("manifest/schema"));
    assert!(schema.child("failure").unwrap().text.contains(":29:40: "));
}

/// The case of a rule, in a report on one manifest.
fn case<'a>(root: &'a Element, id: &str) -> &'a Element {
    root.all("testsuite")
        .into_iter()
        .flat_map(|s| s.all("testcase"))
        .find(|c| c.attr("name") == Some(id))
        .unwrap()
}

/// Only findings at or above `--fail-on` are failures; the others are in
/// the case's output, and waived findings stay skipped.
#[test]
fn junit_failures_follow_fail_on() {
    let path = "tests/data/formats/waived.yaml";
    let run = |fail_on: &str| {
        let out = proviso(
            repo(),
            &[
                "check",
                path,
                "--as-of",
                AS_OF,
                "--format",
                "junit",
                "--fail-on",
                fail_on,
            ],
        );
        (out.status.code(), parse_xml(&stdout(&out)))
    };
    let (code, root) = run("error");
    assert_eq!(code, Some(1));
    assert_eq!(root.attr("failures"), Some("1"));
    let failed = case(&root, "ftc2012/messages-consent");
    assert!(failed.child("failure").is_some());
    assert!(failed.child("system-out").is_none());

    let (code, root) = run("never");
    assert_eq!(code, Some(0));
    assert_eq!(root.attr("failures"), Some("0"));
    assert_eq!(root.attr("errors"), Some("0"));
    for suite in root.all("testsuite") {
        assert_eq!(suite.attr("failures"), Some("0"));
        assert!(suite
            .all("testcase")
            .iter()
            .all(|c| c.child("failure").is_none() && c.child("error").is_none()));
    }
    let passed = case(&root, "ftc2012/messages-consent");
    assert_eq!(passed.children.len(), 1, "{passed:?}");
    let output = passed.child("system-out").unwrap();
    assert!(
        output
            .text
            .starts_with("not failing the run (`--fail-on never`):\n"),
        "{}",
        output.text
    );
    assert!(output.text.contains(
        "tests/data/formats/waived.yaml:36:18: error[ftc2012/messages-consent]: Spötify 100% AB"
    ));
    // Waived findings stay skipped, whatever the level.
    let waived = case(&root, "ftc2012/subject-consent");
    assert_eq!(
        waived.child("skipped").unwrap().attr("type"),
        Some("waived")
    );
}

// ---- github ---------------------------------------------------------------

#[test]
fn github_escapes_messages_and_properties() {
    use proviso::report::github::{escape_data, escape_property};
    assert_eq!(escape_data("100% done\r\nnext"), "100%25 done%0D%0Anext");
    assert_eq!(escape_data("a: b, c"), "a: b, c");
    assert_eq!(
        escape_property("odd, name: 100%.yaml"),
        "odd%2C name%3A 100%25.yaml"
    );
    // `%` first: an escape is never escaped again.
    assert_eq!(escape_data("%0A"), "%250A");
}

#[test]
fn github_commands_follow_severity_and_waivers() {
    let tmp = tempfile::tempdir().unwrap();
    let name = "odd, name: 100%.yaml";
    std::fs::copy(
        repo().join("tests/data/formats/waived.yaml"),
        tmp.path().join(name),
    )
    .unwrap();
    let out = proviso(
        tmp.path(),
        &["check", name, "--as-of", AS_OF, "--format", "github"],
    );
    assert_eq!(out.status.code(), Some(1));
    let text = stdout(&out);
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 2, "{text}");
    let file = "file=odd%2C name%3A 100%25.yaml";
    assert!(lines[0].starts_with(&format!(
        "::notice {file},line=28,col=22,endLine=28,endColumn=29,title=ftc2012/subject-consent::Spötify 100%25 AB receives"
    )), "{}", lines[0]);
    assert!(
        lines[0].ends_with(
            "(waived: friends' messages: kept until the 2019 migration,%0Athen dropped)"
        ),
        "{}",
        lines[0]
    );
    assert!(
        lines[1].starts_with(&format!(
            "::error {file},line=36,col=18,endLine=36,endColumn=32,title=ftc2012/messages-consent::"
        )),
        "{}",
        lines[1]
    );
    assert!(lines[1].contains("%0Ahelp: "), "{}", lines[1]);
    // One command a line: no raw line break or carriage return survives.
    assert!(!text.contains('\r'));
}

// ---- stdout, stderr, --output ---------------------------------------------

#[test]
fn machine_formats_keep_stdout_for_the_report() {
    for format in ["json", "sarif", "junit", "github", "short"] {
        let out = check("examples", format);
        let text = stdout(&out);
        assert!(!text.contains("checked "), "{format}: summary on stdout");
        let err = stderr(&out);
        assert!(err.starts_with("checked "), "{format}: {err}");
        assert_eq!(err.lines().count(), 1, "{format}: {err}");
    }
}

#[test]
fn output_writes_the_report_to_a_file_and_the_summary_to_stderr() {
    let tmp = tempfile::tempdir().unwrap();
    for format in FORMATS {
        let file = tmp.path().join(format!("report.{format}"));
        let file_arg = file.to_string_lossy().into_owned();
        let out = proviso(
            repo(),
            &[
                "check", "examples", "--as-of", AS_OF, "--format", format, "--output", &file_arg,
            ],
        );
        assert_eq!(out.status.code(), Some(1), "{format}: {}", stderr(&out));
        assert!(out.stdout.is_empty(), "{format}: stdout is not empty");
        assert!(stderr(&out).starts_with("checked "), "{format}");
        let written = std::fs::read_to_string(&file).unwrap();
        let direct = stdout(&check("examples", format));
        let (written, direct) = if format == "json" {
            (redact_json(&written), redact_json(&direct))
        } else if format == "human" {
            // On stdout the human report ends with the summary line.
            let direct = direct.trim_end().rsplit_once('\n').unwrap().0.to_string();
            (
                written.trim_end().to_string(),
                direct.trim_end().to_string(),
            )
        } else {
            (written, direct)
        };
        assert_eq!(written, direct, "{format}");
    }
    let out = proviso(
        repo(),
        &[
            "check",
            "examples",
            "--format",
            "json",
            "--output",
            "/nonexistent/dir/report.json",
        ],
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).starts_with("error: cannot write `/nonexistent/dir/report.json`: "));
}

// ---- exit codes -----------------------------------------------------------

const FAIL_ON: [&str; 4] = ["error", "warning", "note", "never"];

#[test]
fn exit_codes_do_not_depend_on_the_format() {
    for format in FORMATS {
        for fail_on in FAIL_ON {
            let out = proviso(
                repo(),
                &[
                    "check",
                    "examples",
                    "--as-of",
                    AS_OF,
                    "--format",
                    format,
                    "--fail-on",
                    fail_on,
                ],
            );
            let expected = if fail_on == "never" { 0 } else { 1 };
            assert_eq!(
                out.status.code(),
                Some(expected),
                "{format} --fail-on {fail_on}"
            );
        }
    }
}

/// A policy with one rule of the given severity, which the waived.yaml
/// manifest (without its waiver) fails once.
fn one_rule_policy(dir: &Path, severity: &str) -> PathBuf {
    let path = dir.join(format!("{severity}.proviso"));
    let text = format!(
        "policy test for partnership/v1\n\
         \n\
         /// Consent is recorded.\n\
         rule test/recorded-consent {{\n\
         \x20 title    \"consent is recorded\"\n\
         \x20 severity {severity}\n\
         \x20 each grant in grants\n\
         \x20 require grant.consent.recorded\n\
         \x20 message \"consent for `{{grant.id}}` is not recorded\"\n\
         }}\n"
    );
    std::fs::write(&path, text).unwrap();
    path
}

#[test]
fn exit_codes_under_each_fail_on() {
    let tmp = tempfile::tempdir().unwrap();
    let fixture = std::fs::read_to_string(repo().join("tests/data/formats/waived.yaml")).unwrap();
    let bare = fixture.split("\nwaivers:").next().unwrap().to_string() + "\n";
    let waived = format!(
        "{bare}waivers:\n  - rule: test/recorded-consent\n    reason: accepted\n    approved_by: council\n    expires: 2019-06-01\n"
    );
    std::fs::write(tmp.path().join("bare.yaml"), &bare).unwrap();
    std::fs::write(tmp.path().join("waived.yaml"), &waived).unwrap();
    let schema = repo().join("policies/partnership.proviso");
    let schema = schema.to_string_lossy();
    let rank = |s: &str| ["note", "warning", "error"].iter().position(|r| *r == s);
    for severity in ["error", "warning", "note"] {
        let policy = one_rule_policy(tmp.path(), severity);
        let policy = policy.to_string_lossy();
        for manifest in ["bare.yaml", "waived.yaml"] {
            for fail_on in FAIL_ON {
                let out = proviso(
                    tmp.path(),
                    &[
                        "check",
                        manifest,
                        "--policy",
                        &schema,
                        "--policy",
                        &policy,
                        "--as-of",
                        AS_OF,
                        "--format",
                        "json",
                        "--fail-on",
                        fail_on,
                    ],
                );
                let doc: Value = serde_json::from_str(&stdout(&out))
                    .unwrap_or_else(|e| panic!("{e}: {}", stderr(&out)));
                assert_eq!(doc["findings"].as_array().unwrap().len(), 1);
                let fails = manifest == "bare.yaml"
                    && fail_on != "never"
                    && rank(severity) >= rank(fail_on);
                assert_eq!(
                    out.status.code(),
                    Some(i32::from(fails)),
                    "{severity} finding in {manifest}, --fail-on {fail_on}"
                );
            }
        }
    }
}

#[test]
fn a_run_that_fails_writes_no_report() {
    let tmp = tempfile::tempdir().unwrap();
    let bad = tmp.path().join("bad.proviso");
    std::fs::write(&bad, "policy x for nowhere/v1\n").unwrap();
    let bad = bad.to_string_lossy();
    for format in ["json", "sarif", "junit", "github"] {
        let out = proviso(
            repo(),
            &["check", "examples", "--policy", &bad, "--format", format],
        );
        assert_eq!(out.status.code(), Some(2), "{format}");
        assert!(out.stdout.is_empty(), "{format}: {}", stdout(&out));
        assert!(!stderr(&out).is_empty());
    }
}
