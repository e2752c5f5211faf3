//! `proviso test`: cases that say what each rule must make of a manifest,
//! run against the loaded policies, with expected against actual, and
//! coverage of each rule's conditions.

pub mod coverage;
pub mod file;
pub mod tree;

use crate::check::Program;
use crate::date::Date;
use crate::diagnostics::Finding;
use crate::explain::{explain, Explanation, Loaded as Valid};
use crate::manifest::load::{load, Loaded};
use crate::manifest::path::Path;
use crate::run::{check_paths, FileKind, Options, RuleResult};
use crate::source::Source;
use crate::value::Value;
use file::{Case, Expect, Outcome};
use serde::Serialize;
use std::collections::BTreeMap;
use std::sync::Arc;

/// What a rule made of a case's manifest.
#[derive(Debug, Clone, Serialize)]
pub struct Actual {
    pub outcome: &'static str,
    pub findings: Vec<Found>,
}

/// One finding of a case, placed where its value was written: in the
/// base manifest, or in the test file for a value a patch gave.
#[derive(Debug, Clone, Serialize)]
pub struct Found {
    pub pointer: String,
    /// `file:line` of the value in the test file or the base manifest.
    pub at: String,
    pub message: String,
    pub waived: bool,
}

/// An expectation that did not hold.
#[derive(Debug, Clone, Serialize)]
pub struct Mismatch {
    pub rule: String,
    /// For a manifest of `also`: which one (where it was written).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub manifest: Option<String>,
    /// Where the expectation is written, `file:line:col`.
    pub at: String,
    pub expected: String,
    pub actual: Actual,
    /// What is wrong, in a sentence.
    pub why: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub explanation: Option<Explanation>,
}

#[derive(Debug, Clone, Serialize)]
pub struct CaseReport {
    pub name: String,
    /// `file:line:col` of the case's name.
    pub at: String,
    pub line: usize,
    pub col: usize,
    pub passed: bool,
    pub mismatches: Vec<Mismatch>,
}

