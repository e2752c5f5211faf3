//! The check pipeline: discover files, read each within its limits, load
//! and validate it, evaluate the rules, and turn everything into findings.
//!
//! Files are independent: they are checked in parallel, and whatever goes
//! wrong with one file becomes a finding for that file only.

use crate::ast::Severity;
use crate::builtin::Builtin;
use crate::check::Program;
use crate::date::Date;
use crate::diagnostics::{Finding, Location, Suggestion};
use crate::eval::{eval_rule, Blame, Failure, Outcome};
use crate::manifest::discover::{discover, Discovery, Entry, MissingPath, PassedOver};
use crate::manifest::load::{load, Issue, Loaded};
use crate::manifest::path::Seg;
use crate::manifest::read::{forbidden_char, normalize, read_text};
use crate::manifest::spans::{At, Spans};
use crate::schema::Ty;
use crate::source::Source;
use crate::waivers;
use std::collections::BTreeMap;
use std::ops::{ControlFlow, Range};
use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::sync::{mpsc, Condvar, Mutex, PoisonError};
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
    /// The findings of rules across manifests that point into a manifest
    /// already reported as `Manifest`: it is not counted again.
    Across,
}

#[derive(Debug)]
pub struct FileReport {
    pub path: String,
    pub kind: FileKind,
    pub findings: Vec<Finding>,
    /// For a manifest: how each rule (by index in the program) ended.
    pub results: Vec<(usize, RuleResult)>,
    /// What rules across manifests read of a valid manifest, kept until
    /// they run.
    pub kept: Option<Box<crate::across::Kept>>,
    /// What names the manifest and its list items in SARIF's
    /// fingerprints, beside the file's path.
    pub ids: Ids,
}

/// The manifest's `partner.id`, when it has one, and the `id` of each item
/// of its lists of records (`grants`, `features`, ...): a finding about
/// `/grants/3` is about grant `inbox`, wherever the list puts it. Beside
/// them, what the HTML report shows of the manifest besides its findings:
/// who the partner is, and the waivers it declares.
#[derive(Debug, Clone, Default)]
pub struct Ids {
    pub partner: Option<String>,
    /// Each list's key, and its items' ids in order (`None` for an item
    /// without a text id).
    pub items: Vec<(String, Vec<Option<String>>)>,
    /// `partner.name`, `partner.kind` and `partner.country`, as written,
    /// where the schema has them and they are valid.
    pub about: Partner,
    /// The manifest's waivers, with the line each starts on.
    pub waivers: Vec<DeclaredWaiver>,
}

/// Who a manifest's partner is, as its `partner` record says.
#[derive(Debug, Clone, Default)]
pub struct Partner {
    pub name: Option<String>,
    pub kind: Option<String>,
    pub country: Option<String>,
}

/// A waiver as a manifest declares it, active or not.
#[derive(Debug, Clone)]
pub struct DeclaredWaiver {
    pub rule: String,
    pub grant: Option<String>,
    pub reason: String,
    pub approved_by: String,
    pub expires: crate::date::Date,
    /// The JSON pointer of the waiver (`/waivers/0`).
    pub pointer: String,
}

