//! What the page shows, gathered file by file as the check goes, and
//! written out when the run ends.
//!
//! The matrix needs every manifest before its first row (rows are sorted
//! by partner, and the header counts what all of them hold), but the page
//! must not cost memory in proportion to everything it shows. So each
//! finding, as its file is handed on, is written to an anonymous temporary
//! file as the record the template reads (the JSON document's record of
//! it, the lines around it, its rule); a manifest keeps only what its row
//! needs (who the partner is, how each rule ended, counts) and where its
//! findings are in that file. At the end the page is written part by part:
//! the header, a row per manifest, then each manifest's section with its
//! findings read back one at a time, then the rules. The bound is the rows'
//! summaries; the cost is the findings once more on the temporary
//! directory's disk (`TMPDIR`) for the length of the run.

use super::snippet::{snippet, Snippet};
use crate::ast::Severity;
use crate::builtin::Builtin;
use crate::check::Program;
use crate::date::Date;
use crate::report::json;
use crate::report::{catalogue, CatalogueEntry};
use crate::run::{FileKind, FileReport, RuleResult, Totals};
use minijinja::Value;
use serde::Serialize;
use std::collections::HashMap;
use std::fs::File;
use std::io::{self, BufWriter, Read, Seek, SeekFrom, Write};

/// Waivers that expire within this many days are listed in the header.
pub const EXPIRING_WITHIN_DAYS: i64 = 30;

/// When and as of which date a run checked.
pub struct Run {
    /// Seconds since 1970-01-01 UTC when the check ran.
    pub checked_at: i64,
    pub as_of: Date,
}

impl Run {
    /// Now, or the time `SOURCE_DATE_EPOCH` gives (reproducible-builds.org),
    /// so that a report can be made again byte for byte.
    pub fn now(as_of: Date) -> Run {
        let fixed = std::env::var("SOURCE_DATE_EPOCH")
            .ok()
            .and_then(|s| s.trim().parse::<i64>().ok());
        let checked_at = fixed.unwrap_or_else(|| {
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
        });
        Run { checked_at, as_of }
    }
}

/// A manifest's row, as far as the run has got.
struct Row {
    path: String,
    broken: bool,
    id: Option<String>,
    about: crate::run::Partner,
    /// By catalogue entry: how the rule ended (`None` for the built-in
    /// checks, and for rules not run on this manifest).
    results: Vec<Option<RuleResult>>,
    /// By catalogue entry: the findings of that rule.
    tallies: Vec<Tally>,
    /// Where each finding's record is in the temporary file: its column,
    /// then its offset and length.
    findings: Vec<(usize, u64, usize)>,
    /// Findings not waived: errors, warnings, notes.
    live: [usize; 3],
}

/// The findings of one rule in one manifest.
#[derive(Clone, Copy, Default)]
struct Tally {
    /// Not waived.
    live: usize,
    waived: usize,
    /// The worst severity of the live ones.
    worst: Option<Severity>,
}

/// A finding as the template reads it: the JSON document's record, the
/// lines around it, and its rule's place in the catalogue.
#[derive(Serialize)]
struct PageFinding<'a> {
    #[serde(flatten)]
    record: json::JsonFinding<'a>,
    snippet: Option<Snippet>,
    rule_index: Option<usize>,
}

/// The columns: the catalogue, grouped by policy.
struct Columns<'p> {
    entries: Vec<CatalogueEntry<'p>>,
    /// Catalogue indices in the order of the columns.
    order: Vec<usize>,
    /// By catalogue index, its column.
    column: Vec<usize>,
    by_id: HashMap<&'p str, usize>,
}

impl<'p> Columns<'p> {
    fn new(program: &'p Program) -> Columns<'p> {
        let entries = catalogue(program);
        // Columns grouped by policy, in the order the policies were
        // loaded; the built-in checks last, as one group.
        let first_of = |e: &CatalogueEntry<'_>, i: usize| match e.source {
            Some(_) => entries
                .iter()
                .position(|x| x.source.is_some() && x.policy == e.policy)
                .unwrap_or(i),
            None => usize::MAX,
        };
        let mut order: Vec<usize> = (0..entries.len()).collect();
        order.sort_by_key(|&i| (entries.get(i).map_or(usize::MAX, |e| first_of(e, i)), i));
        let mut column = vec![0; entries.len()];
        for (c, &i) in order.iter().enumerate() {
            if let Some(slot) = column.get_mut(i) {
                *slot = c;
            }
        }
        // An id stands for its first entry: the policies' rules come first.
        let mut by_id = HashMap::new();
        for (i, e) in entries.iter().enumerate() {
            by_id.entry(e.id).or_insert(i);
        }
        Columns {
            entries,
            order,
            column,
            by_id,
        }
    }

