//! `--format sarif`: SARIF 2.1.0, the format code-scanning services read
//! (GitHub code scanning, Azure DevOps, many IDE viewers). The output is
//! valid against the official schema (`tests/data/sarif-schema-2.1.0.json`).
//!
//! One run; `tool.driver.rules` is the whole catalogue (the loaded rules,
//! then the built-in checks), so a viewer can describe a rule that has no
//! finding yet. Each result points at the manifest region, with a URI
//! relative to the repository's root ([`Root`]), and carries fingerprints
//! that follow the finding rather than its line ([`fingerprint`]). A
//! rule declared in a policy file of the repository is a related
//! location; a shipped rule is described in its help instead. A waived
//! finding is still a result, with an accepted in-source suppression,
//! which is how code scanning learns not to raise it. Columns count
//! Unicode code points, as proviso's do everywhere, and the run says so
//! (`columnKind`).

pub mod fingerprint;
mod root;
mod rules;

pub use root::{Artifact, Root};
pub use rules::RULES_DOC;

use super::json::write_pretty;
use super::{catalogue, CatalogueEntry};
use crate::ast::Severity;
use crate::check::Program;
use crate::diagnostics::{Finding, Location};
use crate::run::{FileReport, Report};
use crate::source::Span;
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

/// A path as a URI reference: relative paths stay relative (to the root,
/// see [`Root`]), absolute ones become `file://` URIs. The path is taken as
/// the bytes the file system gave, so a name that is not UTF-8 keeps its
/// exact bytes; every byte outside the unreserved set is percent-encoded,
/// so spaces, `#`, control characters and non-ASCII names stay valid. A
/// backslash separates directories, as on Windows.
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

/// An `artifactLocation`: relative to the root, or an absolute URI.
fn artifact_location(artifact: &Artifact) -> Value {
    if artifact.under_root {
        json!({ "uri": artifact.uri, "uriBaseId": root::SRCROOT })
    } else {
        json!({ "uri": artifact.uri })
    }
}

fn physical(artifact: &Artifact, region: Option<Value>) -> Value {
    let mut location = Map::new();
    location.insert("artifactLocation".into(), artifact_location(artifact));
    if let Some(region) = region {
        location.insert("region".into(), region);
    }
    Value::Object(location)
}

/// The file a finding's location is in, as the file system names it.
fn path_bytes(loc: &Location) -> &[u8] {
    loc.raw_path.as_deref().unwrap_or(loc.path.as_bytes())
}

/// A rule's declaration in a policy file of the user's, as a related
/// location. A shipped policy has none: it is compiled into proviso, not a
/// file of the repository. GitHub code scanning shows a related location
/// only as a link to a file of the repository, and does not read
/// `run.artifacts` (where the policy could be embedded with its
/// `contents`); the SARIF Multitool's GitHub rules reject a location whose
/// URI is not a file's (GH1005). So the rule's help says where it is
/// declared instead, which GitHub shows beside every alert.
fn rule_location(id: usize, rule: &str, span: &Span, cx: &Context<'_>) -> Option<Value> {
    if span.src.is_builtin() {
        return None;
    }
    let artifact = cx.policies.get(&span.src.name)?;
    Some(json!({
        "id": id,
        "physicalLocation": physical(
            artifact,
            Some(region(span.start_line_col(), span.end_line_col())),
        ),
        "message": { "text": format!("rule `{rule}` is declared here") },
    }))
}

/// What a result needs of its file beyond the finding: where it is, what
/// names the manifest, and the fingerprints given so far.
struct Context<'a> {
    root: &'a Root,
    /// The URIs of policy files, by their name.
    policies: &'a HashMap<String, Artifact>,
    file: &'a Artifact,
    ids: &'a crate::run::Ids,
    fingerprints: &'a mut fingerprint::File,
}