impl Ids {
    /// A JSON pointer with each index into a list of the manifest written
    /// as its item's id where the item has one: `/grants/3/subjects/1` is
    /// `/grants/id=inbox/subjects/1`.
    pub fn stable(&self, pointer: &str) -> String {
        let mut segs = pointer.split('/');
        let mut out = String::new();
        let (Some(first), Some(list), Some(index)) = (segs.next(), segs.next(), segs.next()) else {
            return pointer.to_string();
        };
        let id = index.parse::<usize>().ok().and_then(|i| {
            let (_, ids) = self.items.iter().find(|(k, _)| k == list)?;
            ids.get(i)?.as_deref()
        });
        let Some(id) = id else {
            return pointer.to_string();
        };
        out.push_str(first);
        out.push('/');
        out.push_str(list);
        out.push_str("/id=");
        out.push_str(&id.replace('~', "~0").replace('/', "~1"));
        for seg in segs {
            out.push('/');
            out.push_str(seg);
        }
        out
    }
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
            FileKind::Across => {}
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

/// Files checked ahead of the first one not yet handed on, at most: the
/// reports of files finished out of order wait for it, so memory stays flat
/// however many manifests there are.
const WINDOW: usize = 256;

/// Stack for the threads that check files: loading and evaluation recurse
/// once per level of a manifest (bounded by the reader) and of a rule's
/// expression (bounded by the parser).
const STACK: usize = 16 * 1024 * 1024;

/// Checks the discovered files, handing each file's report to `sink` in
/// path order as soon as it and every file before it are done. The sink may
/// stop the run (its reader went away): no further file is checked.
///
/// One thread per core takes the next file as it finishes the last, so no
/// core waits for another at a batch's end; the calling thread only puts
/// the reports in order.
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
    let n = found.len();
    // One file is checked on this thread: starting another costs more than
    // the check. (Recursion is bounded well within a main thread's stack.)
    let workers = match n {
        0 | 1 => 0,
        _ => std::thread::available_parallelism()
            .map_or(1, std::num::NonZeroUsize::get)
            .min(n),
    };
    let next = AtomicUsize::new(0);
    // How many reports were handed on, and whether the sink stopped.
    let progress = (Mutex::new((0usize, false)), Condvar::new());
    let (tx, rx) = mpsc::channel::<(usize, FileReport)>();
    let mut handed = 0;
    std::thread::scope(|scope| {
        let mut spawned = 0;
        for _ in 0..workers {
            let tx = tx.clone();
            let (next, progress) = (&next, &progress);
            let work = move || loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                if i >= n || !wait_for_window(progress, i) {
                    break;
                }
                if tx.send((i, check_index(program, found, opts, i))).is_err() {
                    break;
                }
            };
            if std::thread::Builder::new()
                .stack_size(STACK)
                .spawn_scoped(scope, work)
                .is_ok()
            {
                spawned += 1;
            }
        }
        drop(tx);
        let mut waiting: BTreeMap<usize, FileReport> = BTreeMap::new();
        let mut kept = crate::across::Store::new(n);
        let mut hand_on = |i: usize, mut f: FileReport, totals: &mut Totals| {
            if let Some(k) = f.kept.take() {
                kept.add(i, *k);
            }
            let f = sorted(f);
            totals.add(&f);
            sink(f)
        };
        if spawned == 0 {
            // One file, or no thread could be started: check here, one
            // file at a time.
            for i in 0..n {
                if hand_on(i, check_index(program, found, opts, i), &mut totals).is_break() {
                    totals.stopped = true;
                    break;
                }
            }
        } else {
            'reports: for (i, report) in &rx {
                waiting.insert(i, report);
                while let Some(f) = waiting.remove(&handed) {
                    handed += 1;
                    let flow = hand_on(handed - 1, f, &mut totals);
                    let (lock, cv) = &progress;
                    let mut p = lock.lock().unwrap_or_else(PoisonError::into_inner);
                    p.0 = handed;
                    if flow.is_break() {
                        p.1 = true;
                        totals.stopped = true;
                    }
                    cv.notify_all();
                    if flow.is_break() {
                        break 'reports;
                    }
                }
            }
            drop(rx);
            // Every file is handed on, even past a thread that died outside a
            // file's check: what it left is checked here.
            if !totals.stopped {
                for i in handed..n {
                    let f = waiting
                        .remove(&i)
                        .unwrap_or_else(|| check_index(program, found, opts, i));
                    if hand_on(i, f, &mut totals).is_break() {
                        totals.stopped = true;
                        break;
                    }
                }
            }
        }
        // Rules across manifests run once every manifest is in.
        if !totals.stopped && !kept.is_empty() {
            let flow = crate::across::check(program, found, opts, std::mem::take(&mut kept), |f| {
                let f = sorted(f);
                totals.add(&f);
                sink(f)
            });
            totals.stopped = flow.is_break();
        }
    });
    totals.elapsed = start.elapsed();
    totals
}