    /// The group a catalogue entry's column is in.
    fn group(e: &CatalogueEntry<'_>) -> String {
        match e.source {
            Some(_) => e.policy.to_string(),
            None => "built-in checks".to_string(),
        }
    }
}

/// Gathers the rows of the page as files are handed on, and writes the
/// page at the end.
pub struct Collector<'p, W: Write> {
    program: &'p Program,
    columns: Columns<'p>,
    run: Run,
    out: W,
    rows: Vec<Row>,
    by_path: HashMap<String, usize>,
    expiring: Vec<Expiring>,
    /// The findings' records; `None` once writing one failed.
    spool: Option<BufWriter<File>>,
    spooled: u64,
    /// The first error of the temporary file, reported at the end.
    error: Option<io::Error>,
}

impl<'p, W: Write> Collector<'p, W> {
    pub fn start(program: &'p Program, run: Run, out: W) -> io::Result<Collector<'p, W>> {
        Ok(Collector {
            program,
            columns: Columns::new(program),
            run,
            out,
            rows: Vec::new(),
            by_path: HashMap::new(),
            expiring: Vec::new(),
            spool: Some(BufWriter::new(tempfile::tempfile().map_err(spool_error)?)),
            spooled: 0,
            error: None,
        })
    }

    /// One file's report. Findings of rules across manifests come as a
    /// second report of a manifest already seen: they join its row.
    pub fn file(&mut self, file: &FileReport) -> io::Result<()> {
        if file.kind == FileKind::Skipped {
            return Ok(());
        }
        let entries = self.columns.entries.len();
        let index = match self.by_path.get(&file.path) {
            Some(&i) => i,
            None => {
                let row = Row {
                    path: file.path.clone(),
                    broken: matches!(file.kind, FileKind::Broken | FileKind::Crashed),
                    id: file.ids.partner.clone(),
                    about: file.ids.about.clone(),
                    results: vec![None; entries],
                    tallies: vec![Tally::default(); entries],
                    findings: Vec::new(),
                    live: [0; 3],
                };
                let partner = name_of(&row);
                // Only waivers in force: of a manifest that loads, and
                // without a problem of their own (expired, too long, naming
                // no rule, matching nothing), which is a `proviso/*`
                // finding at the waiver.
                let troubled = |pointer: &str| {
                    file.findings.iter().any(|f| {
                        f.rule.starts_with("proviso/")
                            && f.location.pointer.as_ref().is_some_and(|p| {
                                let p = p.to_string();
                                p == pointer
                                    || p.strip_prefix(pointer).is_some_and(|r| r.starts_with('/'))
                            })
                    })
                };
                let in_force = file
                    .ids
                    .waivers
                    .iter()
                    .filter(|w| !row.broken && !troubled(&w.pointer));
                for w in in_force {
                    let days_left = w.expires.0 - self.run.as_of.0;
                    if (0..=EXPIRING_WITHIN_DAYS).contains(&days_left) {
                        self.expiring.push(Expiring {
                            partner: partner.clone(),
                            path: file.path.clone(),
                            pointer: w.pointer.clone(),
                            rule: w.rule.clone(),
                            grant: w.grant.clone(),
                            reason: w.reason.clone(),
                            approved_by: w.approved_by.clone(),
                            expires: w.expires.to_string(),
                            days_left,
                        });
                    }
                }
                self.rows.push(row);
                self.by_path.insert(file.path.clone(), self.rows.len() - 1);
                self.rows.len() - 1
            }
        };
        let Some(row) = self.rows.get_mut(index) else {
            return Ok(());
        };
        // The program's rules come first in the catalogue, in their order.
        for &(rule, result) in &file.results {
            if let Some(slot) = row.results.get_mut(rule) {
                *slot = Some(result);
            }
        }
        for f in &file.findings {
            if f.waiver.is_none() {
                if let Some(n) = row.live.get_mut(severity_index(f.severity)) {
                    *n += 1;
                }
            }
            let entry = self.columns.by_id.get(f.rule.as_str()).copied();
            if let Some(t) = entry.and_then(|e| row.tallies.get_mut(e)) {
                if f.waiver.is_some() {
                    t.waived += 1;
                } else {
                    t.live += 1;
                    t.worst = t.worst.max(Some(f.severity));
                }
            }
            let column = entry.and_then(|e| self.columns.column.get(e).copied());
            let record = PageFinding {
                record: json::finding(f),
                snippet: f
                    .location
                    .source
                    .as_ref()
                    .zip(f.location.range.as_ref())
                    .map(|(src, range)| snippet(src, range, &f.labels)),
                rule_index: column,
            };
            let Some(spool) = self.spool.as_mut() else {
                continue;
            };
            let bytes = serde_json::to_vec(&record)?;
            if let Err(e) = spool.write_all(&bytes) {
                self.error.get_or_insert(e);
                self.spool = None;
                continue;
            }
            row.findings
                .push((column.unwrap_or(usize::MAX), self.spooled, bytes.len()));
            self.spooled += bytes.len() as u64;
        }
        Ok(())
    }

    /// Writes the page.
    pub fn finish(mut self, totals: &Totals) -> io::Result<W> {
        if let Some(e) = self.error.take() {
            return Err(spool_error(e));
        }
        let mut spool = match self.spool.take() {
            Some(spool) => spool
                .into_inner()
                .map_err(|e| spool_error(e.into_error()))?,
            None => return Err(io::Error::other("the findings' temporary file is gone")),
        };
        let mut rows = std::mem::take(&mut self.rows);
        rows.sort_by(|a, b| {
            let key = |r: &Row| name_of(r).to_lowercase();
            key(a).cmp(&key(b)).then_with(|| a.path.cmp(&b.path))
        });
        self.expiring.sort_by(|a, b| {
            a.days_left
                .cmp(&b.days_left)
                .then_with(|| a.path.cmp(&b.path))
        });
        let mut head = self.head(&rows, totals);
        head.expiring = std::mem::take(&mut self.expiring);

        let env = super::environment().map_err(io::Error::other)?;
        let template = env.get_template("report.html").map_err(io::Error::other)?;
        // The template only defines the page's parts, as macros.
        let captured = template.render_captured(()).map_err(io::Error::other)?;
        let state = captured.state();
        let out = &mut self.out;
        let mut part = |name: &str, args: &[Value]| -> io::Result<()> {
            let text = state.call_macro(name, args).map_err(io::Error::other)?;
            out.write_all(text.as_bytes())?;
            out.write_all(b"\n")
        };
        let page = Value::from_serialize(&head);
        part(
            "head",
            &[
                page.clone(),
                Value::from_safe_string(super::STYLE.to_string()),
                Value::from(super::csp()),
            ],
        )?;
        for (n, row) in rows.iter().enumerate() {
            let view = row_view(n, row, &self.columns, Cells::Made);
            part("row", &[Value::from_serialize(&view)])?;
        }
        part("middle", std::slice::from_ref(&page))?;
        let mut buffer = Vec::new();
        for (n, row) in rows.iter_mut().enumerate() {
            // The column's order, then the file's.
            row.findings.sort_by_key(|&(column, _, _)| column);
            // A section shows no cells.
            let view = row_view(n, row, &self.columns, Cells::Left);
            part("section_open", &[Value::from_serialize(&view)])?;
            for &(column, at, len) in &row.findings {
                buffer.resize(len, 0);
                spool.seek(SeekFrom::Start(at)).map_err(spool_error)?;
                spool.read_exact(&mut buffer).map_err(spool_error)?;
                let record: serde_json::Value = serde_json::from_slice(&buffer)?;
                let rule = head
                    .rules
                    .get(column)
                    .map_or(Value::from(()), Value::from_serialize);
                part("finding", &[Value::from_serialize(&record), rule])?;
            }
            part("section_close", &[Value::from_serialize(&view)])?;
        }
        part(
            "tail",
            &[page, Value::from_safe_string(super::SCRIPT.to_string())],
        )?;
        Ok(self.out)
    }

    /// The header's data, and the rules', from the rows.
    fn head(&self, rows: &[Row], totals: &Totals) -> Head {
        let program = self.program;
        let entries = &self.columns.entries;
        let failing = |i: usize| {
            rows.iter()
                .filter(|r| r.tallies.get(i).is_some_and(|t| t.live + t.waived > 0))
                .count()
        };
        let rules: Vec<Rule> = self
            .columns
            .order
            .iter()
            .filter_map(|&i| {
                let e = entries.get(i)?;
                Some(Rule {
                    id: e.id.to_string(),
                    short: e.id.split_once('/').map_or(e.id, |(_, s)| s).to_string(),
                    title: e.title.to_string(),
                    severity: e.severity.as_str(),
                    doc: e.doc.to_string(),
                    help: e.help.clone(),
                    declared: e.source.map(|s| {
                        let (line, _) = s.start_line_col();
                        format!("{}:{line}", s.src.name)
                    }),
                    failing: failing(i),
                })
            })
            .collect();
        let mut groups: Vec<Group> = Vec::new();
        for e in self.columns.order.iter().filter_map(|&i| entries.get(i)) {
            let title = Columns::group(e);
            match groups.last_mut() {
                Some(g) if g.title == title => g.span += 1,
                _ => groups.push(Group { title, span: 1 }),
            }
        }
        let mut policies: Vec<Policy> = Vec::new();
        for rule in &program.rules {
            let file = rule.id_span.src.name.clone();
            match policies.iter_mut().find(|p| p.name == rule.policy) {
                Some(p) => {
                    p.rules += 1;
                    if !p.files.contains(&file) {
                        p.files.push(file);
                    }
                }
                None => policies.push(Policy {
                    name: rule.policy.clone(),
                    files: vec![file],
                    rules: 1,
                }),
            }
        }
        Head {
            version: json::VERSION,
            checked_at: timestamp(self.run.checked_at),
            as_of: self.run.as_of.to_string(),
            policies,
            summary: json::Summary::new(totals),
            broken: rows.iter().filter(|r| r.broken).count(),
            row_count: rows.len(),
            expiring: Vec::new(),
            expiring_days: EXPIRING_WITHIN_DAYS,
            groups,
            rules,
        }
    }
}

/// The page's data but its rows, as the template reads it.
#[derive(Serialize)]
struct Head {
    /// The JSON document's schema version the findings follow.
    version: u32,
    /// `2026-12-01T18:56:48Z`
    checked_at: String,
    as_of: String,
    policies: Vec<Policy>,
    summary: json::Summary,
    /// Manifests that do not load (and so were not evaluated).
    broken: usize,
    row_count: usize,
    expiring: Vec<Expiring>,
    expiring_days: i64,
    groups: Vec<Group>,
    rules: Vec<Rule>,
}

#[derive(Serialize)]
struct Policy {
    name: String,
    /// The files that declare it.
    files: Vec<String>,
    rules: usize,
}

#[derive(Serialize)]
struct Group {
    /// `ftc2012`, or for the checks built into proviso, `built-in checks`.
    title: String,
    span: usize,
}

#[derive(Serialize)]
struct Rule {
    id: String,
    /// The id without its policy's prefix, for the column's heading.
    short: String,
    title: String,
    severity: &'static str,
    /// The rule's doc comment: where the obligation comes from.
    doc: String,
    help: Option<String>,
    /// `builtin:ftc2012.proviso:6`
    declared: Option<String>,
    /// Manifests the rule fails for, waived or not.
    failing: usize,
}

#[derive(Serialize)]
struct Expiring {
    partner: String,
    path: String,
    pointer: String,
    rule: String,
    grant: Option<String>,
    reason: String,
    approved_by: String,
    expires: String,
    days_left: i64,
}

/// A manifest as its row and its section read it.
#[derive(Serialize)]
struct RowView<'r> {
    /// The row's place in the page (`r3`), for ids and links.
    key: String,
    path: &'r str,
    id: Option<&'r str>,
    /// The partner's name, else its id, else the file's name.
    name: String,
    kind: Option<&'r str>,
    country: Option<&'r str>,
    broken: bool,
    /// Findings not waived, by severity, and waived.
    errors: usize,
    warnings: usize,
    notes: usize,
    waived: usize,
    finding_count: usize,
    /// Space-separated: the severities of its live findings, and `waived`
    /// when it has waived ones (for the severity filter).
    severities: String,
    /// Space-separated: the rules it has findings of (for the rule filter).
    rules: String,
    cells: Vec<Cell>,
}

