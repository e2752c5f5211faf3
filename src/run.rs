//! The check pipeline: discover files, read each within its limits, load
//! and validate it, evaluate the rules, and turn everything into findings.
//!
//! Files are independent: they are checked in parallel, and whatever goes
//! wrong with one file becomes a finding for that file only.

use crate::ast::Severity;
use crate::builtin::Builtin;
use crate::check::Program;
use crate::date::Date;
use crate::diagnostics::{Finding, Location};
use crate::eval::{eval_rule, Blame, Failure, Outcome};
use crate::manifest::discover::{discover, Discovery, Entry, MissingPath, PassedOver};
use crate::manifest::limits::{self, Tripped, MAX_DEPTH};
use crate::manifest::load::{load, At, Issue, LaterDocument, Loaded};
use crate::manifest::locate::{locate, span_index};
use crate::manifest::path::Seg;
use crate::manifest::read::{forbidden_char, normalize, offset_of, read_text};
use crate::manifest::spans::SpanIndex;
use crate::schema::Ty;
use crate::source::Source;
use crate::waivers;
use rayon::prelude::*;
use std::ops::{ControlFlow, Range};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// The default cap on a manifest's size.
pub const DEFAULT_MAX_FILE_SIZE: u64 = 8 * 1024 * 1024;

/// The default limit on how far ahead a waiver may expire, in days.
pub const DEFAULT_MAX_WAIVER_DAYS: i64 = 365;

#[derive(Debug, Clone)]
pub struct Options {
    /// The date `today` means.
    pub today: Date,
    /// Files larger than this are not read.
    pub max_file_size: u64,
    /// A waiver may expire at most this many days after `today`.
    pub max_waiver_days: i64,
}

impl Options {
    /// The defaults, as of `today`.
    pub fn new(today: Date) -> Options {
        Options {
            today,
            max_file_size: DEFAULT_MAX_FILE_SIZE,
            max_waiver_days: DEFAULT_MAX_WAIVER_DAYS,
        }
    }
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
    /// A file whose check failed inside proviso.
    Crashed,
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
    /// What discovery passed over, named in the summary.
    pub passed_over: PassedOver,
    /// Files whose check failed inside proviso itself: the run cannot be
    /// trusted to have checked them.
    pub crashed: Vec<String>,
    /// The sink asked to stop (its reader went away) before every file
    /// was checked.
    pub stopped: bool,
}