/// Waits until file `i` is within the window of files that may be checked
/// ahead; `false` when the run has stopped.
fn wait_for_window(progress: &(Mutex<(usize, bool)>, Condvar), i: usize) -> bool {
    let (lock, cv) = progress;
    let mut p = lock.lock().unwrap_or_else(PoisonError::into_inner);
    while !p.1 && i >= p.0 + WINDOW {
        p = cv.wait(p).unwrap_or_else(PoisonError::into_inner);
    }
    !p.1
}

/// Checks the `i`th file found. A defect in proviso must cost the file it
/// met, not the findings of every other file in the run.
fn check_index(program: &Program, found: &Discovery, opts: &Options, i: usize) -> FileReport {
    let mut path = String::new();
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        let entry = found.entry(i)?;
        path = entry_path(&entry).to_string();
        Some(check_entry(program, &entry, opts))
    }))
    .ok()
    .flatten()
    .unwrap_or(FileReport {
        path,
        kind: FileKind::Crashed,
        findings: Vec::new(),
        results: Vec::new(),
        kept: None,
        ids: Ids::default(),
    })
}

/// Findings in the order of the text: byte offsets order them as lines and
/// columns do, without counting lines for every comparison.
fn sorted(mut f: FileReport) -> FileReport {
    f.findings.sort_by(|a, b| {
        let offset = |f: &Finding| f.location.range.as_ref().map_or(0, |r| r.start);
        offset(a).cmp(&offset(b)).then_with(|| a.rule.cmp(&b.rule))
    });
    f
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
    let loaded = load(&src.text, &program.types);
    if let Some(report) = hidden_lines(&src, &loaded) {
        return report;
    }
    match loaded {
        Loaded::NotManifest => FileReport {
            path: display.to_string(),
            kind: FileKind::Skipped,
            findings: Vec::new(),
            results: Vec::new(),
            kept: None,
            ids: Ids::default(),
        },
        Loaded::Syntax(err) => broken(
            display,
            Some(&src),
            err.range,
            Builtin::Syntax,
            &err.message,
            err.help,
        ),
        Loaded::BadSchema(issue) => FileReport {
            path: display.to_string(),
            kind: FileKind::Broken,
            findings: vec![issue_finding(&src, &issue)],
            results: Vec::new(),
            kept: None,
            ids: Ids::default(),
        },
        Loaded::Manifest {
            schema,
            value,
            issues,
            spans,
        } => {
            let rules = program
                .rules
                .iter()
                .enumerate()
                .filter(|(_, r)| r.schema == schema && !r.across);
            if !issues.is_empty() {
                // An invalid manifest is not evaluated: its values cannot be
                // trusted, and it must never be reported as passing.
                return FileReport {
                    path: display.to_string(),
                    kind: FileKind::Broken,
                    findings: issues.iter().map(|i| issue_finding(&src, i)).collect(),
                    results: rules.map(|(i, _)| (i, RuleResult::Error)).collect(),
                    kept: None,
                    ids: ids(program, schema, &value),
                };
            }
            evaluate(program, &src, schema, &value, &spans, rules, opts)
        }
    }
}

/// Refuses text that the YAML parser must not be given: characters YAML
/// does not allow, reported where they are, which the parser does not say.
/// (Limits on aliases, nesting and documents are counted on the parser's
/// events as the loader reads them.)
fn refuse(src: &Arc<Source>) -> Option<FileReport> {
    let display = &src.name;
    let (at, c) = forbidden_char(&src.text)?;
    let help = if c == '\0' {
        "remove it; if the file is not text, remove it from the checked paths".to_string()
    } else {
        format!(
            "remove it, or write it as an escape (`\\u{:04X}`) inside a double-quoted string",
            u32::from(c)
        )
    };
    Some(broken(
        display,
        Some(src),
        Some(at..at + c.len_utf8()),
        Builtin::Syntax,
        &format!(
            "invalid YAML: the control character U+{:04X} is not allowed in YAML text",
            u32::from(c)
        ),
        Some(help),
    ))
}