#[derive(Serialize)]
struct Cell {
    rule: String,
    /// `pass`, `fail`, `waived`, `na`, `error` or `unchecked`.
    state: &'static str,
    /// For `fail`: the severity of its worst live finding.
    severity: Option<&'static str>,
    /// Live findings for `fail`, waived ones for `waived`.
    count: usize,
    /// What the cell shows: a symbol, and the count.
    symbol: String,
    /// The cell in words, for screen readers and the details' verdict.
    words: String,
}

/// An error of the temporary file the findings wait in, said as such.
fn spool_error(e: io::Error) -> io::Error {
    let dir = std::env::temp_dir();
    io::Error::new(
        e.kind(),
        format!(
            "cannot keep the findings in a temporary file in `{}` (set TMPDIR to a writable directory): {e}",
            crate::report::escape::visible(&dir.to_string_lossy())
        ),
    )
}

fn severity_index(s: Severity) -> usize {
    match s {
        Severity::Error => 0,
        Severity::Warning => 1,
        Severity::Note => 2,
    }
}

/// The name a row goes by: the partner's name, else its id, else the
/// file's name.
fn name_of(row: &Row) -> String {
    row.about
        .name
        .clone()
        .filter(|n| !n.trim().is_empty())
        .or_else(|| row.id.clone())
        .unwrap_or_else(|| {
            row.path
                .rsplit(['/', '\\'])
                .next()
                .unwrap_or(&row.path)
                .to_string()
        })
}