impl Totals {
    fn add(&mut self, file: &FileReport) {
        match file.kind {
            FileKind::Skipped => self.skipped += 1,
            FileKind::Manifest | FileKind::Broken => self.manifests += 1,
            FileKind::Crashed => self.crashed.push(file.path.clone()),
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
/// to `sink` as soon as its batch is done. The sink may stop the run (its
/// reader went away): no further file is checked.
pub fn check_each(
    program: &Program,
    found: &Discovery,
    opts: &Options,
    mut sink: impl FnMut(FileReport) -> ControlFlow<()>,
) -> Totals {
    let start = Instant::now();
    let mut totals = Totals {
        rules: program.rules.len(),
        passed_over: found.passed_over.clone(),
        ..Totals::default()
    };
    'batches: for first in (0..found.len()).step_by(BATCH) {
        // Only the batch at hand is made into entries; discovery holds the
        // rest compactly, in the order they are checked.
        let batch: Vec<Entry> = (first..found.len().min(first + BATCH))
            .filter_map(|i| found.entry(i))
            .collect();
        let files: Vec<FileReport> = batch
            .par_iter()
            .map(|e| {
                // A defect in proviso must cost the file it met, not the
                // findings of every other file in the run.
                std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                    check_entry(program, e, opts)
                }))
                .unwrap_or_else(|_| FileReport {
                    path: entry_path(e).to_string(),
                    kind: FileKind::Crashed,
                    findings: Vec::new(),
                    results: Vec::new(),
                })
            })
            .collect();
        for mut f in files {
            // Byte offsets order findings as lines and columns do, without
            // counting lines for every comparison.
            f.findings.sort_by(|a, b| {
                let offset = |f: &Finding| f.location.range.as_ref().map_or(0, |r| r.start);
                offset(a).cmp(&offset(b)).then_with(|| a.rule.cmp(&b.rule))
            });
            totals.add(&f);
            if sink(f).is_break() {
                totals.stopped = true;
                break 'batches;
            }
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
    let found = discover(paths)?;
    let mut files = Vec::new();
    let totals = check_each(program, &found, opts, |f| {
        files.push(f);
        ControlFlow::Continue(())
    });
    Ok(Report {
        files,
        rules: totals.rules,
        elapsed: totals.elapsed,
    })
}

fn check_entry(program: &Program, entry: &Entry, opts: &Options) -> FileReport {
    match entry {
        Entry::Broken { display, message } => {
            broken(display, None, None, Builtin::Unreadable, message, None)
        }
        Entry::File { path, display, raw } => {
            let mut report = match read_text(path, opts.max_file_size) {
                Err((message, help)) => {
                    broken(display, None, None, Builtin::Unreadable, &message, help)
                }
                Ok(text) => check_text(program, display, text, opts),
            };
            if let Some(raw) = raw {
                for f in &mut report.findings {
                    f.location.raw_path = Some(Arc::clone(raw));
                }
            }
            report
        }
    }
}

/// Checks one file's text; `display` is the path shown to the user.
pub fn check_text(program: &Program, display: &str, text: String, opts: &Options) -> FileReport {
    let src = Source::new(display, normalize(text));
    if let Some(report) = refuse(&src) {
        return report;
    }
    match load(&src.text, &program.types) {
        Loaded::NotManifest => FileReport {
            path: display.to_string(),
            kind: FileKind::Skipped,
            findings: Vec::new(),
            results: Vec::new(),
        },
        Loaded::Syntax(err) => {
            let (range, message, help) = match err.later_document {
                Some(LaterDocument { index, has_schema }) => {
                    let range = SpanIndex::document_start(&src.text, index);
                    if has_schema {
                        (
                            range,
                            format!("document {} of this file is a manifest: a manifest file holds one YAML document, and only the first is read", index + 1),
                            Some("move the manifest into a file of its own".to_string()),
                        )
                    } else {
                        (
                            range,
                            "a manifest holds one YAML document, this file has more".to_string(),
                            Some("split the documents into one file each".to_string()),
                        )
                    }
                }
                None => {
                    let range = err
                        .line_col
                        .map(|(l, c)| offset_of(&src.text, l, c))
                        .map(|o| o..o);
                    (range, format!("invalid YAML: {}", err.message), None)
                }
            };
            broken(display, Some(&src), range, Builtin::Syntax, &message, help)
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

/// Refuses text that the YAML parser must not be given: characters YAML
/// does not allow (reported where they are, which the parser does not say),
/// and input whose cost is decided by aliases or nesting rather than by
/// its size.
fn refuse(src: &Arc<Source>) -> Option<FileReport> {
    let display = &src.name;
    if let Some((at, c)) = forbidden_char(&src.text) {
        let help = if c == '\0' {
            "remove it; if the file is not text, remove it from the checked paths".to_string()
        } else {
            format!(
                "remove it, or write it as an escape (`\\u{:04X}`) inside a double-quoted string",
                u32::from(c)
            )
        };
        return Some(broken(
            display,
            Some(src),
            Some(at..at + c.len_utf8()),
            Builtin::Syntax,
            &format!(
                "invalid YAML: the control character U+{:04X} is not allowed in YAML text",
                u32::from(c)
            ),
            Some(help),
        ));
    }
    let (range, message, help) = match limits::check(&src.text)? {
        Tripped::Depth { offset } => (
            offset..offset + 1,
            format!("invalid YAML: nesting deeper than {MAX_DEPTH} levels"),
            "a manifest is a few levels deep; this looks like generated or hostile input"
                .to_string(),
        ),
        Tripped::Aliases { offset, budget } => {
            let end = src
                .text
                .get(offset..)
                .and_then(|t| {
                    t.find(|c: char| c.is_whitespace() || c == ',' || c == ']' || c == '}')
                })
                .map_or(src.text.len(), |n| offset + n);
            (
                offset..end,
                format!("invalid YAML: aliases expand this file past {budget} values, more than its size allows"),
                "write the repeated values out, or anchor smaller parts: a manifest should read the same to a reviewer as to proviso".to_string(),
            )
        }
    };
    Some(broken(
        display,
        Some(src),
        Some(range),
        Builtin::Syntax,
        &message,
        Some(help),
    ))
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
                    message: format!("rule `{}` could not be evaluated: {message}", rule.id),
                    help: None,
                    location: Location {
                        path: src.name.clone(),
                        source: Some(Arc::clone(src)),
                        range: None,
                        pointer: None,
                        raw_path: None,
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
    let problems = waivers::apply(
        program,
        &root,
        value,
        opts.today,
        opts.max_waiver_days,
        &mut findings,
    );
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
            raw_path: None,
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
        rule: p.rule.id().to_string(),
        severity: p.rule.severity(),
        title: p.rule.title().to_string(),
        message: p.message,
        help: p.help,
        location: Location {
            path: src.name.clone(),
            source: Some(Arc::clone(src)),
            range: range.clone(),
            pointer: Some(p.pointer),
            raw_path: None,
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
    rule: Builtin,
    message: &str,
    help: Option<String>,
) -> FileReport {
    FileReport {
        path: display.to_string(),
        kind: FileKind::Broken,
        findings: vec![Finding {
            rule: rule.id().to_string(),
            severity: rule.severity(),
            title: rule.title().to_string(),
            message: message.to_string(),
            help,
            location: Location {
                path: display.to_string(),
                source: src.cloned(),
                range: range.clone(),
                pointer: None,
                raw_path: None,
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
    let related = issue.related.as_ref().and_then(|(path, label)| {
        Some((locate(index, &src.text, path, At::Value)?, label.clone()))
    });
    Finding {
        rule: Builtin::Schema.id().to_string(),
        severity: Builtin::Schema.severity(),
        title: Builtin::Schema.title().to_string(),
        message: issue.message.clone(),
        help: issue.help.clone(),
        location: Location {
            path: src.name.clone(),
            source: Some(Arc::clone(src)),
            range: range.clone(),
            pointer: Some(issue.path.clone()),
            raw_path: None,
        },
        labels: range
            .map(|r| (r, issue.label.clone()))
            .into_iter()
            .chain(related)
            .collect(),
        rule_span: None,
        waiver: None,
        bindings: Vec::new(),
    }
}
