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
    insta::assert_snapshot!(redact_root(&out, repo()));
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

/// The root's URI in a log, `file:///…/`, replaced: it is where the
/// check ran.
fn redact_root(text: &str, dir: &Path) -> String {
    let root = proviso::report::sarif::Root::find_from(dir, None).unwrap();
    text.replace(&format!("\"{}\"", root.uri()), "\"file:///[root]/\"")
}

/// The anchor GitHub gives a Markdown heading, written here apart from the
/// one proviso links to: lowercase, spaces as `-`, and of the other
/// characters only letters, digits, `-` and `_`.
fn github_anchor(heading: &str) -> String {
    heading
        .to_lowercase()
        .replace(' ', "-")
        .chars()
        .filter(|c| c.is_alphanumeric() || *c == '-' || *c == '_')
        .collect()
}

#[test]
fn sarif_describes_every_rule_for_code_scanning() {
    let program = shipped();
    let log: Value = serde_json::from_str(&stdout(&check("examples", "sarif"))).unwrap();
    let run = &log["runs"][0];
    let driver = &run["tool"]["driver"];
    assert_eq!(driver["name"], "proviso");
    assert_eq!(driver["version"], env!("CARGO_PKG_VERSION"));
    assert!(driver["informationUri"]
        .as_str()
        .unwrap()
        .starts_with("https://"));
    let rules = driver["rules"].as_array().unwrap();
    let ids: Vec<&str> = rules.iter().map(|r| r["id"].as_str().unwrap()).collect();
    for rule in &program.rules {
        assert!(ids.contains(&rule.id.as_str()), "{} is missing", rule.id);
    }
    for builtin in proviso::builtin::Builtin::ALL {
        assert!(ids.contains(&builtin.id()), "{} is missing", builtin.id());
    }
    let doc = std::fs::read_to_string(repo().join("docs/rules.md")).unwrap();
    let anchors: Vec<String> = doc
        .lines()
        .filter_map(|l| l.strip_prefix("### "))
        .map(github_anchor)
        .collect();
    let mut names = Vec::new();
    for r in rules {
        let id = r["id"].as_str().unwrap();
        for key in ["shortDescription", "fullDescription"] {
            assert!(r[key]["text"].is_string(), "{id}: no {key}");
        }
        for key in ["text", "markdown"] {
            assert!(r["help"][key].is_string(), "{id}: no help.{key}");
        }
        assert!(!r["defaultConfiguration"]["level"].is_null());
        // SARIF1001: a name is not the id; SARIF2012: it is one
        // Pascal-case identifier.
        let name = r["name"].as_str().unwrap();
        assert_ne!(name, id);
        assert!(
            name.starts_with(|c: char| c.is_ascii_uppercase())
                && name.chars().all(|c| c.is_ascii_alphanumeric()),
            "{id}: {name}"
        );
        names.push(name);
        let properties = &r["properties"];
        let tags: Vec<&str> = properties["tags"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| t.as_str().unwrap())
            .collect();
        assert!(
            tags.contains(&properties["policy"].as_str().unwrap()),
            "{id}: {tags:?}"
        );
        assert_eq!(properties["precision"], "very-high");
        let level = r["defaultConfiguration"]["level"].as_str().unwrap();
        let problem = if level == "note" {
            "recommendation"
        } else {
            level
        };
        assert_eq!(properties["problem.severity"], problem, "{id}");
        // Every rule here is shipped or built in: each links to its section
        // of docs/rules.md, by the anchor GitHub gives its heading.
        let uri = r["helpUri"].as_str().unwrap();
        let anchor = uri
            .strip_prefix(proviso::report::sarif::RULES_DOC)
            .and_then(|rest| rest.strip_prefix('#'))
            .unwrap_or_else(|| panic!("{id}: {uri}"));
        assert_eq!(anchor, github_anchor(&format!("`{id}`")));
        assert!(
            anchors.iter().any(|a| a == anchor),
            "docs/rules.md has no section `### `{id}``"
        );
        // A shipped rule's source is described, not pointed at.
        let help = r["help"]["text"].as_str().unwrap();
        if proviso::builtin::Builtin::from_id(id).is_none() {
            let policy = properties["policy"].as_str().unwrap();
            assert!(
                help.contains(&format!("Declared in `builtin:{policy}.proviso`"))
                    && help.contains(&format!("`proviso show {id}`")),
                "{help}"
            );
        }
    }
    let mut unique = names.clone();
    unique.sort_unstable();
    unique.dedup();
    assert_eq!(unique.len(), names.len(), "{names:?}");
    assert_eq!(run["columnKind"], "unicodeCodePoints");
    let results = run["results"].as_array().unwrap();
    assert!(!results.is_empty());
    for result in results {
        let index = result["ruleIndex"].as_u64().unwrap() as usize;
        assert_eq!(rules[index]["id"], result["ruleId"]);
        // No location names a file that is not in the repository: the
        // shipped policies are not.
        for location in result["relatedLocations"]
            .as_array()
            .into_iter()
            .flatten()
            .chain(result["locations"].as_array().unwrap())
        {
            let artifact = &location["physicalLocation"]["artifactLocation"];
            let uri = artifact["uri"].as_str().unwrap();
            assert!(uri.starts_with("examples/"), "{uri}");
            assert_eq!(artifact["uriBaseId"], "%SRCROOT%");
        }
    }
}

