//! The check pipeline: discover files, read each within its limits, load
//! and validate it, evaluate the rules, and turn everything into findings.
//!
//! Files are independent: they are checked in parallel, and whatever goes
//! wrong with one file becomes a finding for that file only.

use crate::ast::Severity;
use crate::check::types::Ty;
use crate::check::Program;
use crate::date::Date;
use crate::diagnostics::{Finding, Location};
use crate::eval::{eval_rule, Blame, Failure, Outcome};
use crate::manifest::discover::{discover, Entry, MissingPath};
use crate::manifest::load::{load, At, Issue, Loaded};
use crate::manifest::locate::{locate, span_index};
use crate::manifest::path::Seg;
use crate::manifest::read::{normalize, offset_of, read_text, too_deep, MAX_DEPTH};
use crate::manifest::spans::SpanIndex;
use crate::source::Source;
use crate::waivers;
use rayon::prelude::*;
use std::ops::Range;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// The default cap on a manifest's size.
pub const DEFAULT_MAX_FILE_SIZE: u64 = 8 * 1024 * 1024;

#[derive(Debug, Clone)]
pub struct Options {
    /// The date `today` means.
    pub today: Date,
    /// Files larger than this are not read.
    pub max_file_size: u64,
}

/// How a rule ended for one manifest.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RuleResult {
    Pass,
    Fail,
    NotApplicable,
    Error,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileKind {
    /// A manifest that was validated and evaluated.
    Manifest,
    /// A YAML file without `schema:`.
    Skipped,
    /// A file that could not be read, parsed or validated.
    Broken,
}

#[derive(Debug)]
pub struct FileReport {
    pub path: String,
    pub kind: FileKind,
    pub findings: Vec<Finding>,
    /// For a manifest: how each rule (by index in the program) ended.
    pub results: Vec<(usize, RuleResult)>,
}

#[derive(Debug)]
pub struct Report {
    pub files: Vec<FileReport>,
    pub rules: usize,
    pub elapsed: Duration,
}

impl Report {
    pub fn findings(&self) -> impl Iterator<Item = &Finding> {
        self.files.iter().flat_map(|f| &f.findings)
    }
}

/// Running totals of a check: what the summary line says.
#[derive(Debug, Clone, Default)]
pub struct Totals {
    /// Files checked as manifests, valid or not.
    pub manifests: usize,
    /// YAML files without `schema:`.
    pub skipped: usize,
    pub errors: usize,
    pub warnings: usize,
    pub notes: usize,
    pub waived: usize,
    pub rules: usize,
    pub elapsed: Duration,
}

impl Totals {
    fn add(&mut self, file: &FileReport) {
        match file.kind {
            FileKind::Skipped => self.skipped += 1,
            FileKind::Manifest | FileKind::Broken => self.manifests += 1,
        }
        for f in &file.findings {
            match (&f.waiver, f.severity) {
                (Some(_), _) => self.waived += 1,
                (None, Severity::Error) => self.errors += 1,
                (None, Severity::Warning) => self.warnings += 1,
                (None, Severity::Note) => self.notes += 1,
            }
        }
    }
}

impl Report {
    pub fn totals(&self) -> Totals {
        let mut totals = Totals {
            rules: self.rules,
            elapsed: self.elapsed,
            ..Totals::default()
        };
        for f in &self.files {
            totals.add(f);
        }
        totals
    }
}

/// Files checked at once, in parallel, before their reports are handed on.
/// Reports are handed on in path order and then dropped, so memory stays
/// flat however many manifests there are.
const BATCH: usize = 256;

/// Checks the discovered files in path order, handing each file's report
/// to `sink` as soon as its batch is done.
pub fn check_each(
    program: &Program,
    entries: &[Entry],
    opts: &Options,
    mut sink: impl FnMut(FileReport),
) -> Totals {
    let start = Instant::now();
    let mut order: Vec<&Entry> = entries.iter().collect();
    // By path components, so that `a/x.yaml` comes before `a-b/x.yaml`.
    order.sort_by(|a, b| {
        std::path::Path::new(entry_path(a)).cmp(std::path::Path::new(entry_path(b)))
    });
    let mut totals = Totals {
        rules: program.rules.len(),
        ..Totals::default()
    };
    for batch in order.chunks(BATCH) {
        let files: Vec<FileReport> = batch
            .par_iter()
            .map(|e| check_entry(program, e, opts))
            .collect();
        for mut f in files {
            // Byte offsets order findings as lines and columns do, without
            // counting lines for every comparison.
            f.findings.sort_by(|a, b| {
                let offset = |f: &Finding| f.location.range.as_ref().map_or(0, |r| r.start);
                offset(a).cmp(&offset(b)).then_with(|| a.rule.cmp(&b.rule))
            });
            totals.add(&f);
            sink(f);
        }
    }
    totals.elapsed = start.elapsed();
    totals
}