fn result(f: &Finding, rule_index: Option<usize>, cx: &mut Context<'_>) -> Value {
    let loc = &f.location;
    let manifest_region = match (&loc.source, &loc.range) {
        (Some(_), Some(_)) => region(loc.line_col(), loc.end_line_col()),
        // A finding about the whole file (unreadable, not evaluable) is
        // placed on its first line: SARIF would mean the whole file by no
        // region at all, but GitHub code scanning shows no result without
        // a line.
        _ => json!({ "startLine": 1 }),
    };
    let mut related = Vec::new();
    if let Some(span) = &f.rule_span {
        related.extend(rule_location(related.len() + 1, &f.rule, span, cx));
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
                    cx.file,
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
            "physicalLocation": physical(&cx.root.artifact(path_bytes(other)), region),
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
        json!([{ "physicalLocation": physical(cx.file, Some(manifest_region)) }]),
    );
    if !related.is_empty() {
        result.insert("relatedLocations".into(), Value::Array(related));
    }
    let identity = fingerprint::Identity {
        rule: &f.rule,
        uri: &cx.file.uri,
        pointer: loc.pointer.as_ref().map(|p| cx.ids.stable(&p.to_string())),
        bindings: f
            .bindings
            .iter()
            .map(|b| cx.ids.stable(&b.to_string()))
            .collect(),
        partner_id: cx.ids.partner.as_deref(),
    };
    result.insert(
        "partialFingerprints".into(),
        cx.fingerprints.fingerprints(&identity),
    );
    // A "did you mean" as SARIF's fix: the replacement of a region of the
    // manifest, which a viewer can offer to apply.
    if let (Some(fix), Some(src)) = (&f.fix, &loc.source) {
        result.insert(
            "fixes".into(),
            json!([{
                "description": { "text": format!("Replace with `{}`", fix.replacement) },
                "artifactChanges": [{
                    "artifactLocation": artifact_location(cx.file),
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
    root: Root,
    /// The URIs of the policy files rules are declared in, found once.
    policies: HashMap<String, Artifact>,
    /// No result has been written yet.
    empty: bool,
}

impl<'p, W: Write> Stream<'p, W> {
    /// Writes everything before the results; URIs are relative to `root`.
    pub fn start(program: &'p Program, root: Root, mut out: W) -> io::Result<Stream<'p, W>> {
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
                        "informationUri": rules::REPOSITORY,
                        "rules": rules::descriptors(&rules, &root),
                    },
                },
                "originalUriBaseIds": {
                    root::SRCROOT: {
                        "uri": root.uri(),
                        "description": { "text": "The root of the repository checked." },
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
        let index = rules
            .iter()
            .enumerate()
            .map(|(i, r): (usize, &CatalogueEntry<'p>)| (r.id, i))
            .collect();
        Ok(Stream {
            out,
            index,
            root,
            policies: HashMap::new(),
            empty: true,
        })
    }

    /// One file's results, in the report's order.
    pub fn file(&mut self, file: &FileReport) -> io::Result<()> {
        let mut fingerprints = fingerprint::File::default();
        // The findings of a report are in its one file: its URI is found
        // once (and again only if a finding says otherwise).
        let mut place: Option<(&[u8], Artifact)> = None;
        for f in &file.findings {
            let path = path_bytes(&f.location);
            let artifact = match place.take() {
                Some((p, artifact)) if p == path => artifact,
                _ => self.root.artifact(path),
            };
            if let Some(span) = &f.rule_span {
                if !span.src.is_builtin() && !self.policies.contains_key(&span.src.name) {
                    let policy = self.root.artifact(span.src.name.as_bytes());
                    self.policies.insert(span.src.name.clone(), policy);
                }
            }
            let mut cx = Context {
                root: &self.root,
                policies: &self.policies,
                file: &artifact,
                ids: &file.ids,
                fingerprints: &mut fingerprints,
            };
            let value = result(f, self.index.get(f.rule.as_str()).copied(), &mut cx);
            place = Some((path, artifact));
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
pub fn render(program: &Program, report: &Report, root: Root) -> Result<String, String> {
    let mut stream = Stream::start(program, root, Vec::new()).map_err(|e| e.to_string())?;
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
