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
use crate::eval::{eval_rule, Outcome};
use crate::manifest::discover::{discover, Entry, MissingPath};
use crate::manifest::load::{load, At, Issue, Loaded};
use crate::manifest::path::{Path, Seg};
use crate::manifest::spans::SpanIndex;
use crate::source::Source;
use crate::waivers;
use rayon::prelude::*;
use std::io::Read;
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

    /// Manifests checked, valid or not (a broken manifest still counts:
    /// it was checked and found wanting).
    pub fn manifests(&self) -> usize {
        self.files
            .iter()
            .filter(|f| f.kind != FileKind::Skipped)
            .count()
    }

    pub fn skipped(&self) -> usize {
        self.files
            .iter()
            .filter(|f| f.kind == FileKind::Skipped)
            .count()
    }

    /// Findings of a severity that are not waived.
    pub fn count(&self, severity: Severity) -> usize {
        self.findings()
            .filter(|f| f.severity == severity && f.waiver.is_none())
            .count()
    }

    pub fn waived(&self) -> usize {
        self.findings().filter(|f| f.waiver.is_some()).count()
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
    order.sort_by(|a, b| entry_path(a).cmp(entry_path(b)));
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
            f.findings.sort_by(|a, b| {
                let (la, lb) = (a.location.line_col(), b.location.line_col());
                la.cmp(&lb).then_with(|| a.rule.cmp(&b.rule))
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
            let mut findings = Vec::new();
            let mut results = Vec::new();
            let mut index: Option<SpanIndex> = None;
            for (i, rule) in rules {
                let outcome = eval_rule(rule, &value, &program.types, opts.today);
                let result = match outcome {
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
                                path: display.to_string(),
                                source: Some(Arc::clone(&src)),
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
                        for failure in failures {
                            let mut blamed = failure.blame.iter().filter_map(|b| {
                                // A field missing from a list item points at
                                // the item's `id` when it has one.
                                let item_id = match b.path.segs().last() {
                                    Some(Seg::Index(_)) if b.missing => {
                                        index.value(b.path.key("id").segs())
                                    }
                                    _ => None,
                                };
                                let at = if b.missing { At::Key } else { At::Value };
                                item_id
                                    .or_else(|| locate(index, &src.text, &b.path, at))
                                    .map(|r| (b, r))
                            });
                            let primary = blamed.next();
                            let labels: Vec<(Range<usize>, String)> =
                                blamed.map(|(b, r)| (r, b.label.clone())).collect();
                            findings.push(Finding {
                                rule: rule.id.clone(),
                                severity: rule.severity,
                                title: rule.title.clone(),
                                message: failure.message,
                                help: failure.help,
                                location: Location {
                                    path: display.to_string(),
                                    source: Some(Arc::clone(&src)),
                                    range: primary.as_ref().map(|(_, r)| r.clone()),
                                    pointer: primary.as_ref().map(|(b, _)| b.path.clone()),
                                },
                                labels: primary
                                    .map(|(b, r)| vec![(r, b.label.clone())])
                                    .unwrap_or_default()
                                    .into_iter()
                                    .chain(labels)
                                    .collect(),
                                rule_span: Some(rule.id_span.clone()),
                                waiver: None,
                                bindings: failure.bindings.clone(),
                            });
                        }
                        RuleResult::Fail
                    }
                };
                results.push((i, result));
            }
            let root = Ty::Record(program.types.schemas.get(schema).map_or(0, |s| s.root));
            let problems = waivers::apply(program, &root, &value, opts.today, &mut findings);
            if !problems.is_empty() {
                let index = index.get_or_insert_with(|| span_index(&src.text));
                for p in problems {
                    let range = locate(index, &src.text, &p.pointer, At::Value);
                    findings.push(Finding {
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
                            path: display.to_string(),
                            source: Some(Arc::clone(&src)),
                            range: range.clone(),
                            pointer: Some(p.pointer),
                        },
                        labels: range.map(|r| vec![(r, p.label)]).unwrap_or_default(),
                        rule_span: None,
                        waiver: None,
                        bindings: Vec::new(),
                    });
                }
            }
            FileReport {
                path: display.to_string(),
                kind: FileKind::Manifest,
                findings,
                results,
            }
        }
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

/// The span index of a manifest. Tabs become spaces first: the span parser
/// rejects a tab after `key:` where the loader accepts it, and a space has
/// the same width, so every offset stays true.
fn span_index(text: &str) -> SpanIndex {
    if text.contains('\t') {
        SpanIndex::build(&text.replace('\t', " "))
    } else {
        SpanIndex::build(text)
    }
}