/// A rule of a policy in the repository keeps its declaration as a related
/// location, relative to the root like the manifest, wherever the check
/// runs; it has no documentation page to link to.
#[test]
fn sarif_points_at_a_rule_in_a_policy_of_the_repository() {
    let tmp = repository();
    std::fs::create_dir_all(tmp.path().join("policies")).unwrap();
    std::fs::create_dir_all(tmp.path().join("partners")).unwrap();
    one_rule_policy(&tmp.path().join("policies"), "error");
    std::fs::copy(
        repo().join("tests/data/formats/waived.yaml"),
        tmp.path().join("partners/spotify.yaml"),
    )
    .unwrap();
    let out = proviso(
        &tmp.path().join("partners"),
        &[
            "check",
            ".",
            "--policy",
            "../policies/error.proviso",
            "--as-of",
            AS_OF,
            "--format",
            "sarif",
        ],
    );
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let log = assert_valid_sarif(
        &sarif_validator(),
        &stdout(&out),
        "a policy of the repository",
    );
    let rule = &log["runs"][0]["tool"]["driver"]["rules"][0];
    assert_eq!(rule["id"], "test/recorded-consent");
    assert_eq!(rule["name"], "TestRecordedConsent");
    assert!(rule["helpUri"].is_null());
    let help = rule["help"]["text"].as_str().unwrap();
    assert!(
        help.contains("Declared in `policies/error.proviso`, line 4"),
        "{help}"
    );
    let result = &log["runs"][0]["results"][0];
    assert_eq!(
        result["locations"][0]["physicalLocation"]["artifactLocation"],
        serde_json::json!({"uri": "partners/spotify.yaml", "uriBaseId": "%SRCROOT%"})
    );
    let related = &result["relatedLocations"][0]["physicalLocation"];
    assert_eq!(
        related["artifactLocation"],
        serde_json::json!({"uri": "policies/error.proviso", "uriBaseId": "%SRCROOT%"})
    );
    assert_eq!(
        related["region"],
        serde_json::json!({"startLine": 4, "startColumn": 6, "endLine": 4, "endColumn": 27})
    );
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

/// A suggestion replaces what was written: a value over two lines as a
/// whole (its finding is shown at its key), and never offers a key the
/// mapping already has.
#[test]
fn suggestions_replace_the_value_and_never_a_key_already_set() {
    let program = shipped();
    let opts = proviso::run::Options::new(proviso::date::Date::parse(AS_OF).unwrap());
    let check =
        |text: &str| proviso::run::check_text(&program, "m.yaml", text.to_string(), &opts).findings;
    let base = std::fs::read_to_string(repo().join("examples/facebook-2018/netflix.yaml")).unwrap();
    for written in ["thrd\n  _party", "\"third\n  _party\""] {
        let text = base.replacen("role: third_party", &format!("role: {written}"), 1);
        let findings = check(&text);
        let f = findings
            .iter()
            .find(|f| f.rule == "manifest/schema")
            .unwrap();
        let fix = f.fix.as_ref().unwrap();
        assert_eq!(&text[fix.range.clone()], written);
        let fixed = format!(
            "{}{}{}",
            &text[..fix.range.start],
            fix.replacement,
            &text[fix.range.end..]
        );
        assert!(
            check(&fixed).iter().all(|f| f.rule != "manifest/schema"),
            "{fixed}"
        );
    }
    let text = base.replacen(
        "    necessity:\n",
        "    necessity:\n      write: x\n    necesity:\n",
        1,
    );
    let text = text.replacen(
        "      write: x\n    necesity:\n      write:",
        "      write: x\n    necesity:\n      read:",
        1,
    );
    let findings = check(&text);
    let f = findings
        .iter()
        .find(|f| f.message.contains("unknown key `necesity`"))
        .unwrap_or_else(|| panic!("{findings:#?}"));
    assert!(f.fix.is_none(), "{:?}", f.fix);
    assert!(
        f.help
            .as_deref()
            .unwrap()
            .contains("`necessity` is set in this"),
        "{:?}",
        f.help
    );
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

/// A temporary repository: a directory holding `.git`.
fn repository() -> tempfile::TempDir {
    let tmp = tempfile::tempdir().unwrap();
    std::fs::create_dir(tmp.path().join(".git")).unwrap();
    tmp
}

/// Copies the examples' manifests into `dir/examples`.
fn copy_examples(dir: &Path) {
    for sub in ["facebook-2018", "compliant"] {
        let to = dir.join("examples").join(sub);
        std::fs::create_dir_all(&to).unwrap();
        for entry in std::fs::read_dir(repo().join("examples").join(sub)).unwrap() {
            let path = entry.unwrap().path();
            std::fs::copy(&path, to.join(path.file_name().unwrap())).unwrap();
        }
    }
}

/// `proviso check ARGS --as-of 2018-12-18 --format sarif` in `dir`: the log,
/// valid against the schema.
fn sarif_in(dir: &Path, args: &[&str]) -> Value {
    let mut all = vec!["check"];
    all.extend_from_slice(args);
    all.extend_from_slice(&["--as-of", AS_OF, "--format", "sarif"]);
    let out = proviso(dir, &all);
    assert!(matches!(out.status.code(), Some(0 | 1)), "{}", stderr(&out));
    assert_valid_sarif(&sarif_validator(), &stdout(&out), &format!("{args:?}"))
}

/// `file:///…/`: a directory as `originalUriBaseIds` must give it, worked
/// out apart from proviso.
fn dir_uri(dir: &Path) -> String {
    let real = dir.canonicalize().unwrap();
    format!("file://{}/", real.to_str().unwrap())
}

/// Code scanning resolves URIs against the repository's root: checked
/// from a subdirectory of it, the examples keep the URIs, and the
/// fingerprints, they have when checked from the root, and from the root
/// of this repository.
#[test]
fn sarif_from_a_subdirectory_is_relative_to_the_repository_root() {
    let tmp = repository();
    copy_examples(tmp.path());
    let inside = sarif_in(&tmp.path().join("examples"), &["."]);
    let run = &inside["runs"][0];
    assert_eq!(
        run["originalUriBaseIds"]["%SRCROOT%"]["uri"],
        dir_uri(tmp.path())
    );
    let results = &run["results"];
    for result in results.as_array().unwrap() {
        let artifact = &result["locations"][0]["physicalLocation"]["artifactLocation"];
        assert!(
            artifact["uri"].as_str().unwrap().starts_with("examples/"),
            "{artifact}"
        );
        assert_eq!(artifact["uriBaseId"], "%SRCROOT%");
    }
    let deeper = sarif_in(
        &tmp.path().join("examples/compliant"),
        &["..", "--root", "../.."],
    );
    assert_eq!(&deeper["runs"][0]["results"], results);
    let from_root = sarif_in(tmp.path(), &["examples"]);
    assert_eq!(&from_root["runs"][0]["results"], results);
    let here: Value = serde_json::from_str(&stdout(&check("examples", "sarif"))).unwrap();
    assert_eq!(&here["runs"][0]["results"], results);
    // The rules are in the examples' snapshot; here, what changes with
    // where the check runs.
    let shown = serde_json::json!({
        "originalUriBaseIds": run["originalUriBaseIds"],
        "results": results,
    });
    let text = serde_json::to_string_pretty(&shown).unwrap();
    insta::assert_snapshot!(redact_root(&text, tmp.path()));
}

/// `--root` names the root where there is no `.git`, or another one;
/// without either, the working directory is the root; a file outside the
/// root keeps an absolute URI of its own.
#[test]
fn sarif_root_is_the_flag_else_git_else_the_working_directory() {
    let tmp = tempfile::tempdir().unwrap();
    assert!(
        tmp.path().ancestors().all(|d| !d.join(".git").exists()),
        "the temporary directory is inside a repository: set TMPDIR elsewhere"
    );
    let sub = tmp.path().join("a/b");
    std::fs::create_dir_all(&sub).unwrap();
    std::fs::copy(
        repo().join("tests/data/formats/waived.yaml"),
        sub.join("m.yaml"),
    )
    .unwrap();
    let uri = |log: &Value| {
        log["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"].clone()
    };
    let base = |log: &Value| log["runs"][0]["originalUriBaseIds"]["%SRCROOT%"]["uri"].clone();

    let here = sarif_in(&tmp.path().join("a"), &["b"]);
    assert_eq!(
        uri(&here),
        serde_json::json!({"uri": "b/m.yaml", "uriBaseId": "%SRCROOT%"})
    );
    assert_eq!(base(&here), dir_uri(&tmp.path().join("a")));

    let given = sarif_in(&tmp.path().join("a"), &["b", "--root", ".."]);
    assert_eq!(
        uri(&given),
        serde_json::json!({"uri": "a/b/m.yaml", "uriBaseId": "%SRCROOT%"})
    );
    assert_eq!(base(&given), dir_uri(tmp.path()));

    std::fs::create_dir(tmp.path().join("a/.git")).unwrap();
    let git = sarif_in(&sub, &["."]);
    assert_eq!(
        uri(&git),
        serde_json::json!({"uri": "b/m.yaml", "uriBaseId": "%SRCROOT%"})
    );
    // `.git` as a file, as in a worktree or a submodule, marks a root too.
    std::fs::write(sub.join(".git"), "gitdir: ../../elsewhere\n").unwrap();
    let worktree = sarif_in(&sub, &["."]);
    assert_eq!(
        uri(&worktree),
        serde_json::json!({"uri": "m.yaml", "uriBaseId": "%SRCROOT%"})
    );

    let outside = sarif_in(&sub, &["../../a/b/m.yaml", "--root", "../.."]);
    assert_eq!(uri(&outside)["uriBaseId"], "%SRCROOT%");
    let beside = tmp.path().join("beside.yaml");
    std::fs::copy(sub.join("m.yaml"), &beside).unwrap();
    let outside = sarif_in(&sub, &["../../beside.yaml"]);
    assert_eq!(
        uri(&outside),
        serde_json::json!({"uri": format!("{}beside.yaml", dir_uri(tmp.path()))})
    );
}

#[test]
fn sarif_root_errors_are_said() {
    let tmp = tempfile::tempdir().unwrap();
    std::fs::copy(
        repo().join("tests/data/formats/waived.yaml"),
        tmp.path().join("m.yaml"),
    )
    .unwrap();
    let run = |args: &[&str]| {
        let mut all = vec!["check", "m.yaml"];
        all.extend_from_slice(args);
        let out = proviso(tmp.path(), &all);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        assert!(out.stdout.is_empty());
        stderr(&out)
    };
    let missing = run(&["--format", "sarif", "--root", "no\x1bwhere"]);
    assert!(
        missing.starts_with("error: `--root no\\x1bwhere`: No such file or directory"),
        "{missing}"
    );
    assert!(missing.contains("help: give the directory of the repository's root"));
    let file = run(&["--format", "sarif", "--root", "m.yaml"]);
    assert!(
        file.starts_with("error: `--root m.yaml`: it is not a directory"),
        "{file}"
    );
    let json = run(&["--format", "json", "--root", "."]);
    assert!(
        json.starts_with("error: `--root` sets the directory SARIF URIs are relative to; it works with `--format sarif`"),
        "{json}"
    );
}

/// The fingerprints of a manifest's results, in order, with their lines.
fn fingerprinted(log: &Value) -> Vec<(String, u64, String)> {
    log["runs"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            let fingerprints = &r["partialFingerprints"];
            let ours = fingerprints["proviso/v1"].as_str().unwrap().to_string();
            // GitHub reads `primaryLocationLineHash` alone: it must be
            // there, and follow ours.
            let github = fingerprints["primaryLocationLineHash"].as_str().unwrap();
            let (digest, n) = ours.split_once(':').unwrap();
            assert_eq!(github, format!("{}:{n}", &digest[..16]));
            (
                r["ruleId"].as_str().unwrap().to_string(),
                r["locations"][0]["physicalLocation"]["region"]["startLine"]
                    .as_u64()
                    .unwrap(),
                ours,
            )
        })
        .collect()
}

/// A fingerprint follows the finding, not its line: a line added above
/// moves every result and changes no fingerprint; two values blamed on one
/// line are two fingerprints; another value on the blamed line leaves the
/// others' alone; another partner id is another partner's finding.
#[test]
fn sarif_fingerprints_follow_the_finding_not_its_line() {
    let tmp = repository();
    let path = tmp.path().join("blackberry.yaml");
    let text =
        std::fs::read_to_string(repo().join("examples/facebook-2018/blackberry.yaml")).unwrap();
    std::fs::write(&path, &text).unwrap();
    let before = fingerprinted(&sarif_in(tmp.path(), &["blackberry.yaml"]));
    let fingerprints: Vec<&String> = before.iter().map(|(_, _, f)| f).collect();
    let mut unique = fingerprints.clone();
    unique.sort_unstable();
    unique.dedup();
    assert_eq!(unique.len(), fingerprints.len(), "{before:#?}");
    // `subjects: [user, friends, friends_of_friends]`, with consent from
    // the user alone: two findings of one rule on line 49.
    let line49: Vec<&(String, u64, String)> = before
        .iter()
        .filter(|(rule, line, _)| rule == "ftc2012/subject-consent" && *line == 49)
        .collect();
    assert_eq!(line49.len(), 2, "{before:#?}");
    assert_ne!(line49[0].2, line49[1].2);

    std::fs::write(&path, format!("\n{text}")).unwrap();
    let moved = fingerprinted(&sarif_in(tmp.path(), &["blackberry.yaml"]));
    assert_eq!(moved.len(), before.len());
    for (b, m) in before.iter().zip(&moved) {
        assert_eq!((&m.0, m.1, &m.2), (&b.0, b.1 + 1, &b.2));
    }

    let more = text.replacen(
        "subjects: [user, friends, friends_of_friends]",
        "subjects: [user, friends, friends_of_friends, non_users]",
        1,
    );
    assert_ne!(more, text);
    std::fs::write(&path, &more).unwrap();
    let widened = fingerprinted(&sarif_in(tmp.path(), &["blackberry.yaml"]));
    for old in &line49 {
        assert!(widened.iter().any(|w| w.2 == old.2), "{old:?} is gone");
    }
    assert_eq!(
        widened
            .iter()
            .filter(|(rule, line, _)| rule == "ftc2012/subject-consent" && *line == 49)
            .count(),
        3
    );

    let renamed = text.replacen("  id: blackberry\n", "  id: blackberry-ltd\n", 1);
    assert_ne!(renamed, text);
    std::fs::write(&path, &renamed).unwrap();
    let other = fingerprinted(&sarif_in(tmp.path(), &["blackberry.yaml"]));
    assert_eq!(other.len(), before.len());
    for (b, o) in before.iter().zip(&other) {
        assert_ne!(b.2, o.2);
    }
}

/// Grants are named by their id in a fingerprint: swapping two grants, or
/// removing the first, keeps each grant's findings' fingerprints.
#[test]
fn sarif_fingerprints_follow_a_grant_moved_in_its_list() {
    let tmp = repository();
    let path = tmp.path().join("m.yaml");
    let text = std::fs::read_to_string(repo().join("examples/facebook-2018/netflix.yaml")).unwrap();
    let (head, rest) = text.split_once("grants:\n").unwrap();
    let (grant, tail) = rest.split_once("transfers:").unwrap();
    let other = grant
        .replace("- id: inbox", "- id: outbox")
        .replace("recorded: false", "recorded: true");
    let write = |grants: &[&str]| {
        std::fs::write(
            &path,
            format!("{head}grants:\n{}transfers:{tail}", grants.concat()),
        )
        .unwrap();
        let log = sarif_in(tmp.path(), &["m.yaml"]);
        let mut found: Vec<(String, String)> = fingerprinted(&log)
            .into_iter()
            .map(|(rule, _, f)| (rule, f))
            .collect();
        found.sort();
        found
    };
    let inbox_only = write(&[grant]);
    let both = write(&[&other, grant]);
    let swapped = write(&[grant, &other]);
    assert_eq!(both, swapped);
    // Each of inbox's findings keeps its fingerprint beside outbox.
    for f in &inbox_only {
        assert!(both.contains(f), "{f:?} moved: {both:#?}");
    }
}

/// A finding of a rule across manifests is fingerprinted like any other,
/// and names the other manifest relative to the root too.
#[test]
fn sarif_fingerprints_findings_across_manifests() {
    let tmp = repository();
    let sub = tmp.path().join("partners");
    std::fs::create_dir(&sub).unwrap();
    let text = std::fs::read_to_string(repo().join("tests/data/formats/waived.yaml")).unwrap();
    std::fs::write(sub.join("a.yaml"), &text).unwrap();
    std::fs::write(sub.join("b.yaml"), &text).unwrap();
    let log = sarif_in(&sub, &["."]);
    let results = log["runs"][0]["results"].as_array().unwrap();
    let across: Vec<&Value> = results
        .iter()
        .filter(|r| r["ruleId"] == "repo/unique-partner-id")
        .collect();
    assert!(!across.is_empty(), "{results:#?}");
    for r in &across {
        assert!(r["partialFingerprints"]["proviso/v1"].is_string());
        for related in r["relatedLocations"].as_array().unwrap() {
            let artifact = &related["physicalLocation"]["artifactLocation"];
            assert_eq!(artifact["uriBaseId"], "%SRCROOT%");
            assert!(artifact["uri"].as_str().unwrap().starts_with("partners/"));
        }
    }
    let all: Vec<&Value> = results.iter().map(|r| &r["partialFingerprints"]).collect();
    for (i, a) in all.iter().enumerate() {
        assert!(!all[i + 1..].contains(a), "{a} twice");
    }
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
            "(waived: friends' messages: kept until the 2019 migration,\\nthen dropped)"
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