/// How a case ran, and what coverage needs of it.
pub struct CaseRun {
    pub report: CaseReport,
    /// Per rule (index in the program): the outcome and the trace, for
    /// coverage, when the manifest was valid.
    pub traces: Vec<(usize, &'static str, crate::eval::RuleTrace)>,
}

/// Runs one case: writes its manifests out as YAML, checks them together
/// as `proviso check` would, and compares each manifest that has
/// expectations with them.
pub fn run_case(
    program: &Program,
    case: &Case,
    today: Date,
    max_waiver_days: i64,
    want_traces: bool,
) -> Result<CaseRun, String> {
    let dir = tempfile::Builder::new()
        .prefix("proviso-test-")
        .tempdir()
        .map_err(|e| format!("cannot make a temporary directory: {e}"))?;
    // The case's manifest, then `also` in order: files are checked in the
    // order of their names.
    let mut manifests: Vec<(&tree::Node, Option<&[Expect]>)> =
        vec![(&case.manifest, Some(&case.expect))];
    manifests.extend(case.also.iter().map(|a| (&a.manifest, a.expect.as_deref())));
    let mut paths = Vec::new();
    let mut texts = Vec::new();
    for (i, (node, _)) in manifests.iter().enumerate() {
        let p = dir.path().join(format!("m{i:06}.yaml"));
        let text = tree::emit(node);
        std::fs::write(&p, &text).map_err(|e| format!("cannot write a temporary file: {e}"))?;
        paths.push(p);
        texts.push(text);
    }
    let opts = Options {
        max_waiver_days,
        ..Options::new(today)
    };
    let report = check_paths(program, &paths, &opts).map_err(|missing| {
        missing
            .into_iter()
            .map(|m| m.message)
            .collect::<Vec<_>>()
            .join("; ")
    })?;
    // What the check made of each manifest: its findings, how each rule
    // ended, and whether it was valid.
    let per: Vec<Checked> = paths
        .iter()
        .map(|path| {
            let shown = crate::manifest::discover::path_text(path);
            let mut checked = Checked::default();
            for f in report.files.iter().filter(|f| f.path == shown) {
                checked.valid |= f.kind == FileKind::Manifest;
                checked.findings.extend(&f.findings);
                checked.results.extend(f.results.iter().copied());
            }
            checked
        })
        .collect();
    let mut mismatches = Vec::new();
    for (k, ((node, expect), checked)) in manifests.iter().zip(&per).enumerate() {
        let (findings, results, valid) = (&checked.findings, &checked.results, checked.valid);
        let Some(expect) = expect else { continue };
        let found = Outcomes {
            program,
            node,
            findings,
            results,
        };
        let manifest = (k > 0).then(|| node.span.src.name.clone());
        // An invalid manifest is not evaluated: say why a rule did not run.
        let invalid = (!valid)
            .then(|| {
                findings
                    .iter()
                    .find(|f| program.rule(&f.rule).is_none())
                    .map(|f| {
                        let at = f.location.pointer.clone().unwrap_or_default();
                        format!(
                            "; the manifest is not valid, so no rule ran: {} ({})",
                            f.message,
                            origin(node, &at)
                        )
                    })
            })
            .flatten()
            .unwrap_or_default();
        for e in expect.iter() {
            let actual = found.actual(&e.rule);
            let ran = program.rule(&e.rule).is_some();
            if let Some(why) = compare(e, &actual).map(|w| if ran { w + &invalid } else { w }) {
                mismatches.push(Mismatch {
                    rule: e.rule.clone(),
                    manifest: manifest.clone(),
                    at: span_at(&e.span),
                    expected: describe(e),
                    actual,
                    why,
                    explanation: None,
                });
            }
        }
        if !case.others_any {
            let mut others: Vec<&str> = findings
                .iter()
                .filter(|f| f.waiver.is_none())
                .map(|f| f.rule.as_str())
                .filter(|r| !expect.iter().any(|e| e.rule == *r))
                .collect();
            others.dedup();
            for rule in others {
                mismatches.push(Mismatch {
                    rule: rule.to_string(),
                    manifest: manifest.clone(),
                    at: span_at(&case.span),
                    expected: "no finding (the rule is not in `expect`)".into(),
                    why: "a rule the case does not expect to fail has findings; add it to `expect`, or write `others: any`".into(),
                    actual: found.actual(rule),
                    explanation: None,
                });
            }
        }
    }
    // The values that decided each mismatch of the case's manifest, and the
    // traces coverage counts, come from evaluating the rules again with a
    // trace: the manifests are loaded again only for that (the others of
    // the case only for the rules across manifests of coverage).
    let mut loaded_main = None;
    let mut values = Vec::new();
    if want_traces || !mismatches.is_empty() {
        for (k, (text, checked)) in texts.iter().zip(&per).enumerate() {
            if !checked.valid || (k > 0 && !want_traces) {
                continue;
            }
            let name = paths
                .get(k)
                .map(|p| crate::manifest::discover::path_text(p))
                .unwrap_or_default();
            let src = Source::new(name, text.clone());
            if let Loaded::Manifest {
                schema,
                value,
                issues,
                spans,
            } = load(&src.text, &program.types)
            {
                if issues.is_empty() {
                    if k == 0 {
                        loaded_main = Some((Arc::clone(&src), schema, value.clone(), spans));
                    }
                    values.push((schema, value));
                }
            }
        }
    }
    let mut traces = Vec::new();
    if let Some((src, schema, value, spans)) = &loaded_main {
        let loaded = Valid { src, value, spans };
        for m in mismatches.iter_mut().filter(|m| m.manifest.is_none()) {
            if let Some(rule) = program.rule(&m.rule) {
                if rule.schema == *schema {
                    let mut e = explain(program, rule, &loaded, today);
                    relocate(&mut e, case);
                    m.explanation = Some(e);
                }
            }
        }
        if want_traces {
            let none = Checked::default();
            let main = per.first().unwrap_or(&none);
            let found = Outcomes {
                program,
                node: &case.manifest,
                findings: &main.findings,
                results: &main.results,
            };
            // A case covers the rules it asserts something of: an outcome
            // it lets pass unasserted (`others: any`) tests nothing.
            let asserted = |id: &str| {
                case.expect.iter().any(|e| e.rule == id)
                    || case
                        .also
                        .iter()
                        .flat_map(|a| a.expect.iter().flatten())
                        .any(|e| e.rule == id)
            };
            for (i, rule) in program.rules.iter().enumerate() {
                if rule.schema != *schema || !asserted(&rule.id) {
                    continue;
                }
                // A rule across manifests fails in a case when it fails any
                // of the case's manifests.
                let fails_any = rule.across
                    && report
                        .findings()
                        .any(|f| f.rule == rule.id && f.waiver.is_none());
                let outcome = if fails_any {
                    Outcome::Fail.as_str()
                } else {
                    found.actual(&rule.id).outcome
                };
                let trace = if rule.across {
                    let list = Value::List(
                        values
                            .iter()
                            .filter(|(s, _)| s == schema)
                            .map(|(_, v)| v.clone())
                            .collect(),
                    );
                    crate::eval::trace_rule(rule, &list, &program.types, today)
                } else {
                    crate::eval::trace_rule(rule, value, &program.types, today)
                };
                traces.push((i, outcome, trace));
            }
        }
    }
    let (line, col) = case.span.start_line_col();
    Ok(CaseRun {
        report: CaseReport {
            name: case.name.clone(),
            at: span_at(&case.span),
            line,
            col,
            passed: mismatches.is_empty(),
            mismatches,
        },
        traces,
    })
}

/// What the check made of one manifest of a case.
#[derive(Default)]
struct Checked<'r> {
    findings: Vec<&'r Finding>,
    results: BTreeMap<usize, RuleResult>,
    valid: bool,
}

/// What the rules made of one manifest of a case.
struct Outcomes<'a> {
    program: &'a Program,
    node: &'a tree::Node,
    findings: &'a [&'a Finding],
    results: &'a BTreeMap<usize, RuleResult>,
}

