//! The loader against serde_yaml, the reference: every example, every test
//! manifest, the YAML cases of `tests/yaml/` and a corpus of the examples
//! rewritten in other YAML styles are read both ways, and the values
//! compared. Where the two differ, the difference must be one of the known
//! ones between libyaml (YAML 1.1 habits) and YAML 1.2, named with its
//! reason; any other fails the test, and every difference is listed.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use proviso::check::Program;
use proviso::manifest::load::{load, Loaded};
use proviso::schema::{Ty, Types};
use proviso::value::Value;
use serde_yaml::Value as Yaml;
use std::path::{Path, PathBuf};

fn program() -> Program {
    proviso::check::compile(&proviso::shipped::sources()).expect("the shipped policies check")
}

/// The known differences, by the name of the case that shows each.
const KNOWN: &[(&str, &str)] = &[
    ("d1-flow-at-key-column.yaml", "a flow collection continued at its key's column: YAML 1.2 forbids it, libyaml accepts it; proviso reports it where it is"),
    ("d1-flow-items-at-key-column.yaml", "flow items continued at their key's column: YAML 1.2 forbids it, libyaml accepts it"),
    ("d1-quoted-at-key-column.yaml", "quoted text continued at its key's column: YAML 1.2 forbids it, libyaml accepts it"),
    ("d4-tab-lines.yaml", "a line of only a tab, and a tab before a comment: valid YAML 1.2, refused by libyaml"),
    ("d5-line-separator-in-comment.yaml", "U+2028 ends a line for libyaml only: libyaml reads a key that YAML 1.2 (and proviso) reads as comment"),
    ("d6-null-tag.yaml", "`!!null` with nothing or `''`: null in YAML 1.2, an error in serde_yaml"),
    ("d7-non-specific-tag.yaml", "the `!` tag only makes a string in YAML 1.2; serde_yaml reads a tagged value"),
    ("duplicate-key.yaml", "serde_yaml::Value refuses a repeated key as an error of the whole file; proviso reads the file and reports each repeated key where it is"),
    ("d8-anchor-names.yaml", "anchor names with `.` or outside ASCII: valid YAML 1.2, refused by libyaml"),
];

/// A typed value as the generic YAML value it was read from.
fn generic(types: &Types, ty: &Ty, v: &Value) -> Yaml {
    match (v, ty.required()) {
        (Value::Bool(b), _) => Yaml::Bool(*b),
        (Value::Int(i), _) => Yaml::Number((*i).into()),
        (Value::Str(s), _) => Yaml::String(s.clone()),
        (Value::Date(d), _) => Yaml::String(d.to_string()),
        (Value::Duration(d), _) => Yaml::String(d.to_string()),
        (Value::Enum(e), Ty::Enum(id)) => {
            Yaml::String(types.enum_def(*id).unwrap().name_of(*e).to_string())
        }
        (Value::List(items), Ty::List(elem)) => {
            Yaml::Sequence(items.iter().map(|i| generic(types, elem, i)).collect())
        }
        (Value::Map(entries), Ty::Map(k, val)) => Yaml::Mapping(
            entries
                .iter()
                .map(|(key, value)| (generic(types, k, key), generic(types, val, value)))
                .collect(),
        ),
        (Value::Record(slots), Ty::Record(rid)) => {
            let rec = types.record(*rid).unwrap();
            Yaml::Mapping(
                rec.fields
                    .iter()
                    .zip(slots)
                    .filter_map(|(f, s)| {
                        Some((
                            Yaml::String(f.name.clone()),
                            generic(types, &f.ty, s.as_ref()?),
                        ))
                    })
                    .collect(),
            )
        }
        (v, ty) => panic!("{v:?} is not a {ty:?}"),
    }
}

/// serde_yaml's value as the loader keeps it: no `schema` key (it names the
/// type), no null-valued entries (an absent optional), and scalars that the
/// schema reads as text in the form the loader shows them.
fn normalized(v: &Yaml) -> Yaml {
    match v {
        Yaml::Mapping(m) => Yaml::Mapping(
            m.iter()
                .filter(|(k, v)| !v.is_null() && k.as_str() != Some("schema"))
                .map(|(k, v)| (k.clone(), normalized(v)))
                .collect(),
        ),
        Yaml::Sequence(s) => Yaml::Sequence(s.iter().map(normalized).collect()),
        other => other.clone(),
    }
}

#[derive(Debug)]
enum Outcome {
    /// Both read the same values (or the same syntax error).
    Same,
    Differ(String),
}

