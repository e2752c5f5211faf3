//! `--format json`: every finding and the run's summary as one JSON
//! document, for scripts and dashboards. The schema is documented, field by
//! field, in `docs/json-output.md`; change both together.
//!
//! The document is stable across runs: findings come in the report's order
//! (by manifest path, then line and column, then rule id), paths are shown
//! as the user gave them, and the only field that varies is
//! `summary.elapsed_seconds`.

use crate::diagnostics::Finding;
use crate::run::{FileReport, Report, Totals};
use serde::Serialize;
use std::io::{self, Write};

/// The schema version. It changes when a field is removed or changes
/// meaning; adding a field does not change it, so readers must ignore
/// fields they do not know.
pub const VERSION: u32 = 1;

/// A finding as the document writes it; the HTML report is built from the
/// same records.
#[derive(Serialize)]
pub(crate) struct JsonFinding<'a> {
    rule: &'a str,
    severity: &'static str,
    title: &'a str,
    message: &'a str,
    help: Option<&'a str>,
    location: JsonLocation<'a>,
    rule_source: Option<RuleSource<'a>>,
    waived: bool,
    waiver: Option<JsonWaiver<'a>>,
    /// Places in other manifests, for a rule across manifests.
    related: Vec<JsonRelated<'a>>,
    /// A replacement that fixes the finding ("did you mean").
    fix: Option<JsonFix<'a>>,
}

#[derive(Serialize)]
struct JsonFix<'a> {
    replacement: &'a str,
    line: usize,
    column: usize,
    end_line: usize,
    end_column: usize,
}

#[derive(Serialize)]
struct JsonRelated<'a> {
    location: JsonLocation<'a>,
    label: &'a str,
}

#[derive(Serialize)]
struct JsonLocation<'a> {
    path: &'a str,
    line: usize,
    column: usize,
    end_line: usize,
    end_column: usize,
    pointer: Option<String>,
}

#[derive(Serialize)]
struct RuleSource<'a> {
    path: &'a str,
    line: usize,
    column: usize,
}

#[derive(Serialize)]
struct JsonWaiver<'a> {
    pointer: String,
    reason: &'a str,
    approved_by: &'a str,
    expires: String,
}

#[derive(Serialize)]
pub(crate) struct Summary {
    manifests: usize,
    rules: usize,
    findings: BySeverity,
    waived: usize,
    skipped: usize,
    elapsed_seconds: f64,
}

impl Summary {
    pub(crate) fn new(totals: &Totals) -> Summary {
        Summary {
            manifests: totals.manifests,
            rules: totals.rules,
            findings: BySeverity {
                error: totals.errors,
                warning: totals.warnings,
                note: totals.notes,
            },
            waived: totals.waived,
            skipped: totals.skipped,
            // Milliseconds are as precise as a run's timing is meaningful.
            elapsed_seconds: (totals.elapsed.as_secs_f64() * 1000.0).round() / 1000.0,
        }
    }
}

#[derive(Serialize)]
struct BySeverity {
    error: usize,
    warning: usize,
    note: usize,
}

fn location(l: &crate::diagnostics::Location) -> JsonLocation<'_> {
    let (line, column) = l.line_col();
    let (end_line, end_column) = l.end_line_col();
    JsonLocation {
        path: &l.path,
        line,
        column,
        end_line,
        end_column,
        pointer: l.pointer.as_ref().map(ToString::to_string),
    }
}

pub(crate) fn finding(f: &Finding) -> JsonFinding<'_> {
    JsonFinding {
        rule: &f.rule,
        severity: f.severity.as_str(),
        title: &f.title,
        message: &f.message,
        help: f.help.as_deref(),
        location: location(&f.location),
        rule_source: f.rule_span.as_ref().map(|span| {
            let (line, column) = span.start_line_col();
            RuleSource {
                path: &span.src.name,
                line,
                column,
            }
        }),
        waived: f.waiver.is_some(),
        waiver: f.waiver.as_ref().map(|w| JsonWaiver {
            pointer: w.pointer.to_string(),
            reason: &w.reason,
            approved_by: &w.approved_by,
            expires: w.expires.to_string(),
        }),
        related: f
            .related
            .iter()
            .map(|(l, label)| JsonRelated {
                location: location(l),
                label,
            })
            .collect(),
        fix: f
            .fix
            .as_ref()
            .zip(f.location.source.as_ref())
            .map(|(fix, src)| {
                let (line, column) = src.line_col(fix.range.start);
                let (end_line, end_column) = src.line_col(fix.range.end);
                JsonFix {
                    replacement: &fix.replacement,
                    line,
                    column,
                    end_line,
                    end_column,
                }
            }),
    }
}

/// Writes the document as the check goes: the opening, then each file's
/// findings as the file is handed on, then the summary, which needs the
/// run's totals, at the end. Nothing is held but the file at hand, so
/// memory stays flat however many manifests there are; the bytes are those
/// `serde_json` writes for the whole document, pretty-printed.
pub struct Stream<W: Write> {
    out: W,
    /// No finding has been written yet.
    empty: bool,
}

impl<W: Write> Stream<W> {
    pub fn start(mut out: W) -> io::Result<Stream<W>> {
        write!(out, "{{\n  \"version\": {VERSION},\n  \"findings\": [")?;
        Ok(Stream { out, empty: true })
    }

    /// One file's findings, in the report's order.
    pub fn file(&mut self, file: &FileReport) -> io::Result<()> {
        for f in &file.findings {
            self.out
                .write_all(if self.empty { b"\n    " } else { b",\n    " })?;
            self.empty = false;
            write_pretty(&mut self.out, &finding(f), "    ")?;
        }
        Ok(())
    }

    /// The summary and the document's end, with a final newline.
    pub fn finish(mut self, totals: &Totals) -> io::Result<W> {
        let summary = Summary::new(totals);
        if !self.empty {
            self.out.write_all(b"\n  ")?;
        }
        self.out.write_all(b"],\n  \"summary\": ")?;
        write_pretty(&mut self.out, &summary, "  ")?;
        self.out.write_all(b"\n}\n")?;
        Ok(self.out)
    }
}

/// `value` pretty-printed as it reads nested at `indent` in a larger
/// document. A JSON string holds no raw line break, so every line break
/// of the text is one the printer wrote.
pub(crate) fn write_pretty(
    out: &mut impl Write,
    value: &impl Serialize,
    indent: &str,
) -> io::Result<()> {
    let text = serde_json::to_string_pretty(value)?;
    let mut lines = text.split('\n');
    if let Some(first) = lines.next() {
        out.write_all(first.as_bytes())?;
    }
    for line in lines {
        out.write_all(b"\n")?;
        out.write_all(indent.as_bytes())?;
        out.write_all(line.as_bytes())?;
    }
    Ok(())
}

/// The whole document, pretty-printed, with a final newline.
pub fn render(report: &Report) -> Result<String, String> {
    let mut stream = Stream::start(Vec::new()).map_err(|e| e.to_string())?;
    for file in &report.files {
        stream.file(file).map_err(|e| e.to_string())?;
    }
    let bytes = stream.finish(&report.totals()).map_err(|e| e.to_string())?;
    String::from_utf8(bytes).map_err(|e| e.to_string())
}