impl Outcomes<'_> {
    fn actual(&self, rule: &str) -> Actual {
        let mine: Vec<&&Finding> = self.findings.iter().filter(|f| f.rule == rule).collect();
        let result = self
            .program
            .rules
            .iter()
            .position(|r| r.id == rule)
            .and_then(|i| self.results.get(&i).copied());
        let outcome = if matches!(result, Some(RuleResult::Error)) {
            Outcome::Error
        } else if mine.iter().any(|f| f.waiver.is_none()) {
            Outcome::Fail
        } else if !mine.is_empty() {
            Outcome::Waived
        } else {
            match result {
                Some(RuleResult::NotApplicable) => Outcome::NotApplicable,
                _ => Outcome::Pass,
            }
        };
        Actual {
            outcome: outcome.as_str(),
            findings: mine
                .iter()
                .map(|f| {
                    let pointer = f.location.pointer.clone().unwrap_or_default();
                    Found {
                        at: origin(self.node, &pointer),
                        pointer: crate::explain::pointer_text(&pointer),
                        message: f.message.clone(),
                        waived: f.waiver.is_some(),
                    }
                })
                .collect(),
        }
    }
}

fn span_at(span: &crate::source::Span) -> String {
    let (line, col) = span.start_line_col();
    format!("{}:{line}:{col}", span.src.name)
}

/// Where the value at `pointer` was written: `file:line`.
fn origin(manifest: &tree::Node, pointer: &Path) -> String {
    let node = manifest.deepest(pointer);
    let (line, _) = node.span.start_line_col();
    format!("{}:{line}", node.span.src.name)
}

/// An explanation's places moved from the written-out manifest to where
/// each value was written.
/// Where the value at a pointer was written: its line and file.
type PlaceOf<'a> = dyn Fn(Option<&str>) -> Option<(usize, String)> + 'a;

fn relocate(e: &mut Explanation, case: &Case) {
    let place = |pointer: Option<&str>| -> Option<(usize, String)> {
        let p = file::parse_pointer(pointer?)?;
        let node = case.manifest.deepest(&p);
        Some((node.span.start_line_col().0, node.span.src.name.clone()))
    };
    fn walk(c: &mut crate::explain::CondView, place: &PlaceOf) {
        for v in c.values.iter_mut().chain(c.decided_by.iter_mut()) {
            if let Some((line, file)) = place(v.pointer.as_deref()) {
                v.line = Some(line);
                v.file = Some(file);
            }
        }
        for k in &mut c.conditions {
            walk(k, place);
        }
    }
    e.manifest = case.manifest.span.src.name.clone();
    for r in &mut e.requirements {
        for b in &mut r.bindings {
            for v in &mut b.vars {
                if let Some((line, file)) = place(Some(&v.pointer)) {
                    v.line = Some(line);
                    v.file = Some(file);
                }
            }
            for c in b.filters.iter_mut().chain(b.require.iter_mut()) {
                walk(c, &place);
            }
        }
    }
}

/// Why an expectation does not hold, if it does not.
fn compare(e: &Expect, actual: &Actual) -> Option<String> {
    if actual.outcome != e.outcome.as_str() {
        return Some(format!(
            "expected the rule to end `{}`, it ended `{}`",
            e.outcome.as_str(),
            actual.outcome
        ));
    }
    if let Some(at) = &e.at {
        let mut want: Vec<String> = at.iter().map(crate::explain::pointer_text).collect();
        let mut got: Vec<String> = actual.findings.iter().map(|f| f.pointer.clone()).collect();
        want.sort();
        got.sort();
        if want != got {
            return Some(format!(
                "expected findings at {}, found them at {}",
                pointers(&want),
                pointers(&got)
            ));
        }
    }
    if let Some(n) = e.count {
        if actual.findings.len() != n {
            return Some(format!(
                "expected {n} findings, found {}",
                actual.findings.len()
            ));
        }
    }
    if let Some(m) = &e.message {
        if let Some(f) = actual
            .findings
            .iter()
            .find(|f| !f.message.contains(m.as_str()))
        {
            return Some(format!(
                "expected every message to contain \"{m}\"; the finding at {} says \"{}\"",
                if f.pointer.is_empty() {
                    "/"
                } else {
                    &f.pointer
                },
                f.message
            ));
        }
    }
    None
}

fn pointers(list: &[String]) -> String {
    if list.is_empty() {
        return "no place".into();
    }
    list.iter()
        .map(|p| {
            if p.is_empty() {
                "/".to_string()
            } else {
                p.clone()
            }
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// An expectation as the test file could write it.
pub fn describe(e: &Expect) -> String {
    let mut s = e.outcome.as_str().to_string();
    if let Some(at) = &e.at {
        for p in at {
            s.push(' ');
            s.push_str(&crate::explain::pointer_text(p));
        }
    }
    if let Some(n) = e.count {
        s.push_str(&format!(" ({n} findings)"));
    }
    if let Some(m) = &e.message {
        s.push_str(&format!(" with \"{m}\""));
    }
    s
}