/// Whether a row's view has its cells: the matrix's row has, the
/// manifest's section has not.
#[derive(PartialEq)]
enum Cells {
    Made,
    Left,
}

fn row_view<'r>(n: usize, row: &'r Row, columns: &Columns<'_>, cells: Cells) -> RowView<'r> {
    let mut waived = 0;
    let mut rules = Vec::new();
    for (i, t) in row.tallies.iter().enumerate() {
        waived += t.waived;
        if t.live + t.waived > 0 {
            if let Some(e) = columns.entries.get(i) {
                rules.push(e.id);
            }
        }
    }
    let by_severity = row.live;
    let [errors, warnings, notes] = by_severity;
    let severities: Vec<&str> = [
        ("error", errors),
        ("warning", warnings),
        ("note", notes),
        ("waived", waived),
    ]
    .into_iter()
    .filter(|(_, n)| *n > 0)
    .map(|(s, _)| s)
    .collect();
    rules.sort_unstable();
    let name = name_of(row);
    // The first step a manifest that does not load failed at; none known
    // (a check that failed inside proviso): nothing ran.
    let failed = row.broken.then(|| {
        columns
            .entries
            .iter()
            .zip(&row.tallies)
            .filter(|(e, t)| e.source.is_none() && t.live + t.waived > 0)
            .map(|(e, _)| stage(e.id))
            .min()
            .unwrap_or(0)
    });
    let cells = match cells {
        Cells::Left => Vec::new(),
        Cells::Made => columns
            .order
            .iter()
            .filter_map(|&i| {
                let e = columns.entries.get(i)?;
                Some(cell(row, i, e.id, e.source.is_none(), failed, &name))
            })
            .collect(),
    };
    RowView {
        key: format!("r{n}"),
        path: &row.path,
        id: row.id.as_deref(),
        name,
        kind: row.about.kind.as_deref(),
        country: row.about.country.as_deref(),
        broken: row.broken,
        errors,
        warnings,
        notes,
        waived,
        finding_count: row.findings.len(),
        severities: severities.join(" "),
        rules: rules.join(" "),
        cells,
    }
}

