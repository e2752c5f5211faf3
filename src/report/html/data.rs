//! What the page shows, gathered file by file as the check goes, and laid
//! out as the template reads it.

use super::snippet::{snippet, Snippet};
use crate::ast::Severity;
use crate::check::Program;
use crate::date::Date;
use crate::diagnostics::Finding;
use crate::report::catalogue;
use crate::report::json;
use crate::run::{DeclaredWaiver, FileKind, FileReport, RuleResult, Totals};
use serde::Serialize;
use std::collections::HashMap;
use std::io::{self, Write};

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
    waivers: Vec<DeclaredWaiver>,
    /// By rule, in the program's order.
    results: Vec<Option<RuleResult>>,
    findings: Vec<Kept>,
}

/// A finding as the page needs it: the JSON document's record, and the
/// lines around it.
struct Kept {
    rule: String,
    severity: Severity,
    waived: bool,
    record: serde_json::Value,
    snippet: Option<Snippet>,
}

/// Gathers the rows of the page as files are handed on, and writes the
/// page at the end.
pub struct Collector<'p, W: Write> {
    program: &'p Program,
    run: Run,
    out: W,
    rows: Vec<Row>,
    by_path: HashMap<String, usize>,
}

impl<'p, W: Write> Collector<'p, W> {
    pub fn start(program: &'p Program, run: Run, out: W) -> Collector<'p, W> {
        Collector {
            program,
            run,
            out,
            rows: Vec::new(),
            by_path: HashMap::new(),
        }
    }

    /// One file's report. Findings of rules across manifests come as a
    /// second report of a manifest already seen: they join its row.
    pub fn file(&mut self, file: &FileReport) -> io::Result<()> {
        if file.kind == FileKind::Skipped {
            return Ok(());
        }
        let index = match self.by_path.get(&file.path) {
            Some(&i) => i,
            None => {
                self.rows.push(Row {
                    path: file.path.clone(),
                    broken: matches!(file.kind, FileKind::Broken | FileKind::Crashed),
                    id: file.ids.partner.clone(),
                    about: file.ids.about.clone(),
                    waivers: file.ids.waivers.clone(),
                    results: vec![None; self.program.rules.len()],
                    findings: Vec::new(),
                });
                self.by_path.insert(file.path.clone(), self.rows.len() - 1);
                self.rows.len() - 1
            }
        };
        let Some(row) = self.rows.get_mut(index) else {
            return Ok(());
        };
        for &(rule, result) in &file.results {
            if let Some(slot) = row.results.get_mut(rule) {
                *slot = Some(result);
            }
        }
        row.findings.extend(file.findings.iter().map(keep));
        Ok(())
    }

    /// Renders the page and writes it.
    pub fn finish(mut self, totals: &Totals) -> io::Result<W> {
        let page = page(
            self.program,
            &self.run,
            std::mem::take(&mut self.rows),
            totals,
        );
        super::render(&page, &mut self.out).map_err(io::Error::other)?;
        Ok(self.out)
    }
}

fn keep(f: &Finding) -> Kept {
    let record = serde_json::to_value(json::finding(f)).unwrap_or(serde_json::Value::Null);
    let snippet = f
        .location
        .source
        .as_ref()
        .zip(f.location.range.as_ref())
        .map(|(src, range)| snippet(src, range, &f.labels));
    Kept {
        rule: f.rule.clone(),
        severity: f.severity,
        waived: f.waiver.is_some(),
        record,
        snippet,
    }
}

/// The page's data, as the template reads it.
#[derive(Serialize)]
pub struct Page {
    /// The JSON document's schema version the findings follow.
    version: u32,
    /// `2026-12-01T18:56:48Z`
    checked_at: String,
    as_of: String,
    policies: Vec<Policy>,
    summary: json::Summary,
    /// Manifests that do not load (and so were not evaluated).
    broken: usize,
    expiring: Vec<Expiring>,
    expiring_days: i64,
    groups: Vec<Group>,
    rules: Vec<Rule>,
    rows: Vec<PageRow>,
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
    name: String,
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
    builtin: bool,
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

#[derive(Serialize)]
struct PageRow {
    /// The row's place in the page (`r3`), for ids and links.
    key: String,
    path: String,
    id: Option<String>,
    /// The partner's name, else its id, else the file's name.
    name: String,
    kind: Option<String>,
    country: Option<String>,
    broken: bool,
    /// Findings not waived, by severity, and waived.
    errors: usize,
    warnings: usize,
    notes: usize,
    waived: usize,
    /// Space-separated: the severities of its live findings, and `waived`
    /// when it has waived ones (for the severity filter).
    severities: String,
    /// Space-separated: the rules it has findings of (for the rule filter).
    rules: String,
    cells: Vec<Cell>,
    findings: Vec<PageFinding>,
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

#[derive(Serialize)]
struct PageFinding {
    /// The JSON document's record of the finding.
    #[serde(flatten)]
    record: serde_json::Value,
    snippet: Option<Snippet>,
    /// Index of the finding's rule in `rules`.
    rule_index: Option<usize>,
}

fn page(program: &Program, run: &Run, mut rows: Vec<Row>, totals: &Totals) -> Page {
    let entries = catalogue(program);
    let index: HashMap<&str, usize> = entries.iter().enumerate().map(|(i, e)| (e.id, i)).collect();

    // Columns grouped by policy, in the order the policies were loaded;
    // the built-in checks last, as one group.
    let mut order: Vec<usize> = (0..entries.len()).collect();
    let group_of = |i: usize| -> (usize, String) {
        let Some(e) = entries.get(i) else {
            return (usize::MAX, String::new());
        };
        match e.source {
            Some(_) => {
                let first = entries
                    .iter()
                    .position(|x| x.source.is_some() && x.policy == e.policy);
                (first.unwrap_or(i), e.policy.to_string())
            }
            None => (usize::MAX, "built-in checks".to_string()),
        }
    };
    order.sort_by_key(|&i| (group_of(i).0, i));
    let mut groups: Vec<Group> = Vec::new();
    for &i in &order {
        let (_, title) = group_of(i);
        match groups.last_mut() {
            Some(g) if g.title == title => g.span += 1,
            _ => groups.push(Group {
                name: title.clone(),
                title,
                span: 1,
            }),
        }
    }

    rows.sort_by(|a, b| {
        let key = |r: &Row| name_of(r).to_lowercase();
        key(a).cmp(&key(b)).then_with(|| a.path.cmp(&b.path))
    });

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

    let mut expiring: Vec<Expiring> = rows
        .iter()
        .flat_map(|row| {
            row.waivers.iter().filter_map(|w| {
                let days_left = w.expires.0 - run.as_of.0;
                (0..=EXPIRING_WITHIN_DAYS)
                    .contains(&days_left)
                    .then(|| Expiring {
                        partner: name_of(row),
                        path: row.path.clone(),
                        pointer: w.pointer.clone(),
                        rule: w.rule.clone(),
                        grant: w.grant.clone(),
                        reason: w.reason.clone(),
                        approved_by: w.approved_by.clone(),
                        expires: w.expires.to_string(),
                        days_left,
                    })
            })
        })
        .collect();
    expiring.sort_by(|a, b| {
        a.days_left
            .cmp(&b.days_left)
            .then_with(|| a.path.cmp(&b.path))
    });
    let broken = rows.iter().filter(|r| r.broken).count();
    let mut failing = vec![0usize; entries.len()];
    let page_rows: Vec<PageRow> = rows
        .into_iter()
        .enumerate()
        .map(|(n, row)| page_row(n, row, &entries, &order, &index, &mut failing))
        .collect();
    let rules = order
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
                builtin: e.source.is_none(),
                failing: failing.get(i).copied().unwrap_or(0),
            })
        })
        .collect();

    Page {
        version: json::VERSION,
        checked_at: timestamp(run.checked_at),
        as_of: run.as_of.to_string(),
        policies,
        summary: json::Summary::new(totals),
        broken,
        expiring,
        expiring_days: EXPIRING_WITHIN_DAYS,
        groups,
        rules,
        rows: page_rows,
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

fn page_row(
    n: usize,
    mut row: Row,
    entries: &[crate::report::CatalogueEntry<'_>],
    order: &[usize],
    index: &HashMap<&str, usize>,
    failing: &mut [usize],
) -> PageRow {
    let live = |sev: Severity| {
        row.findings
            .iter()
            .filter(|f| !f.waived && f.severity == sev)
            .count()
    };
    let (errors, warnings, notes) = (
        live(Severity::Error),
        live(Severity::Warning),
        live(Severity::Note),
    );
    let waived = row.findings.iter().filter(|f| f.waived).count();
    let mut severities: Vec<&str> = [
        ("error", errors),
        ("warning", warnings),
        ("note", notes),
        ("waived", waived),
    ]
    .into_iter()
    .filter(|(_, n)| *n > 0)
    .map(|(s, _)| s)
    .collect();
    severities.dedup();
    let mut with_findings: Vec<&str> = row.findings.iter().map(|f| f.rule.as_str()).collect();
    with_findings.sort_unstable();
    with_findings.dedup();
    let with_findings = with_findings.join(" ");

    let name = name_of(&row);
    let cells = order
        .iter()
        .filter_map(|&i| {
            let e = entries.get(i)?;
            // The catalogue lists the program's rules first, in their
            // order: a rule's entry has the index of its results.
            let result = if e.source.is_some() {
                row.results.get(i).copied().flatten()
            } else {
                None
            };
            let cell = cell(&row, e.id, e.source.is_none(), result, &name);
            if matches!(cell.state, "fail" | "waived") {
                if let Some(f) = failing.get_mut(i) {
                    *f += 1;
                }
            }
            Some(cell)
        })
        .collect();

    // The order of the columns, then the file's order within a rule.
    row.findings.sort_by_key(|f| {
        index
            .get(f.rule.as_str())
            .and_then(|i| order.iter().position(|o| o == i))
            .unwrap_or(usize::MAX)
    });
    let rule_index = |rule: &str| {
        index
            .get(rule)
            .and_then(|i| order.iter().position(|o| o == i))
    };
    let findings = row
        .findings
        .into_iter()
        .map(|f| PageFinding {
            rule_index: rule_index(&f.rule),
            record: f.record,
            snippet: f.snippet,
        })
        .collect();

    PageRow {
        key: format!("r{n}"),
        path: row.path,
        id: row.id,
        name,
        kind: row.about.kind,
        country: row.about.country,
        broken: row.broken,
        errors,
        warnings,
        notes,
        waived,
        severities: severities.join(" "),
        rules: with_findings,
        cells,
        findings,
    }
}

/// How one rule ended for one manifest, as a cell.
fn cell(row: &Row, rule: &str, builtin: bool, result: Option<RuleResult>, name: &str) -> Cell {
    let of_rule: Vec<&Kept> = row.findings.iter().filter(|f| f.rule == rule).collect();
    let live: Vec<&&Kept> = of_rule.iter().filter(|f| !f.waived).collect();
    let waived = of_rule.len() - live.len();
    let worst = live.iter().map(|f| f.severity).max();
    let plural = |n: usize, one: &str| format!("{n} {one}{}", if n == 1 { "" } else { "s" });
    let (state, severity, count, symbol, what) = if let Some(worst) = worst {
        let symbol = match worst {
            Severity::Error => "✗",
            Severity::Warning => "!",
            Severity::Note => "i",
        };
        let mut what = format!("fails, {}", plural(live.len(), worst.as_str()));
        if waived > 0 {
            what.push_str(&format!(" and {waived} waived"));
        }
        (
            "fail",
            Some(worst.as_str()),
            live.len(),
            format!("{symbol} {}", live.len()),
            what,
        )
    } else if waived > 0 {
        (
            "waived",
            None,
            waived,
            format!("W {waived}"),
            format!("fails, {} waived", plural(waived, "finding")),
        )
    } else {
        match (builtin, result, row.broken) {
            (true, _, true) if rule.starts_with("proviso/") => (
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
                "E".to_string(),
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