fn compare(program: &Program, text: &str) -> Outcome {
    let theirs = serde_yaml::from_str::<Yaml>(text);
    let ours = load(text, &program.types);
    match (theirs, ours) {
        (Err(_), Loaded::Syntax(_)) => Outcome::Same,
        (Ok(_), Loaded::Syntax(e)) => {
            Outcome::Differ(format!("only proviso refuses it: {}", e.message))
        }
        (Err(e), _) => Outcome::Differ(format!("only serde_yaml refuses it: {e}")),
        (
            Ok(theirs),
            Loaded::Manifest {
                schema,
                value,
                issues,
                ..
            },
        ) if issues.is_empty() => {
            let root = Ty::Record(program.types.schemas[schema].root);
            let ours = generic(&program.types, &root, &value);
            // serde_yaml reads dates, durations and enum values as text,
            // as YAML does; numbers and booleans it resolves as proviso.
            let theirs = normalized(&theirs);
            if ours == stringly(&theirs, &ours) {
                Outcome::Same
            } else {
                Outcome::Differ(format!(
                    "values differ:\nproviso:    {}\nserde_yaml: {}",
                    serde_json::to_string(&ours).unwrap(),
                    serde_json::to_string(&theirs).unwrap()
                ))
            }
        }
        // Both read it; it is not a valid manifest, so the loader has no
        // whole value to compare.
        (Ok(_), _) => Outcome::Same,
    }
}

/// `theirs` with each scalar turned into text where `ours` holds text:
/// serde_yaml resolves `2019-06-01` as a string already, but `NO` or `1.0`
/// in an enum or string field stays as written.
fn stringly(theirs: &Yaml, ours: &Yaml) -> Yaml {
    match (theirs, ours) {
        (Yaml::Mapping(t), Yaml::Mapping(o)) => Yaml::Mapping(
            t.iter()
                .map(|(k, v)| {
                    (
                        k.clone(),
                        o.get(k).map_or_else(|| v.clone(), |ov| stringly(v, ov)),
                    )
                })
                .collect(),
        ),
        (Yaml::Sequence(t), Yaml::Sequence(o)) => Yaml::Sequence(
            t.iter()
                .enumerate()
                .map(|(i, v)| o.get(i).map_or_else(|| v.clone(), |ov| stringly(v, ov)))
                .collect(),
        ),
        _ => theirs.clone(),
    }
}

fn yaml_files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for entry in walkdir::WalkDir::new(dir).sort_by_file_name() {
        let entry = entry.unwrap();
        let p = entry.path();
        if p.extension().is_some_and(|e| e == "yaml" || e == "yml") {
            out.push(p.to_path_buf());
        }
    }
    out
}

/// The examples rewritten in other YAML styles: re-emitted in block style,
/// as JSON (flow style) on one line and pretty, with CRLF line breaks, a
/// byte-order mark and comments, quoted keys, wider indentation, and tabs
/// after the colons.
fn rewrites(name: &str, text: &str) -> Vec<(String, String)> {
    let value: Yaml = serde_yaml::from_str(text).unwrap();
    let json: serde_json::Value = serde_yaml::from_value(value.clone()).unwrap();
    let lines =
        |f: &dyn Fn(&str) -> String| text.lines().map(f).collect::<Vec<_>>().join("\n") + "\n";
    let key_at = |l: &str| -> Option<usize> {
        let body = l.trim_start().strip_prefix("- ").unwrap_or(l.trim_start());
        let key_end = body
            .find(": ")
            .or_else(|| body.strip_suffix(':').map(str::len))?;
        let key = &body[..key_end];
        (!key.is_empty() && key.chars().all(|c| c.is_ascii_alphanumeric() || c == '_'))
            .then(|| l.len() - body.len())
    };
    vec![
        ("block".into(), serde_yaml::to_string(&value).unwrap()),
        ("json".into(), serde_json::to_string(&json).unwrap()),
        (
            "json-pretty".into(),
            serde_json::to_string_pretty(&json).unwrap(),
        ),
        ("crlf".into(), text.replace('\n', "\r\n")),
        (
            "bom-comments".into(),
            format!(
                "\u{feff}# {name}\n{}",
                lines(
                    &|l| if l.trim().is_empty() || l.trim_start().starts_with('#') {
                        l.to_string()
                    } else {
                        format!("{l}  # note: [not, a] {{value}}")
                    }
                )
            ),
        ),
        (
            "quoted-keys".into(),
            lines(&|l| match key_at(l) {
                Some(at) => {
                    let key_end = at + l[at..].find(':').unwrap();
                    format!("{}\"{}\"{}", &l[..at], &l[at..key_end], &l[key_end..])
                }
                None => l.to_string(),
            }),
        ),
        (
            "indent-4".into(),
            lines(&|l| {
                let n = l.len() - l.trim_start().len();
                format!("{}{}", " ".repeat(n * 2), l.trim_start())
            }),
        ),
        (
            "tabs-after-colons".into(),
            lines(
                &|l| match key_at(l).and_then(|at| Some(at + l[at..].find(": ")?)) {
                    Some(colon) => format!("{}:\t{}", &l[..colon], &l[colon + 2..]),
                    None => l.to_string(),
                },
            ),
        ),
    ]
}