/// Where to point for a path. A value that spans several lines (a mapping
/// or a list) is pointed at by its key, or by its first line.
fn locate(index: &SpanIndex, text: &str, path: &Path, at: At) -> Option<Range<usize>> {
    let segs = path.segs();
    let first_line = |range: Range<usize>| {
        let line_end = text
            .get(range.start..)
            .and_then(|t| t.find('\n'))
            .map_or(range.end, |i| range.start + i);
        range.start..line_end.min(range.end)
    };
    let found = match at {
        At::Key => index
            .keys(segs)
            .first()
            .cloned()
            .or_else(|| index.value(segs).map(first_line)),
        At::KeyOccurrence(n) => index
            .keys(segs)
            .get(n)
            .cloned()
            .or_else(|| index.keys(segs).first().cloned()),
        At::Value => {
            let Some(value) = index.value(segs) else {
                return path.parent().and_then(|p| locate(index, text, &p, At::Key));
            };
            let multi_line = text.get(value.clone()).is_some_and(|t| t.contains('\n'));
            match (multi_line, index.keys(segs).first()) {
                (false, _) => Some(value),
                (true, Some(key)) => Some(key.clone()),
                (true, None) => Some(first_line(value)),
            }
        }
    };
    found.or_else(|| path.parent().and_then(|p| locate(index, text, &p, At::Key)))
}

/// Deeper nesting than this is refused before parsing: real manifests are a
/// few levels deep, and the YAML parser's time grows with the square of the
/// depth, so a small hostile file could stall a CI run.
pub const MAX_DEPTH: usize = 128;

/// The byte range of the first bracket past `MAX_DEPTH` levels of flow
/// nesting (`[[[...` or `{{{...`), if any. Brackets inside quoted scalars
/// and comments do not count.
fn too_deep(text: &str) -> Option<Range<usize>> {
    let mut depth = 0usize;
    let mut quote: Option<char> = None;
    let mut comment = false;
    let mut prev = '\n';
    for (i, c) in text.char_indices() {
        if comment {
            if c == '\n' {
                comment = false;
            }
        } else if let Some(q) = quote {
            if c == q && !(q == '"' && prev == '\\') {
                quote = None;
            }
        } else {
            match c {
                '[' | '{' => {
                    depth += 1;
                    if depth > MAX_DEPTH {
                        return Some(i..i + 1);
                    }
                }
                ']' | '}' => depth = depth.saturating_sub(1),
                // A quote opens a scalar only where a scalar can start; in
                // `Zoë's` it is just a letter.
                '\'' | '"' if matches!(prev, ' ' | '\t' | '\n' | '[' | '{' | ',' | ':' | '-') => {
                    quote = Some(c)
                }
                '#' if prev.is_whitespace() => comment = true,
                _ => {}
            }
        }
        prev = c;
    }
    None
}

/// Line breaks are `\n` from here on: a lone `\r` (old Mac files) becomes
/// `\n`, which keeps every byte offset, and a byte-order mark is dropped, as
/// editors do not count it as a column.
fn normalize(text: String) -> String {
    let text = match text.strip_prefix('\u{feff}') {
        Some(rest) => rest.to_string(),
        None => text,
    };
    if !text.contains('\r') {
        return text;
    }
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\r' && chars.peek() != Some(&'\n') {
            out.push('\n');
        } else {
            out.push(c);
        }
    }
    out
}

/// Byte offset of a 1-based line and column (in characters).
fn offset_of(text: &str, line: usize, col: usize) -> usize {
    let mut offset = 0;
    for (i, l) in text.split_inclusive('\n').enumerate() {
        if i + 1 == line {
            return offset
                + l.char_indices()
                    .nth(col.saturating_sub(1))
                    .map_or(l.len(), |(b, _)| b);
        }
        offset += l.len();
    }
    text.len()
}

/// Reads a file as UTF-8 text, refusing what is too big, binary or not
/// UTF-8. The size is checked before reading and again while reading, since
/// a file can grow in between.
fn read_text(path: &std::path::Path, max: u64) -> Result<String, (String, Option<String>)> {
    let too_big = |size: u64| {
        (
            format!(
                "the file is {} but the limit is {}",
                human_size(size),
                human_size(max)
            ),
            Some("split the manifest, or raise the limit with `--max-file-size`".to_string()),
        )
    };
    let file =
        std::fs::File::open(path).map_err(|e| (format!("cannot open the file: {e}"), None))?;
    let size = file.metadata().map(|m| m.len()).unwrap_or(0);
    if size > max {
        return Err(too_big(size));
    }
    let mut bytes = Vec::new();
    file.take(max + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| (format!("cannot read the file: {e}"), None))?;
    if bytes.len() as u64 > max {
        return Err(too_big(bytes.len() as u64));
    }
    if bytes.iter().take(8192).any(|&b| b == 0) {
        return Err((
            "the file is binary (it contains NUL bytes), not YAML text".to_string(),
            Some("remove it from the checked paths, or rename it so it does not end in .yaml or .yml".to_string()),
        ));
    }
    String::from_utf8(bytes).map_err(|e| {
        let valid = e.utf8_error().valid_up_to();
        let before = e.as_bytes().get(..valid).unwrap_or_default();
        let line = before.iter().filter(|&&b| b == b'\n').count() + 1;
        (
            format!("the file is not UTF-8 text: invalid byte at line {line}, byte {valid}"),
            Some("save the file as UTF-8".to_string()),
        )
    })
}

fn human_size(bytes: u64) -> String {
    if bytes >= 1024 * 1024 {
        format!("{:.1} MiB", bytes as f64 / (1024.0 * 1024.0))
    } else if bytes >= 1024 {
        format!("{:.1} KiB", bytes as f64 / 1024.0)
    } else {
        format!("{bytes} bytes")
    }
}
