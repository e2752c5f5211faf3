//! `--format json`: every finding and the run's summary as one JSON
//! document, for scripts and dashboards. The schema is documented, field by
//! field, in `docs/json-output.md`; change both together.
//!
//! The document is stable across runs: findings come in the report's order
//! (by manifest path, then line and column, then rule id), paths are shown
//! as the user gave them, and the only field that varies is
//! `summary.elapsed_seconds`.

use crate::diagnostics::Finding;
use crate::run::Report;
use serde::Serialize;

/// The schema version. It changes when a field is removed or changes
/// meaning; adding a field does not change it, so readers must ignore
/// fields they do not know.
pub const VERSION: u32 = 1;

#[derive(Serialize)]
struct Document<'a> {
    version: u32,
    findings: Vec<JsonFinding<'a>>,
    summary: Summary,
}

#[derive(Serialize)]
struct JsonFinding<'a> {
    rule: &'a str,
    severity: &'static str,
    title: &'a str,
    message: &'a str,
    help: Option<&'a str>,
    location: JsonLocation<'a>,
    rule_source: Option<RuleSource<'a>>,
    waived: bool,
    waiver: Option<JsonWaiver<'a>>,
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
struct Summary {
    manifests: usize,
    rules: usize,
    findings: BySeverity,
    waived: usize,
    skipped: usize,
    elapsed_seconds: f64,
}

#[derive(Serialize)]
struct BySeverity {
    error: usize,
    warning: usize,
    note: usize,
}

fn finding(f: &Finding) -> JsonFinding<'_> {
    let (line, column) = f.location.line_col();
    let (end_line, end_column) = f.location.end_line_col();
    JsonFinding {
        rule: &f.rule,
        severity: f.severity.as_str(),
        title: &f.title,
        message: &f.message,
        help: f.help.as_deref(),
        location: JsonLocation {
            path: &f.location.path,
            line,
            column,
            end_line,
            end_column,
            pointer: f.location.pointer.as_ref().map(ToString::to_string),
        },
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
    }
}

/// The whole document, pretty-printed, with a final newline.
pub fn render(report: &Report) -> Result<String, String> {
    let totals = report.totals();
    let document = Document {
        version: VERSION,
        findings: report.findings().map(finding).collect(),
        summary: Summary {
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
            elapsed_seconds: (report.elapsed.as_secs_f64() * 1000.0).round() / 1000.0,
        },
    };
    let mut text = serde_json::to_string_pretty(&document).map_err(|e| e.to_string())?;
    text.push('\n');
    Ok(text)
}