#[test]
fn the_loader_reads_what_serde_yaml_reads_except_where_yaml_1_2_says_otherwise() {
    let program = program();
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut inputs: Vec<(String, String)> = Vec::new();
    let mut examples = Vec::new();
    for dir in [
        "examples",
        "tests/manifest_errors",
        "tests/rules",
        "tests/yaml",
    ] {
        for path in yaml_files(&root.join(dir)) {
            let text = proviso::manifest::read::normalize(std::fs::read_to_string(&path).unwrap());
            let name = path.strip_prefix(root).unwrap().display().to_string();
            if dir == "examples" {
                examples.push((name.clone(), text.clone()));
            }
            inputs.push((name, text));
        }
    }
    for (name, text) in &examples {
        for (style, rewritten) in rewrites(name, text) {
            inputs.push((
                format!("{name} ({style})"),
                proviso::manifest::read::normalize(rewritten),
            ));
        }
    }
    assert!(inputs.len() > 150, "only {} inputs", inputs.len());
    let mut listed = Vec::new();
    let mut unexpected = Vec::new();
    let mut known_seen = Vec::new();
    for (name, text) in &inputs {
        if let Outcome::Differ(why) = compare(&program, text) {
            let file = name.rsplit('/').next().unwrap();
            match KNOWN.iter().find(|(case, _)| *case == file) {
                Some((case, reason)) => {
                    known_seen.push(*case);
                    listed.push(format!("{name}: {reason}\n    ({why})"));
                }
                None => unexpected.push(format!("{name}: {why}")),
            }
        }
    }
    eprintln!(
        "{} inputs; {} differ, each for a known reason:\n{}",
        inputs.len(),
        listed.len(),
        listed.join("\n")
    );
    assert!(
        unexpected.is_empty(),
        "unexpected differences:\n{}",
        unexpected.join("\n\n")
    );
    // Each known difference is still one: a case that stops differing has
    // lost its point (or the reference changed), and is looked at again.
    for (case, _) in KNOWN {
        assert!(
            known_seen.contains(case),
            "{case} no longer differs from serde_yaml"
        );
    }
}

/// The line and column of a loader issue's range.
fn issue_at(text: &str, program: &Program, message: &str) -> (usize, usize) {
    let Loaded::Manifest { issues, .. } = load(text, &program.types) else {
        panic!("not a manifest");
    };
    let issue = issues
        .iter()
        .find(|i| i.message.contains(message))
        .unwrap_or_else(|| panic!("no issue `{message}` in {issues:?}"));
    let start = issue.range.clone().unwrap().start;
    let line_start = text[..start].rfind('\n').map_or(0, |i| i + 1);
    (
        text[..start].matches('\n').count() + 1,
        text[line_start..start].chars().count() + 1,
    )
}

#[test]
fn alias_and_complex_keys_are_reported_on_their_own_lines() {
    let program = program();
    let base = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/yaml/d2-alias-key.yaml"),
    )
    .unwrap();
    // An alias key naming no field, and a complex key.
    let text = base.replace(
        "  access_logs: true\n",
        "  access_logs: true\n  *op : 1\n  ? [a]\n  : 1\n",
    );
    let alias_line = text.lines().position(|l| l == "  *op : 1").unwrap() + 1;
    assert_eq!(
        issue_at(&text, &program, "unknown key `read`"),
        (alias_line, 3)
    );
    assert_eq!(
        issue_at(&text, &program, "unknown key `<complex key>`"),
        (alias_line + 1, 5)
    );
}

#[test]
fn text_continued_at_its_keys_column_is_an_error_on_the_line_at_fault() {
    let program = program();
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/yaml");
    for (case, at_fault) in [
        ("d1-flow-at-key-column.yaml", "    personalization"),
        ("d1-flow-items-at-key-column.yaml", "    \"user\","),
        ("d1-quoted-at-key-column.yaml", "  Musikk AS\""),
    ] {
        let text = std::fs::read_to_string(dir.join(case)).unwrap();
        let Loaded::Syntax(e) = load(&text, &program.types) else {
            panic!("{case} loads");
        };
        let start = e.range.unwrap().start;
        let line = text[..start].matches('\n').count();
        assert_eq!(
            text.lines().nth(line),
            Some(at_fault),
            "{case}: {}",
            e.message
        );
        let help = e.help.unwrap();
        assert!(
            help.contains("indented further than its key"),
            "{case}: {help}"
        );
    }
}