fn entry_path(e: &Entry) -> &str {
    match e {
        Entry::File { display, .. } | Entry::Broken { display, .. } => display,
    }
}

/// Checks every manifest under `paths` and keeps every report. Fails only
/// when a path does not exist; every other problem is a finding.
pub fn check_paths(
    program: &Program,
    paths: &[PathBuf],
    opts: &Options,
) -> Result<Report, Vec<MissingPath>> {
    let entries = discover(paths)?;
    let mut files = Vec::new();
    let totals = check_each(program, &entries, opts, |f| files.push(f));
    Ok(Report {
        files,
        rules: totals.rules,
        elapsed: totals.elapsed,
    })
}

fn check_entry(program: &Program, entry: &Entry, opts: &Options) -> FileReport {
    match entry {
        Entry::Broken { display, message } => {
            broken(display, None, None, "manifest/unreadable", message, None)
        }
        Entry::File { path, display } => match read_text(path, opts.max_file_size) {
            Err((message, help)) => {
                broken(display, None, None, "manifest/unreadable", &message, help)
            }
            Ok(text) => check_text(program, display, text, opts),
        },
    }
}

/// Checks one file's text; `display` is the path shown to the user.
pub fn check_text(program: &Program, display: &str, text: String, opts: &Options) -> FileReport {
    let src = Source::new(display, normalize(text));
    if let Some(depth) = too_deep(&src.text) {
        return broken(
            display,
            Some(&src),
            Some(depth.clone()),
            "manifest/syntax",
            &format!("invalid YAML: nesting deeper than {MAX_DEPTH} levels"),
            Some(
                "a manifest is a few levels deep; this looks like generated or hostile input"
                    .to_string(),
            ),
        );
    }
    match load(&src.text, &program.types) {
        Loaded::NotManifest => FileReport {
            path: display.to_string(),
            kind: FileKind::Skipped,
            findings: Vec::new(),
            results: Vec::new(),
        },
        Loaded::Syntax(err) => {
            let (range, message, help) = if err.more_than_one_document {
                (
                    SpanIndex::document_start(&src.text, 1),
                    "a manifest holds one YAML document, this file has more".to_string(),
                    Some("split the documents into one file each".to_string()),
                )
            } else {
                let range = err
                    .line_col
                    .map(|(l, c)| offset_of(&src.text, l, c))
                    .map(|o| o..o);
                (range, format!("invalid YAML: {}", err.message), None)
            };
            broken(
                display,
                Some(&src),
                range,
                "manifest/syntax",
                &message,
                help,
            )
        }
        Loaded::BadSchema(issue) => {
            let index = span_index(&src.text);
            FileReport {
                path: display.to_string(),
                kind: FileKind::Broken,
                findings: vec![issue_finding(&src, &index, &issue)],
                results: Vec::new(),
            }
        }
        Loaded::Manifest {
            schema,
            value,
            issues,
        } => {
            let rules = program
                .rules
                .iter()
                .enumerate()
                .filter(|(_, r)| r.schema == schema);
            if !issues.is_empty() {
                // An invalid manifest is not evaluated: its values cannot be
                // trusted, and it must never be reported as passing.
                let index = span_index(&src.text);
                return FileReport {
                    path: display.to_string(),
                    kind: FileKind::Broken,
                    findings: issues
                        .iter()
                        .map(|i| issue_finding(&src, &index, i))
                        .collect(),
                    results: rules.map(|(i, _)| (i, RuleResult::Error)).collect(),
                };
            }
            evaluate(program, &src, schema, &value, rules, opts)
        }
    }
}

/// Runs the rules on a valid manifest, applies its waivers, and turns
/// failures into findings. The span index is built only if something is
/// to be reported.
fn evaluate<'p>(
    program: &'p Program,
    src: &Arc<Source>,
    schema: usize,
    value: &crate::value::Value,
    rules: impl Iterator<Item = (usize, &'p crate::check::ir::Rule)>,
    opts: &Options,
) -> FileReport {
    let mut findings = Vec::new();
    let mut results = Vec::new();
    let mut index: Option<SpanIndex> = None;
    for (i, rule) in rules {
        let result = match eval_rule(rule, value, &program.types, opts.today) {
            Outcome::Pass => RuleResult::Pass,
            Outcome::NotApplicable => RuleResult::NotApplicable,
            Outcome::Error(message) => {
                findings.push(Finding {
                    rule: rule.id.clone(),
                    severity: Severity::Error,
                    title: rule.title.clone(),
                    message: format!("rule could not be evaluated: {message}"),
                    help: None,
                    location: Location {
                        path: src.name.clone(),
                        source: Some(Arc::clone(src)),
                        range: None,
                        pointer: None,
                    },
                    labels: Vec::new(),
                    rule_span: Some(rule.id_span.clone()),
                    waiver: None,
                    bindings: Vec::new(),
                });
                RuleResult::Error
            }
            Outcome::Fail(failures) => {
                let index = index.get_or_insert_with(|| span_index(&src.text));
                findings.extend(
                    failures
                        .into_iter()
                        .map(|f| failure_finding(rule, src, index, f)),
                );
                RuleResult::Fail
            }
        };
        results.push((i, result));
    }
    let root = Ty::Record(program.types.schemas.get(schema).map_or(0, |s| s.root));
    let problems = waivers::apply(program, &root, value, opts.today, &mut findings);
    if !problems.is_empty() {
        let index = index.get_or_insert_with(|| span_index(&src.text));
        findings.extend(problems.into_iter().map(|p| waiver_finding(src, index, p)));
    }
    FileReport {
        path: src.name.clone(),
        kind: FileKind::Manifest,
        findings,
        results,
    }
}