/// The step of the check a built-in check belongs to: a manifest is read,
/// parsed, validated, and then its waivers are checked. Steps after the one
/// that failed never ran.
fn stage(id: &str) -> usize {
    let step = |b: Builtin| match b {
        Builtin::Unreadable => 0,
        Builtin::Syntax => 1,
        Builtin::Schema => 2,
        Builtin::WaiverExpired
        | Builtin::WaiverTooLong
        | Builtin::WaiverUnused
        | Builtin::WaiverUnknownRule => 3,
    };
    Builtin::ALL
        .into_iter()
        .find(|b| b.id() == id)
        .map_or(3, step)
}

/// How one rule ended for one manifest, as a cell. `failed` is, for a
/// manifest that does not load, the step of the check at which it failed.
fn cell(
    row: &Row,
    column: usize,
    rule: &str,
    builtin: bool,
    failed: Option<usize>,
    name: &str,
) -> Cell {
    let tally = row.tallies.get(column).copied().unwrap_or_default();
    let result = row.results.get(column).copied().flatten();
    let (live, waived, worst) = (tally.live, tally.waived, tally.worst);
    let plural = |n: usize, one: &str| format!("{n} {one}{}", if n == 1 { "" } else { "s" });
    let (state, severity, count, symbol, what) = if result == Some(RuleResult::Error) && !row.broken
    {
        (
            "error",
            None,
            live,
            "✱".to_string(),
            "could not be evaluated".to_string(),
        )
    } else if let Some(worst) = worst {
        let symbol = match worst {
            Severity::Error => "✗",
            Severity::Warning => "!",
            Severity::Note => "•",
        };
        let mut what = format!("fails, {}", plural(live, worst.as_str()));
        if waived > 0 {
            what.push_str(&format!(" and {waived} waived"));
        }
        (
            "fail",
            Some(worst.as_str()),
            live,
            format!("{symbol} {live}"),
            what,
        )
    } else if waived > 0 {
        (
            "waived",
            None,
            waived,
            format!("(✗) {waived}"),
            format!("fails, {} waived", plural(waived, "finding")),
        )
    } else {
        match (builtin, result, row.broken) {
            (true, _, true) if failed.is_none_or(|f| stage(rule) >= f) => (
                "unchecked",
                None,
                0,
                "?".to_string(),
                "not checked: the manifest does not load".to_string(),
            ),
            (true, _, _) => ("pass", None, 0, "✓".to_string(), "passes".to_string()),
            (false, Some(RuleResult::Pass), _) => {
                ("pass", None, 0, "✓".to_string(), "passes".to_string())
            }
            (false, Some(RuleResult::NotApplicable), _) => (
                "na",
                None,
                0,
                "–".to_string(),
                "not applicable: no value of the manifest got past the rule's `where`".to_string(),
            ),
            (false, Some(RuleResult::Fail), _) => {
                ("fail", None, 0, "✗".to_string(), "fails".to_string())
            }
            (false, Some(RuleResult::Error) | None, true) => (
                "unchecked",
                None,
                0,
                "?".to_string(),
                "not checked: the manifest does not load".to_string(),
            ),
            (false, Some(RuleResult::Error), false) => (
                "error",
                None,
                0,
                "✱".to_string(),
                "could not be evaluated".to_string(),
            ),
            (false, None, false) => (
                "na",
                None,
                0,
                "–".to_string(),
                "not applicable: the rule is for another schema".to_string(),
            ),
        }
    };
    Cell {
        rule: rule.to_string(),
        state,
        severity,
        count,
        symbol,
        words: format!("{name}, {rule}: {what}"),
    }
}

/// Seconds since 1970-01-01 as an RFC 3339 UTC time.
fn timestamp(secs: i64) -> String {
    let (y, m, d) = Date(secs.div_euclid(86_400)).ymd();
    let s = secs.rem_euclid(86_400);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
        s / 3600,
        s / 60 % 60,
        s % 60
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps_are_rfc_3339_in_utc() {
        assert_eq!(timestamp(0), "1970-01-01T00:00:00Z");
        assert_eq!(timestamp(1_796_151_408), "2026-12-01T18:56:48Z");
    }
}
