//! `--format sarif`: SARIF 2.1.0, the format code-scanning services read
//! (GitHub code scanning, Azure DevOps, many IDE viewers). The output is
//! valid against the official schema (`tests/data/sarif-schema-2.1.0.json`).
//!
//! One run; `tool.driver.rules` is the whole catalogue (the loaded rules,
//! then the built-in checks), so a viewer can describe a rule that has no
//! finding yet. Each result points at the manifest region, and at the
//! rule's declaration as a related location. A waived finding is still a
//! result, with an accepted external suppression, which is how code
//! scanning learns not to raise it. Columns count Unicode code points, as
//! proviso's do everywhere, and the run says so (`columnKind`).

use super::json::write_pretty;
use super::{catalogue, CatalogueEntry};
use crate::ast::Severity;
use crate::check::Program;
use crate::diagnostics::Finding;
use crate::run::{FileReport, Report};
use crate::source::{Span, BUILTIN_PREFIX};
use serde_json::{json, Map, Value};
use std::collections::HashMap;
use std::io::{self, Write};

const SCHEMA: &str = "https://json.schemastore.org/sarif-2.1.0.json";

fn level(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Note => "note",
    }
}

fn descriptor(entry: &CatalogueEntry<'_>) -> Value {
    let doc = entry.doc.split_whitespace().collect::<Vec<_>>().join(" ");
    let (full, help) = if entry.source.is_none() {
        let text = format!(
            "{}: a check built into proviso; it cannot be waived",
            entry.title
        );
        (text.clone(), text)
    } else {
        let full = if doc.is_empty() {
            entry.title.to_string()
        } else {
            doc
        };
        (
            full,
            entry
                .help
                .clone()
                .unwrap_or_else(|| entry.title.to_string()),
        )
    };
    json!({
        "id": entry.id,
        // Rule ids are already stable, readable identifiers; code-scanning
        // tools do the same (CodeQL's `name` is its id).
        "name": entry.id,
        "shortDescription": { "text": entry.title },
        "fullDescription": { "text": full },
        "help": { "text": help },
        "defaultConfiguration": { "level": level(entry.severity) },
        "properties": { "policy": entry.policy },
    })
}