/// NEL (U+0085) and the Unicode line and paragraph separators are not line
/// breaks in YAML 1.2, but some editors show them as one: text after one in
/// a comment or a block scalar is hidden from proviso while a reviewer may
/// read it as keys.
/// A manifest may not hold them raw, and another file may not hide a
/// `schema:` behind one.
fn hidden_lines(src: &Arc<Source>, loaded: &Loaded) -> Option<FileReport> {
    let is_separator = |c: char| matches!(c, '\u{85}' | '\u{2028}' | '\u{2029}');
    // Their UTF-8 starts with 0xC2 or 0xE2, which most files never hold.
    memchr::memchr2(0xc2, 0xe2, src.text.as_bytes())?;
    if !src.text.contains(is_separator) {
        return None;
    }
    // Between quotes they are text, and the closing quote shows where the
    // text ends. A block scalar has no end mark: there they are refused.
    let quoted = crate::manifest::load::quoted_text(&src.text);
    let (at, c) = src
        .text
        .char_indices()
        .find(|&(i, c)| is_separator(c) && !crate::manifest::load::inside(&quoted, i))?;
    let is_manifest = match loaded {
        Loaded::Manifest { .. } | Loaded::BadSchema(_) => true,
        Loaded::NotManifest => src.text.get(at..).is_some_and(|t| t.contains("schema")),
        Loaded::Syntax(_) => false,
    };
    if !is_manifest {
        return None;
    }
    let name = match c {
        '\u{85}' => "NEL (U+0085)",
        '\u{2028}' => "the line separator U+2028",
        _ => "the paragraph separator U+2029",
    };
    Some(broken(
        &src.name,
        Some(src),
        Some(at..at + c.len_utf8()),
        Builtin::Syntax,
        &format!("invalid YAML: {name} is not a line break in YAML, though some editors show one: what follows it on the line is not what a reviewer may read"),
        Some(format!(
            "use a plain line break; in text, write it as an escape (`\\u{:04X}`) inside a double-quoted string",
            u32::from(c)
        )),
    ))
}