/// A failing binding as a finding: the first blamed value is where it
/// points, every blamed value is labelled.
fn failure_finding(
    rule: &crate::check::ir::Rule,
    src: &Arc<Source>,
    index: &SpanIndex,
    failure: Failure,
) -> Finding {
    let labels: Vec<(&Blame, Range<usize>)> = failure
        .blame
        .iter()
        .filter_map(|b| {
            // A field missing from a list item points at the item's `id`
            // when it has one.
            let item_id = match b.path.segs().last() {
                Some(Seg::Index(_)) if b.missing => index.value(b.path.key("id").segs()),
                _ => None,
            };
            let at = if b.missing { At::Key } else { At::Value };
            item_id
                .or_else(|| locate(index, &src.text, &b.path, at))
                .map(|r| (b, r))
        })
        .collect();
    let primary = labels.first();
    Finding {
        rule: rule.id.clone(),
        severity: rule.severity,
        title: rule.title.clone(),
        location: Location {
            path: src.name.clone(),
            source: Some(Arc::clone(src)),
            range: primary.map(|(_, r)| r.clone()),
            pointer: primary.map(|(b, _)| b.path.clone()),
        },
        labels: labels
            .iter()
            .map(|(b, r)| (r.clone(), b.label.clone()))
            .collect(),
        rule_span: Some(rule.id_span.clone()),
        waiver: None,
        bindings: failure.bindings,
        message: failure.message,
        help: failure.help,
    }
}

/// A problem with a waiver itself, as a built-in finding at the waiver.
fn waiver_finding(src: &Arc<Source>, index: &SpanIndex, p: waivers::WaiverProblem) -> Finding {
    let range = locate(index, &src.text, &p.pointer, At::Value);
    Finding {
        rule: p.rule.to_string(),
        severity: if p.rule == "proviso/waiver-unused" {
            Severity::Warning
        } else {
            Severity::Error
        },
        title: match p.rule {
            "proviso/waiver-expired" => "a waiver has expired",
            "proviso/waiver-unused" => "a waiver matches no finding",
            _ => "a waiver names no loaded rule",
        }
        .to_string(),
        message: p.message,
        help: p.help,
        location: Location {
            path: src.name.clone(),
            source: Some(Arc::clone(src)),
            range: range.clone(),
            pointer: Some(p.pointer),
        },
        labels: range.map(|r| vec![(r, p.label)]).unwrap_or_default(),
        rule_span: None,
        waiver: None,
        bindings: Vec::new(),
    }
}

fn broken(
    display: &str,
    src: Option<&Arc<Source>>,
    range: Option<Range<usize>>,
    rule: &str,
    message: &str,
    help: Option<String>,
) -> FileReport {
    let title = match rule {
        "manifest/syntax" => "the file is not valid YAML",
        _ => "the file cannot be read as UTF-8 text",
    };
    FileReport {
        path: display.to_string(),
        kind: FileKind::Broken,
        findings: vec![Finding {
            rule: rule.to_string(),
            severity: Severity::Error,
            title: title.to_string(),
            message: message.to_string(),
            help,
            location: Location {
                path: display.to_string(),
                source: src.cloned(),
                range: range.clone(),
                pointer: None,
            },
            labels: range
                .map(|r| vec![(r, "here".to_string())])
                .unwrap_or_default(),
            rule_span: None,
            waiver: None,
            bindings: Vec::new(),
        }],
        results: Vec::new(),
    }
}

fn issue_finding(src: &Arc<Source>, index: &SpanIndex, issue: &Issue) -> Finding {
    let range = locate(index, &src.text, &issue.path, issue.at.clone());
    Finding {
        rule: "manifest/schema".to_string(),
        severity: Severity::Error,
        title: "the manifest does not match its schema".to_string(),
        message: issue.message.clone(),
        help: issue.help.clone(),
        location: Location {
            path: src.name.clone(),
            source: Some(Arc::clone(src)),
            range: range.clone(),
            pointer: Some(issue.path.clone()),
        },
        labels: range
            .map(|r| vec![(r, issue.label.clone())])
            .unwrap_or_default(),
        rule_span: None,
        waiver: None,
        bindings: Vec::new(),
    }
}