/// A path as a URI reference: relative paths stay relative (code scanning
/// resolves them against the repository root), absolute ones become
/// `file://` URIs. The path is taken as the bytes the file system gave, so
/// a name that is not UTF-8 keeps its exact bytes; every byte outside the
/// unreserved set is percent-encoded, so spaces, `#`, control characters
/// and non-ASCII names stay valid. A backslash separates directories, as
/// on Windows.
pub fn uri(path: impl AsRef<[u8]>) -> String {
    let path = path.as_ref();
    let (mut out, rest) = match path {
        // `C:/dir/file.yaml`: the drive keeps its colon.
        [letter, b':', b'/' | b'\\', ..] if letter.is_ascii_alphabetic() => (
            format!("file:///{}:", char::from(*letter)),
            path.get(2..).unwrap_or_default(),
        ),
        [b'/' | b'\\', ..] => ("file://".to_string(), path),
        _ => (String::new(), path),
    };
    for &b in rest {
        let b = if b == b'\\' { b'/' } else { b };
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~' | b'/') {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

fn region(start: (usize, usize), end: (usize, usize)) -> Value {
    json!({
        "startLine": start.0,
        "startColumn": start.1,
        "endLine": end.0,
        "endColumn": end.1,
    })
}

fn physical(path: &[u8], region: Option<Value>) -> Value {
    let mut location = Map::new();
    location.insert("artifactLocation".into(), json!({ "uri": uri(path) }));
    if let Some(region) = region {
        location.insert("region".into(), region);
    }
    Value::Object(location)
}

/// A rule's place. A shipped policy keeps its name as its URI
/// (`builtin:ftc2012.proviso`): it is compiled into proviso, not a file of
/// the repository, and a relative URI would name one.
fn rule_location(id: usize, rule: &str, span: &Span) -> Value {
    let src = &span.src;
    let artifact = match src.name.strip_prefix(BUILTIN_PREFIX) {
        Some(file) if src.is_builtin() => format!("{BUILTIN_PREFIX}{}", uri(file)),
        _ => uri(src.name.as_bytes()),
    };
    json!({
        "id": id,
        "physicalLocation": {
            "artifactLocation": { "uri": artifact },
            "region": region(span.start_line_col(), span.end_line_col()),
        },
        "message": { "text": format!("rule `{rule}` is declared here") },
    })
}

fn result(f: &Finding, rule_index: Option<usize>) -> Value {
    let loc = &f.location;
    let manifest_region = match (&loc.source, &loc.range) {
        (Some(_), Some(_)) => Some(region(loc.line_col(), loc.end_line_col())),
        // A finding about the whole file (unreadable, not evaluable) has
        // no region: SARIF then means the whole artifact.
        _ => None,
    };
    let mut related = Vec::new();
    if let Some(span) = &f.rule_span {
        related.push(rule_location(related.len() + 1, &f.rule, span));
    }
    // Further blamed values (the other false side of an `and`); the first
    // label is the primary location itself.
    if let Some(src) = &loc.source {
        for (range, label) in &f.labels {
            if Some(range) == loc.range.as_ref() {
                continue;
            }
            let text = if label.is_empty() {
                "also blamed"
            } else {
                label
            };
            related.push(json!({
                "id": related.len() + 1,
                "physicalLocation": physical(
                    loc.raw_path.as_deref().unwrap_or(loc.path.as_bytes()),
                    Some(region(src.line_col(range.start), src.line_col(range.end))),
                ),
                "message": { "text": text },
            }));
        }
    }
    // Places in other manifests (a rule across manifests).
    for (other, label) in &f.related {
        let region = match (&other.source, &other.range) {
            (Some(_), Some(_)) => Some(region(other.line_col(), other.end_line_col())),
            _ => None,
        };
        related.push(json!({
            "id": related.len() + 1,
            "physicalLocation": physical(
                other.raw_path.as_deref().unwrap_or(other.path.as_bytes()),
                region,
            ),
            "message": { "text": label },
        }));
    }
    let mut result = Map::new();
    result.insert("ruleId".into(), json!(f.rule));
    if let Some(i) = rule_index {
        result.insert("ruleIndex".into(), json!(i));
    }
    result.insert("level".into(), json!(level(f.severity)));
    result.insert("message".into(), json!({ "text": f.message }));
    result.insert(
        "locations".into(),
        json!([{ "physicalLocation": physical(loc.raw_path.as_deref().unwrap_or(loc.path.as_bytes()), manifest_region) }]),
    );
    if !related.is_empty() {
        result.insert("relatedLocations".into(), Value::Array(related));
    }
    // A "did you mean" as SARIF's fix: the replacement of a region of the
    // manifest, which a viewer can offer to apply.
    if let (Some(fix), Some(src)) = (&f.fix, &loc.source) {
        result.insert(
            "fixes".into(),
            json!([{
                "description": { "text": format!("Replace with `{}`", fix.replacement) },
                "artifactChanges": [{
                    "artifactLocation": {
                        "uri": uri(loc.raw_path.as_deref().unwrap_or(loc.path.as_bytes())),
                    },
                    "replacements": [{
                        "deletedRegion": region(
                            src.line_col(fix.range.start),
                            src.line_col(fix.range.end),
                        ),
                        "insertedContent": { "text": fix.replacement },
                    }],
                }],
            }]),
        );
    }
    if let Some(w) = &f.waiver {
        result.insert(
            "suppressions".into(),
            // The waiver is written in the manifest itself, beside the
            // values it covers: an in-source suppression.
            json!([{
                "kind": "inSource",
                "status": "accepted",
                "justification": w.reason,
                "properties": {
                    "approvedBy": w.approved_by,
                    "expires": w.expires.to_string(),
                    "pointer": w.pointer.to_string(),
                },
            }]),
        );
    }
    let mut properties = Map::new();
    if let Some(pointer) = &loc.pointer {
        properties.insert("pointer".into(), json!(pointer.to_string()));
    }
    if let Some(help) = &f.help {
        properties.insert("help".into(), json!(help));
    }
    if !properties.is_empty() {
        result.insert("properties".into(), Value::Object(properties));
    }
    Value::Object(result)
}

/// How the log ends after `"results": []`: the results are the run's last
/// member, and the run is the log's only one.
const TAIL: &str = "[]\n    }\n  ]\n}";

/// Writes the SARIF log as the check goes. Everything before the results
/// (the tool, its rules) is known from the program, and nothing after them
/// needs the run's totals: the head is written first, then each file's
/// results as the file is handed on, then the closing brackets. Only the
/// catalogue and the file at hand are held.
pub struct Stream<'p, W: Write> {
    out: W,
    /// Rule ids to their index in `tool.driver.rules`.
    index: HashMap<&'p str, usize>,
    /// No result has been written yet.
    empty: bool,
}

impl<'p, W: Write> Stream<'p, W> {
    pub fn start(program: &'p Program, mut out: W) -> io::Result<Stream<'p, W>> {
        let rules = catalogue(program);
        let version = env!("CARGO_PKG_VERSION");
        let log = json!({
            "$schema": SCHEMA,
            "version": "2.1.0",
            "runs": [{
                "tool": {
                    "driver": {
                        "name": "proviso",
                        "version": version,
                        "semanticVersion": version,
                        "rules": rules.iter().map(descriptor).collect::<Vec<_>>(),
                    },
                },
                "columnKind": "unicodeCodePoints",
                "results": [],
            }],
        });
        let text = serde_json::to_string_pretty(&log)?;
        let head = text
            .strip_suffix(TAIL)
            .ok_or_else(|| io::Error::other("the SARIF log does not end with its results"))?;
        out.write_all(head.as_bytes())?;
        out.write_all(b"[")?;
        let index = rules.iter().enumerate().map(|(i, r)| (r.id, i)).collect();
        Ok(Stream {
            out,
            index,
            empty: true,
        })
    }

    /// One file's results, in the report's order.
    pub fn file(&mut self, file: &FileReport) -> io::Result<()> {
        for f in &file.findings {
            let value = result(f, self.index.get(f.rule.as_str()).copied());
            self.out.write_all(if self.empty {
                b"\n        "
            } else {
                b",\n        "
            })?;
            self.empty = false;
            write_pretty(&mut self.out, &value, "        ")?;
        }
        Ok(())
    }

    /// The end of the results, the run and the log, with a final newline.
    pub fn finish(mut self) -> io::Result<W> {
        if !self.empty {
            self.out.write_all(b"\n      ")?;
        }
        self.out.write_all(b"]\n    }\n  ]\n}\n")?;
        Ok(self.out)
    }
}

/// The SARIF log, pretty-printed, with a final newline.
pub fn render(program: &Program, report: &Report) -> Result<String, String> {
    let mut stream = Stream::start(program, Vec::new()).map_err(|e| e.to_string())?;
    for file in &report.files {
        stream.file(file).map_err(|e| e.to_string())?;
    }
    let bytes = stream.finish().map_err(|e| e.to_string())?;
    String::from_utf8(bytes).map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use super::uri;

    #[test]
    fn uris_percent_encode_bytes_that_are_not_utf8() {
        assert_eq!(uri(b"dir/\xff\xfe.yaml"), "dir/%FF%FE.yaml");
        assert_eq!(uri(b"a\nb\x1b.yaml"), "a%0Ab%1B.yaml");
        assert_eq!(uri("p/Sp\u{f6}tify.yaml"), "p/Sp%C3%B6tify.yaml");
        assert_eq!(uri(b"/srv/\x80.yaml"), "file:///srv/%80.yaml");
        assert_eq!(uri(b"C:\\r\\\xe9.yaml"), "file:///C:/r/%E9.yaml");
        assert_eq!(
            uri(b"\\\\server\\share\\a.yaml"),
            "file:////server/share/a.yaml"
        );
    }
}