/// Runs the rules on a valid manifest, applies its waivers, and turns
/// failures into findings, placed where the loader read each value.
fn evaluate<'p>(
    program: &'p Program,
    src: &Arc<Source>,
    schema: usize,
    value: &crate::value::Value,
    spans: &Spans,
    rules: impl Iterator<Item = (usize, &'p crate::check::ir::Rule)>,
    opts: &Options,
) -> FileReport {
    let mut findings = Vec::new();
    let mut results = Vec::new();
    let place = Place {
        spans,
        types: &program.types,
        text: &src.text,
    };
    for (i, rule) in rules {
        let result = match eval_rule(rule, value, &program.types, opts.today) {
            Outcome::Pass => RuleResult::Pass,
            Outcome::NotApplicable => RuleResult::NotApplicable,
            Outcome::Error(message) => {
                findings.push(Finding {
                    fix: None,
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
                    related: Vec::new(),
                });
                RuleResult::Error
            }
            Outcome::Fail(failures) => {
                findings.extend(
                    failures
                        .into_iter()
                        .map(|f| failure_finding(rule, src, &place, f)),
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
        (opts.today, opts.max_waiver_days),
        waivers::Findings::OfManifest,
        &mut findings,
    );
    if !problems.is_empty() {
        findings.extend(problems.into_iter().map(|p| waiver_finding(src, &place, p)));
    }
    FileReport {
        path: src.name.clone(),
        kind: FileKind::Manifest,
        findings,
        results,
        kept: crate::across::keep(program, schema, value, &src.text),
        ids: ids(program, schema, value),
    }
}

/// The manifest's `partner.id`, when its schema has one and it is text. An
/// invalid manifest has it too when that value itself is valid.
pub(crate) fn ids(program: &Program, schema: usize, value: &crate::value::Value) -> Ids {
    let types = &program.types;
    let Some(schema) = types.schemas.get(schema) else {
        return Ids::default();
    };
    let root = Ty::Record(schema.root);
    // A field of `partner` as text: a string as it is, an enum value by
    // its name.
    let partner_field = |name: &str| {
        let partner = waivers::field(types, &root, value, "partner")?;
        let ty = types.record_field_ty(&root, "partner")?;
        match waivers::field(types, ty, partner, name)? {
            crate::value::Value::Str(text) => Some(text.clone()),
            crate::value::Value::Enum(index) => {
                let Ty::Enum(e) = types.record_field_ty(ty, name)?.required() else {
                    return None;
                };
                Some(types.enum_def(*e)?.name_of(*index).to_string())
            }
            _ => None,
        }
    };
    let partner = partner_field("id");
    let about = Partner {
        name: partner_field("name"),
        kind: partner_field("kind"),
        country: partner_field("country"),
    };
    let waivers = waivers::read(types, &root, value)
        .into_iter()
        .map(|w| DeclaredWaiver {
            rule: w.rule,
            grant: w.grant,
            reason: w.reason,
            approved_by: w.approved_by,
            expires: w.expires,
            pointer: w.pointer.to_string(),
        })
        .collect();
    let mut items = Vec::new();
    if let Some(record) = types.record(schema.root) {
        for name in record.field_names() {
            let Some(Ty::List(elem)) = types.record_field_ty(&root, name).map(Ty::required) else {
                continue;
            };
            let Some(crate::value::Value::List(list)) = waivers::field(types, &root, value, name)
            else {
                continue;
            };
            let ids: Vec<Option<String>> = list
                .iter()
                .map(|item| match waivers::field(types, elem, item, "id") {
                    Some(crate::value::Value::Str(id)) => Some(id.clone()),
                    _ => None,
                })
                .collect();
            if ids.iter().any(Option::is_some) {
                items.push((name.to_string(), ids));
            }
        }
    }
    Ids {
        partner,
        items,
        about,
        waivers,
    }
}

/// The places of one manifest's values, and what is needed to look them
/// up by path.
pub struct Place<'a> {
    pub spans: &'a Spans,
    pub types: &'a crate::schema::Types,
    pub text: &'a str,
}

impl Place<'_> {
    fn locate(&self, path: &crate::manifest::path::Path, at: At) -> Option<Range<usize>> {
        self.spans.locate(self.types, self.text, path, at)
    }

    /// Where a blamed value is: the value itself, or for an item or a
    /// missing field, the item's `id` when it has one, else its key.
    pub fn blamed(&self, b: &Blame) -> Option<Range<usize>> {
        let item_id = match b.path.segs().last() {
            Some(Seg::Index(_)) if b.missing => self
                .spans
                .find(self.types, self.text, &b.path.key("id"))
                .and_then(|n| n.value()),
            _ => None,
        };
        let at = if b.missing { At::Key } else { At::Value };
        item_id.or_else(|| self.locate(&b.path, at))
    }
}

/// A failing binding as a finding: the first blamed value is where it
/// points, every blamed value is labelled.
fn failure_finding(
    rule: &crate::check::ir::Rule,
    src: &Arc<Source>,
    place: &Place,
    failure: Failure,
) -> Finding {
    let labels: Vec<(&Blame, Range<usize>)> = failure
        .blame
        .iter()
        .filter_map(|b| place.blamed(b).map(|r| (b, r)))
        .collect();
    let primary = labels.first();
    Finding {
        fix: None,
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
        related: Vec::new(),
        message: failure.message,
        help: failure.help,
    }
}

/// A problem with a waiver itself, as a built-in finding at the waiver.
pub(crate) fn waiver_finding(
    src: &Arc<Source>,
    place: &Place,
    p: waivers::WaiverProblem,
) -> Finding {
    let range = place.locate(&p.pointer, At::Value);
    let fix = p
        .replacement
        .zip(range.clone())
        .map(|(text, range)| Suggestion::new(range, text));
    Finding {
        fix,
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
        related: Vec::new(),
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
            fix: None,
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
            related: Vec::new(),
        }],
        results: Vec::new(),
        kept: None,
        ids: Ids::default(),
    }
}

fn issue_finding(src: &Arc<Source>, issue: &Issue) -> Finding {
    let range = issue.range.clone();
    let related = issue.related.clone();
    Finding {
        fix: issue.fix.clone(),
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
        related: Vec::new(),
    }
}
